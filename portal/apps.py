"""App config for the project package (it holds templates tags and commands of its own)."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"
