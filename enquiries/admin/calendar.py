"""The working calendar and public holidays the service promise counts in."""

import zoneinfo

from django import forms
from django.contrib import admin

from enquiries.working_calendar import WEEKDAY_FIELDS, PublicHoliday, WorkingCalendar


class WorkingCalendarForm(forms.ModelForm):
    # A list to pick from: a typo in a time zone name would move every deadline.
    time_zone = forms.ChoiceField(
        choices=lambda: [(name, name) for name in sorted(zoneinfo.available_timezones())],
        help_text=WorkingCalendar._meta.get_field("time_zone").help_text,
    )

    class Meta:
        model = WorkingCalendar
        fields = ["time_zone", "opens_at", "closes_at", *WEEKDAY_FIELDS]


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(admin.ModelAdmin):
    """The one calendar: lead coordinators change it (open enquiries' deadlines follow at once,
    see enquiries.sla.calendar_changed); coordinators may look."""

    form = WorkingCalendarForm
    list_display = ["__str__", "time_zone", "opens_at", "closes_at", "working_days"]
    fieldsets = [
        (None, {"fields": ["time_zone", ("opens_at", "closes_at")]}),
        ("Working days", {"fields": [WEEKDAY_FIELDS]}),
    ]

    @admin.display(description="working days")
    def working_days(self, calendar):
        return ", ".join(name.title() for name in WEEKDAY_FIELDS if getattr(calendar, name))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not WorkingCalendar.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    """Days off: no working hours count on them. Leads add them; no list is shipped."""

    list_display = ["date", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]
