"""Schema and content migrations of therapy_info."""
