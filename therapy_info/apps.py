"""App configuration: connects the signals that keep cached pages in step with the database."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TherapyInfoConfig(AppConfig):
    name = "therapy_info"
    verbose_name = _("CAR-T information pages")

    def ready(self):
        from therapy_info import signals  # noqa: F401  (connects receivers)
