"""The service promise's arithmetic, without a database: working hours across evenings, weekends,
public holidays and clock changes, and the promise in words in every language."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from enquiries.sla import (
    Calendar,
    add_working_hours,
    working_days_between,
    working_hours_between,
    working_time_between,
)
from portal.service_promise import promise_in_words

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
MONDAY_TO_FRIDAY = frozenset(range(5))
# Friday 2026-12-04; the following Monday is 2026-12-07.
MONDAY = date(2026, 12, 7)


def office(holidays=(), zone=SHANGHAI, opens=time(9), closes=time(18), days=MONDAY_TO_FRIDAY):
    return Calendar(zone, opens, closes, frozenset(days), frozenset(holidays))


def at(day, hour, minute=0, zone=SHANGHAI):
    """A local wall-clock time in `zone`, as an aware datetime."""
    return datetime(2026, 12, day, hour, minute, tzinfo=zone)


def same_instant(first, second):
    return first.astimezone(UTC) == second.astimezone(UTC)


class TestAddingWorkingHours:
    @pytest.mark.parametrize(
        ("sent", "due", "why"),
        [
            (at(4, 17), at(7, 16), "Friday 17:00: one hour on Friday, seven on Monday"),
            (at(5, 10), at(7, 17), "Saturday: the clock starts on Monday at 09:00"),
            (at(6, 23, 30), at(7, 17), "late on Sunday: Monday 09:00 + 8"),
            (at(2, 10), at(2, 18), "Wednesday 10:00: the same day at closing"),
            (at(2, 11), at(3, 10), "Wednesday 11:00: seven hours, then one on Thursday"),
            (at(2, 7), at(2, 17), "before opening: from 09:00"),
            (at(2, 18, 30), at(3, 17), "after closing: from the next opening"),
            (at(2, 18), at(3, 17), "exactly at closing: nothing is left that day"),
        ],
    )
    def test_only_working_hours_count(self, sent, due, why):
        assert same_instant(add_working_hours(sent, 8, office()), due), why

    def test_a_public_holiday_on_monday_moves_a_friday_deadline_to_tuesday(self):
        due = add_working_hours(at(4, 17), 8, office(holidays=[MONDAY]))

        assert same_instant(due, at(8, 16))

    def test_a_public_holiday_on_monday_moves_a_saturday_deadline_to_tuesday(self):
        due = add_working_hours(at(5, 10), 8, office(holidays=[MONDAY]))

        assert same_instant(due, at(8, 17))

    def test_a_promise_longer_than_a_day_spans_several_working_days(self):
        due = add_working_hours(at(4, 17), 20, office())

        # 1 on Friday, 9 on Monday, 9 on Tuesday, 1 on Wednesday.
        assert same_instant(due, at(9, 10))

    def test_the_deadline_is_in_utc(self):
        due = add_working_hours(at(4, 17), 8, office())

        assert due == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
        assert due.utcoffset() == timedelta(0)

    def test_no_working_hours_add_nothing(self):
        assert same_instant(add_working_hours(at(5, 10), 0, office()), at(5, 10))

    def test_it_refuses_negative_hours_and_naive_datetimes(self):
        with pytest.raises(ValueError, match="negative"):
            add_working_hours(at(4, 17), -1, office())
        with pytest.raises(ValueError, match="aware"):
            add_working_hours(datetime(2026, 12, 4, 17, 0), 8, office())


class TestClockChanges:
    def test_a_friday_deadline_across_the_spring_change_is_at_16_00_local_time(self):
        # New York moves its clocks forward on Sunday 2026-03-08: EST (UTC-5) to EDT (UTC-4).
        sent = datetime(2026, 3, 6, 17, 0, tzinfo=NEW_YORK)

        due = add_working_hours(sent, 8, office(zone=NEW_YORK))

        assert due == datetime(2026, 3, 9, 20, 0, tzinfo=UTC)
        assert due.astimezone(NEW_YORK).hour == 16

    def test_a_friday_deadline_across_the_autumn_change_is_at_16_00_local_time(self):
        # Back to EST on Sunday 2026-11-01.
        sent = datetime(2026, 10, 30, 17, 0, tzinfo=NEW_YORK)

        due = add_working_hours(sent, 8, office(zone=NEW_YORK))

        assert due == datetime(2026, 11, 2, 21, 0, tzinfo=UTC)

    def test_working_hours_that_lose_an_hour_to_the_clock_count_only_real_time(self):
        # London skips 01:00-02:00 on Sunday 2026-03-29; a night shift 00:00-04:00 every day has
        # three real hours that night, so four hours end at 01:00 on Monday.
        night = office(zone=LONDON, opens=time(0), closes=time(4), days=range(7))
        sent = datetime(2026, 3, 29, 0, 0, tzinfo=LONDON)
        end_of_shift = datetime(2026, 3, 29, 4, 0, tzinfo=LONDON)

        assert working_time_between(sent, end_of_shift, night) == timedelta(hours=3)
        # 01:00 British Summer Time is midnight in UTC.
        assert add_working_hours(sent, 4, night) == datetime(2026, 3, 30, 0, 0, tzinfo=UTC)


class TestWorkingTimeBetween:
    def test_it_counts_only_working_hours(self):
        assert working_time_between(at(4, 17), at(7, 16), office()) == timedelta(hours=8)

    def test_a_holiday_counts_nothing(self):
        calendar = office(holidays=[MONDAY])

        assert working_hours_between(at(4, 9), at(8, 18), calendar) == 18

    def test_it_is_negative_when_the_end_is_earlier(self):
        assert working_hours_between(at(7, 16), at(4, 17), office()) == -8

    def test_across_a_clock_change_a_working_day_is_still_nine_hours(self):
        friday = datetime(2026, 3, 6, 9, 0, tzinfo=NEW_YORK)
        monday = datetime(2026, 3, 9, 18, 0, tzinfo=NEW_YORK)

        assert working_hours_between(friday, monday, office(zone=NEW_YORK)) == 18

    @pytest.mark.parametrize(
        ("start", "end", "holidays", "days"),
        [
            (at(4, 17), at(7, 9), [], 1),
            (at(4, 17), at(8, 9), [MONDAY], 1),
            (at(2, 9), at(2, 17), [], 0),
            (at(7, 9), at(4, 17), [], -1),
            (at(4, 17), at(11, 17), [], 5),
        ],
    )
    def test_working_days_count_the_working_dates_after_the_start(self, start, end, holidays, days):
        assert working_days_between(start, end, office(holidays=holidays)) == days

    def test_working_days_follow_the_calendars_time_zone(self):
        # 23:00 UTC on Sunday is already Monday morning in Shanghai: no working day in between.
        sunday_night_utc = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)

        assert working_days_between(sunday_night_utc, at(7, 17), office()) == 0


def test_a_calendar_needs_a_working_day_and_hours_that_end_after_they_begin():
    with pytest.raises(ValueError, match="weekday"):
        office(days=[])
    with pytest.raises(ValueError, match="close after"):
        office(opens=time(18), closes=time(9))


@pytest.mark.parametrize(
    ("language", "hours", "words"),
    [
        ("en", 8, "within one working day"),
        ("en", 16, "within 2 working days"),
        ("en", 12, "within 12 working hours"),
        ("en", 1, "within 1 working hour"),
        ("zh-hans", 8, "在一个工作日内"),
        ("zh-hans", 4, "在4个工作小时内"),
        ("ru", 8, "в течение одного рабочего дня"),
        ("ru", 16, "в течение 2 рабочих дней"),
        ("ru", 40, "в течение 5 рабочих дней"),
        ("ru", 4, "в течение 4 рабочих часов"),
        ("ar", 8, "خلال يوم عمل واحد"),
        ("ar", 16, "خلال يومي عمل"),
        ("ar", 24, "خلال 3 أيام عمل"),
        ("ar", 4, "خلال 4 ساعات عمل"),
    ],
)
def test_the_promise_in_words_is_whole_working_days_or_working_hours(language, hours, words):
    with translation.override(language):
        assert promise_in_words(hours) == words


def test_the_promise_in_words_follows_the_setting(settings):
    settings.FIRST_REPLY_PROMISE_WORKING_HOURS = 24

    assert promise_in_words() == "within 3 working days"
