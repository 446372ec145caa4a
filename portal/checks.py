"""System checks of our own, run by `manage.py check --deploy` before a release."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def two_factor_is_required_for_staff(app_configs, **kwargs):
    if settings.STAFF_REQUIRE_2FA:
        return []
    return [
        checks.Error(
            "Two-factor authentication for staff is turned off.",
            hint="STAFF_REQUIRE_2FA=false is for local development only; remove it in production.",
            id="portal.E001",
        )
    ]
