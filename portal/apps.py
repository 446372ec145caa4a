"""App configs of the project package."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        # Imported for their side effects: the login signal and the deploy checks.
        from portal import checks, staff_sessions  # noqa: F401


class PortalAdminConfig(AdminConfig):
    """Django's admin with our site class, so every app's registrations get two-factor login."""

    default_site = "portal.admin_site.PortalAdminSite"
