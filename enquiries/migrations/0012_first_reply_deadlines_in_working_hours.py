"""Enquiries still waiting for their first reply when 0008 brought the working calendar kept the
deadline of the old rule, 24 calendar hours, and went overdue over a weekend until a lead saved
the calendar. Their deadlines are recomputed here in working hours, as a save of the calendar
does (enquiries.sla); answered and closed enquiries keep the deadline they were held to."""

import zoneinfo

from django.db import migrations

from enquiries import sla

# Frozen here on purpose: the statuses that were closed when this migration was written.
CLOSED_STATUSES = [
    "closed_treated",
    "closed_not_eligible",
    "closed_withdrew",
    "closed_no_response",
    "spam",
]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def recompute_deadlines(apps, schema_editor):
    WorkingCalendar = apps.get_model("enquiries", "WorkingCalendar")
    PublicHoliday = apps.get_model("enquiries", "PublicHoliday")
    Enquiry = apps.get_model("enquiries", "Enquiry")
    row = WorkingCalendar.objects.filter(pk=1).first()
    if row is None:
        # 0008 creates it; without it the site has not started counting in working hours either.
        return
    calendar = sla.Calendar(
        time_zone=zoneinfo.ZoneInfo(row.time_zone),
        opens=row.opens_at,
        closes=row.closes_at,
        working_weekdays=frozenset(
            number for number, name in enumerate(WEEKDAYS) if getattr(row, name)
        ),
        holidays=frozenset(PublicHoliday.objects.values_list("date", flat=True)),
    )
    sla.move_first_reply_deadlines(Enquiry.objects.exclude(status__in=CLOSED_STATUSES), calendar)


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0011_messenger_id"),
    ]

    operations = [
        # Backwards there is nothing to undo: the old deadlines were the bug.
        migrations.RunPython(recompute_deadlines, migrations.RunPython.noop),
    ]
