"""App config of the enquiries app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnquiriesConfig(AppConfig):
    name = "enquiries"
    verbose_name = _("Enquiries")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from enquiries.forms import forget_cached_empty_form
        from enquiries.models import City

        # The form lists the active cities; its cached HTML must follow a coordinator's change.
        for signal in (post_save, post_delete):
            signal.connect(forget_cached_empty_form, sender=City, dispatch_uid=f"city-{signal}")
