"""A follow-up is due at the close of its date's working day in the working calendar (or of the
next working day), no longer at midnight after it: the deadline is stored, indexed, and
computed here for every enquiry with a follow-up date, as the calendar says now."""

import zoneinfo

from django.db import migrations, models

from enquiries import sla

# Frozen here on purpose, as in 0012.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def compute_follow_up_deadlines(apps, schema_editor):
    WorkingCalendar = apps.get_model("enquiries", "WorkingCalendar")
    PublicHoliday = apps.get_model("enquiries", "PublicHoliday")
    Enquiry = apps.get_model("enquiries", "Enquiry")
    row = WorkingCalendar.objects.filter(pk=1).first()
    if row is None:
        # 0008 creates it; a database without it has nothing to compute against yet, and the
        # first save of the calendar computes every deadline.
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
    sla.move_follow_up_deadlines(Enquiry.objects.all(), calendar)


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0018_leads_erase_rather_than_delete"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="enquiry",
            name="enquiry_follow_up_idx",
        ),
        migrations.AddField(
            model_name="enquiry",
            name="follow_up_due_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="follow-up due"
            ),
        ),
        migrations.AddIndex(
            model_name="enquiry",
            index=models.Index(fields=["follow_up_due_at"], name="enquiry_follow_up_due_idx"),
        ),
        # Backwards the column goes: nothing to undo.
        migrations.RunPython(compute_follow_up_deadlines, migrations.RunPython.noop),
    ]
