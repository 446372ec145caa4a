"""App config of the enquiries app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnquiriesConfig(AppConfig):
    name = "enquiries"
    verbose_name = _("Enquiries")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from enquiries import pathways
        from enquiries.admin.time_zones import forget_coordinator_time_zone
        from enquiries.forms import forget_cached_empty_form
        from enquiries.models import CoordinatorProfile
        from enquiries.sla import calendar_changed
        from enquiries.working_calendar import PublicHoliday, WorkingCalendar
        from therapy_info.programmes import City, Programme

        # The form lists the active cities and the published programmes (by city); its cached
        # HTML must follow a lead's or an editor's change.
        for signal in (post_save, post_delete):
            signal.connect(forget_cached_empty_form, sender=City, dispatch_uid=f"city-{signal}")
            signal.connect(
                forget_cached_empty_form, sender=Programme, dispatch_uid=f"programme-{signal}"
            )
        # Open enquiries' deadlines and the cached pages that state the promise follow the
        # calendar (enquiries.sla).
        for model in (WorkingCalendar, PublicHoliday):
            for signal in (post_save, post_delete):
                signal.connect(
                    calendar_changed, sender=model, dispatch_uid=f"calendar-{model}-{signal}"
                )
        # Every enquiry page shows times on its reader's clock, kept in the cache for a minute.
        for signal in (post_save, post_delete):
            signal.connect(
                forget_coordinator_time_zone,
                sender=CoordinatorProfile,
                dispatch_uid=f"coordinator-time-zone-{signal}",
            )
        # Where enquiries' answers point follows the products, rules and trials.
        pathways.connect_signals()
