"""When coordinators work (one working calendar and the public holidays), as lead coordinators
edit it in the admin; enquiries.sla does the arithmetic."""

import zoneinfo
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Cast

WEEKDAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Not a time zone name such as Asia/Shanghai.")


class WorkingCalendarQuerySet(models.QuerySet):
    def with_holiday_dates(self):
        """Annotates `holiday_dates`: every public holiday's date, ISO, comma-separated (or
        None), so the calendar and its holidays come in one query."""
        every_date = (
            PublicHoliday.objects.order_by()
            .annotate(everything=models.Value(1))
            .values("everything")
            .annotate(
                dates=models.StringAgg(
                    Cast("date", models.CharField()), delimiter=models.Value(",")
                )
            )
            .values("dates")
        )
        return self.annotate(holiday_dates=models.Subquery(every_date))


class WorkingCalendar(models.Model):
    """The one working calendar: the first-reply promise counts only these hours."""

    # Coordinators work in China: office hours there are the promise's clock.
    time_zone = models.CharField(
        max_length=64,
        default="Asia/Shanghai",
        validators=[validate_time_zone],
        help_text="Where the coordinators work; opening and closing times are local to it.",
    )
    opens_at = models.TimeField("opens at", default=time(9, 0))
    closes_at = models.TimeField(
        "closes at",
        default=time(18, 0),
        help_text=(
            "Patients are promised a reply in working days of 8 working hours: with shorter "
            "opening hours, one such day spans more than one day here."
        ),
    )
    monday = models.BooleanField(default=True)
    tuesday = models.BooleanField(default=True)
    wednesday = models.BooleanField(default=True)
    thursday = models.BooleanField(default=True)
    friday = models.BooleanField(default=True)
    saturday = models.BooleanField(default=False)
    sunday = models.BooleanField(default=False)

    objects = WorkingCalendarQuerySet.as_manager()

    class Meta:
        verbose_name = "working calendar"
        verbose_name_plural = "working calendar"

    def __str__(self):
        return "Working calendar"

    def holidays_in_annotation(self):
        """The public holidays read with_holiday_dates()."""
        text = getattr(self, "holiday_dates", None) or ""
        return frozenset(date.fromisoformat(day) for day in text.split(",") if day)

    @classmethod
    def load(cls):
        """The calendar; the migration creates it, and a database without it gets the defaults."""
        calendar, _created = cls.objects.get_or_create(pk=1)
        return calendar

    @property
    def working_weekdays(self):
        return frozenset(
            number for number, name in enumerate(WEEKDAY_FIELDS) if getattr(self, name)
        )

    def clean(self):
        errors = {}
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            errors["closes_at"] = "A working day must close after it opens."
        if not self.working_weekdays:
            errors["monday"] = "Choose at least one working day."
        if errors:
            raise ValidationError(errors)

    def as_calendar(self, holidays=frozenset()):
        from enquiries.sla import Calendar

        return Calendar(
            time_zone=zoneinfo.ZoneInfo(self.time_zone),
            opens=self.opens_at,
            closes=self.closes_at,
            working_weekdays=self.working_weekdays,
            holidays=frozenset(holidays),
        )


class PublicHoliday(models.Model):
    """A day off for the whole office: no working hours count on it."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = "public holiday"
        verbose_name_plural = "public holidays"

    def __str__(self):
        return f"{self.date.isoformat()} {self.name}"
