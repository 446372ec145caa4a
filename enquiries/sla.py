"""The service promise: working-calendar arithmetic, the first-reply deadline, and the promise in
words for patients.

The arithmetic is pure (a Calendar in, instants out) so it can be tested without a database. Each
working day's hours are wall-clock times in the calendar's time zone, turned into UTC instants
before any arithmetic: subtracting two aware datetimes that share a tzinfo ignores a DST change
between them, and a deadline computed that way would be an hour off.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache

from portal import page_cache
from portal.service_promise import promise_hours


@dataclass
class _RunningTotals:
    """A calendar's working time per day, summed from an anchor day (see Calendar)."""

    lowest: date | None = None
    highest: date | None = None
    by_day: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Calendar:
    """When coordinators work: the same hours on each working weekday (0 = Monday), local to
    time_zone, except on holidays."""

    time_zone: ZoneInfo
    opens: time
    closes: time
    working_weekdays: frozenset[int]
    holidays: frozenset[date] = field(default_factory=frozenset)
    # Filled as arithmetic asks; not part of what the calendar is (equality, hash).
    _running_totals: _RunningTotals = field(
        default_factory=_RunningTotals, init=False, repr=False, compare=False
    )

    def __post_init__(self):
        if not self.working_weekdays:
            raise ValueError("A working calendar needs at least one working weekday.")
        if self.opens >= self.closes:
            raise ValueError("A working day must close after it opens.")

    def is_working_day(self, day):
        return day.weekday() in self.working_weekdays and day not in self.holidays

    def working_hours_on(self, day):
        """The day's working hours as UTC instants (opening, closing), or None on a day off."""
        if not self.is_working_day(day):
            return None
        opening = datetime.combine(day, self.opens, tzinfo=self.time_zone).astimezone(UTC)
        closing = datetime.combine(day, self.closes, tzinfo=self.time_zone).astimezone(UTC)
        # A clock change inside the working hours can only shorten them, never reverse them.
        return (opening, closing) if opening < closing else None

    def local_date(self, instant):
        return _as_utc(instant).astimezone(self.time_zone).date()

    def working_time_of_days(self, first, last):
        """The working time of the whole days from `first` to `last`, both included (none when
        `last` is earlier)."""
        if last < first:
            return timedelta(0)
        return self._running_total(last) - self._running_total(first - timedelta(days=1))

    def _running_total(self, day):
        # The working time of the days after an anchor through `day` (negative before it),
        # filled in one day at a time on both sides as far as asked: each day is computed once
        # for this calendar.
        totals = self._running_totals
        if totals.lowest is None:
            totals.lowest = totals.highest = day
            totals.by_day[day] = timedelta(0)
        while day > totals.highest:
            previous = totals.by_day[totals.highest]
            totals.highest += timedelta(days=1)
            totals.by_day[totals.highest] = previous + self._length_of(totals.highest)
        while day < totals.lowest:
            following = totals.by_day[totals.lowest]
            totals.by_day[totals.lowest - timedelta(days=1)] = following - self._length_of(
                totals.lowest
            )
            totals.lowest -= timedelta(days=1)
        return totals.by_day[day]

    def _length_of(self, day):
        hours = self.working_hours_on(day)
        return hours[1] - hours[0] if hours else timedelta(0)


def _as_utc(instant):
    if instant.tzinfo is None:
        raise ValueError("Working-time arithmetic needs aware datetimes.")
    return instant.astimezone(UTC)


def add_working_time(start, duration, calendar):
    """The instant (in UTC) when `duration` of working time has passed after `start`. Time outside
    working hours does not count: the clock starts at the next opening."""
    if duration < timedelta(0):
        raise ValueError("Working time to add must not be negative.")
    start = _as_utc(start)
    if not duration:
        return start
    remaining = duration
    day = calendar.local_date(start)
    # Holidays are finite and at least one weekday works, so this ends.
    while True:
        hours = calendar.working_hours_on(day)
        if hours is not None:
            opening, closing = hours
            begin = max(start, opening)
            if begin < closing:
                available = closing - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)


def add_working_hours(start, hours, calendar):
    return add_working_time(start, timedelta(hours=hours), calendar)


def working_time_between(start, end, calendar):
    """Working time from `start` to `end`; negative when `end` is earlier (how overdue)."""
    start, end = _as_utc(start), _as_utc(end)
    if end < start:
        return -working_time_between(end, start, calendar)
    first, last = calendar.local_date(start), calendar.local_date(end)
    if first == last:
        return _working_time_on(first, start, end, calendar)
    # The days in between count whole, from running totals the calendar keeps: a list page asks
    # this of every row, some of them months overdue.
    return (
        _working_time_on(first, start, end, calendar)
        + calendar.working_time_of_days(first + timedelta(days=1), last - timedelta(days=1))
        + _working_time_on(last, start, end, calendar)
    )


def _working_time_on(day, start, end, calendar):
    """The working time of `day` between the instants `start` and `end`."""
    hours = calendar.working_hours_on(day)
    if hours is None:
        return timedelta(0)
    begin, finish = max(start, hours[0]), min(end, hours[1])
    return finish - begin if begin < finish else timedelta(0)


def working_hours_between(start, end, calendar):
    """Working hours from `start` to `end` as a float; negative when `end` is earlier."""
    return working_time_between(start, end, calendar) / timedelta(hours=1)


def working_days_between(start, end, calendar):
    """Working days after `start`'s local date up to and including `end`'s (Friday to Monday is
    one); negative when `end` is earlier."""
    first, last = calendar.local_date(start), calendar.local_date(end)
    if last < first:
        return -working_days_between(end, start, calendar)
    days = (first + timedelta(days=offset) for offset in range(1, (last - first).days + 1))
    return sum(1 for day in days if calendar.is_working_day(day))


def follow_up_due(on, calendar):
    """When a follow-up scheduled on the date `on` is due: at the close of that working day in
    the calendar's time zone, or of the next working day when `on` is a day off (a follow-up set
    for a Saturday is Monday's work)."""
    day = on
    # Holidays are finite and at least one weekday works, so this ends.
    while (hours := calendar.working_hours_on(day)) is None:
        day += timedelta(days=1)
    return hours[1]


# The calendar as read from the database, for every enquiry page, list page and new enquiry: kept
# in the shared cache, forgotten when a lead changes it (calendar_changed), and read again after
# CALENDAR_CACHE_SECONDS at the latest (a cache that missed the change, a process's own memory).
CALENDAR_CACHE_KEY = "enquiries:working-calendar"
CALENDAR_CACHE_SECONDS = 300


def current_calendar():
    """The working calendar leads edit in the admin, with every public holiday: one query when
    the cache does not hold it, none when it does."""
    stored = cache.get(CALENDAR_CACHE_KEY)
    if stored is None:
        stored = _read_calendar()
        cache.set(CALENDAR_CACHE_KEY, stored, CALENDAR_CACHE_SECONDS)
    time_zone, opens, closes, weekdays, holidays = stored
    return Calendar(
        time_zone=ZoneInfo(time_zone),
        opens=opens,
        closes=closes,
        working_weekdays=frozenset(weekdays),
        holidays=frozenset(holidays),
    )


def _read_calendar():
    """The calendar's row and holidays in one query, as plain values the cache can hold."""
    from enquiries.working_calendar import WorkingCalendar

    row = WorkingCalendar.objects.with_holiday_dates().filter(pk=1).first()
    if row is None:
        # The migration creates it; a database without it gets the defaults.
        row = WorkingCalendar.objects.with_holiday_dates().get(pk=WorkingCalendar.load().pk)
    return (
        row.time_zone,
        row.opens_at,
        row.closes_at,
        sorted(row.working_weekdays),
        sorted(row.holidays_in_annotation()),
    )


def first_reply_due(submitted_at, calendar=None):
    """When the first reply to an enquiry received at `submitted_at` is due."""
    return add_working_hours(submitted_at, promise_hours(), calendar or current_calendar())


def recompute_open_deadlines():
    """Moves the deadlines of every open enquiry (the first reply's while it waits for one, the
    follow-up's) to what the calendar says now; answered and closed enquiries keep the deadline
    they were held to. Returns how many changed."""
    from enquiries.models import Enquiry

    return len(move_deadlines(Enquiry.objects.open(), current_calendar()))


def move_deadlines(enquiries, calendar):
    """Sets the first-reply deadline of each of `enquiries` still waiting for its first reply,
    and the follow-up deadline of each with a follow-up date, to what `calendar` says; returns
    the primary keys of the enquiries that changed."""
    return move_first_reply_deadlines(enquiries, calendar) | move_follow_up_deadlines(
        enquiries, calendar
    )


def move_first_reply_deadlines(enquiries, calendar):
    """Sets the first-reply deadline of each of `enquiries` still waiting for its first reply to
    what `calendar` says; returns the primary keys of those that changed. Any Enquiry queryset
    will do, a migration's historical model's included."""
    waiting = enquiries.filter(first_replied_at__isnull=True)
    changed = []
    for enquiry in waiting.only("pk", "submitted_at", "first_reply_due_at").iterator():
        due = first_reply_due(enquiry.submitted_at, calendar)
        if due != enquiry.first_reply_due_at:
            enquiry.first_reply_due_at = due
            changed.append(enquiry)
    enquiries.model._default_manager.bulk_update(changed, ["first_reply_due_at"], batch_size=500)
    return {enquiry.pk for enquiry in changed}


def move_follow_up_deadlines(enquiries, calendar):
    """Sets the follow-up deadline of each of `enquiries` with a follow-up date to what
    `calendar` says; returns the primary keys of those that changed."""
    following_up = enquiries.filter(next_follow_up_on__isnull=False)
    changed = []
    for enquiry in following_up.only("pk", "next_follow_up_on", "follow_up_due_at").iterator():
        due = follow_up_due(enquiry.next_follow_up_on, calendar)
        if due != enquiry.follow_up_due_at:
            enquiry.follow_up_due_at = due
            changed.append(enquiry)
    enquiries.model._default_manager.bulk_update(changed, ["follow_up_due_at"], batch_size=500)
    return {enquiry.pk for enquiry in changed}


def calendar_changed(**kwargs):
    """A lead changed the working calendar or a holiday (a signal receiver): deadlines still
    ahead of a coordinator follow at once, and cached pages showing the promise go stale."""
    cache.delete(CALENDAR_CACHE_KEY)
    recompute_open_deadlines()
    page_cache.bump_version()
