"""The project package: settings, URLs, the home page and the health check."""
