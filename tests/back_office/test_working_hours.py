"""Deadlines in working hours, with the clock frozen across a weekend and a public holiday: when a
follow-up is due, the enquiry's next deadline, and how far it is in the words a coordinator reads
on the list and the enquiry page. (The working calendar's admin is in test_working_calendar.py,
"overdue" itself in test_overdue.py.)"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enquiries import sla
from enquiries.admin import EnquiryAdmin
from enquiries.admin.enquiry import due_in_words
from enquiries.models import Enquiry, NextDue, PublicHoliday
from tests.back_office.pages import change_url, changelist_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The shipped calendar: Monday to Friday, 09:00-18:00 in Shanghai; the promise is 8 working hours.
CALENDAR = sla.Calendar(
    time_zone=SHANGHAI,
    opens=time(9),
    closes=time(18),
    working_weekdays=frozenset(range(5)),
)
FRIDAY = date(2026, 12, 4)
SATURDAY, SUNDAY, MONDAY, TUESDAY = (FRIDAY + timedelta(days=n) for n in (1, 2, 3, 4))
WITH_MONDAY_OFF = sla.Calendar(
    time_zone=SHANGHAI,
    opens=time(9),
    closes=time(18),
    working_weekdays=frozenset(range(5)),
    holidays=frozenset({MONDAY}),
)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def words(due, now, calendar=CALENDAR):
    return due_in_words(due, now, calendar)


# The arithmetic, pure.


def test_a_follow_up_on_a_working_day_is_due_at_its_close():
    assert sla.follow_up_due(FRIDAY, CALENDAR) == at(FRIDAY, 18)


def test_a_follow_up_on_a_saturday_is_due_at_mondays_close():
    assert sla.follow_up_due(SATURDAY, CALENDAR) == at(MONDAY, 18)
    assert sla.follow_up_due(SUNDAY, CALENDAR) == at(MONDAY, 18)


def test_a_follow_up_on_a_holiday_is_due_at_the_next_working_days_close():
    assert sla.follow_up_due(MONDAY, WITH_MONDAY_OFF) == at(TUESDAY, 18)
    assert sla.follow_up_due(SATURDAY, WITH_MONDAY_OFF) == at(TUESDAY, 18)


def test_the_follow_up_deadline_is_an_instant_in_utc():
    assert sla.follow_up_due(FRIDAY, CALENDAR) == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    assert sla.follow_up_due(FRIDAY, CALENDAR).tzinfo == UTC


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(MONDAY, 13), "due in 3 working hours"),
        (at(MONDAY, 15, 20), "due in 40 working minutes"),
        (at(MONDAY, 15, 59), "due in 1 working minute"),
        (at(MONDAY, 14, 30), "due in 1 working hour"),
        # Under a minute of working time left.
        (
            at(
                MONDAY,
                15,
                59,
            )
            + timedelta(seconds=30),
            "due within a working minute",
        ),
        # Friday 15:00 to Monday 16:00: 3 working hours on Friday, 7 on Monday.
        (at(FRIDAY, 15), "due in 1 working day"),
        # Thursday 10:00: 8 on Thursday, 9 on Friday, 7 on Monday.
        (at(FRIDAY - timedelta(days=1), 10), "due in 3 working days"),
        (at(MONDAY, 17), "overdue by 1 working hour"),
        (at(MONDAY, 16, 1), "overdue by 1 working minute"),
        (at(MONDAY, 16, 30), "overdue by 30 working minutes"),
        # The evening after closing adds nothing to the 2 hours until 18:00.
        (at(MONDAY, 20), "overdue by 2 working hours"),
        (at(TUESDAY, 17), "overdue by 1 working day"),
        (at(TUESDAY + timedelta(days=1), 17), "overdue by 2 working days"),
    ],
)
def test_how_far_a_deadline_is_in_working_time(now, expected):
    assert words(at(MONDAY, 16), now) == expected


def test_a_weekend_does_not_count_towards_being_late():
    due = at(FRIDAY, 16)
    # Friday 16:00-18:00 and Monday 09:00-10:00.
    assert words(due, at(MONDAY, 10)) == "overdue by 3 working hours"
    # Friday 2 hours, Monday 8: a working day late, three calendar days after.
    assert words(due, at(MONDAY, 17)) == "overdue by 1 working day"


def test_a_deadline_passed_after_closing_is_overdue_with_no_working_time_since():
    assert words(at(FRIDAY, 18), at(FRIDAY, 20)) == "overdue"
    assert words(at(FRIDAY, 18), at(SUNDAY, 12)) == "overdue"


def test_a_holiday_does_not_count_either():
    due = at(FRIDAY, 16)
    assert words(due, at(TUESDAY, 10), WITH_MONDAY_OFF) == "overdue by 3 working hours"
    assert words(due, at(TUESDAY, 10), CALENDAR) == "overdue by 1 working day"


# The enquiry's deadlines, with the calendar in the database.


@pytest.fixture
def friday_evening(make):
    """An enquiry received on Friday at 17:00 in Shanghai: the promise of 8 working hours is
    kept by Monday 16:00 (1 hour on Friday, 7 on Monday)."""
    return make(submitted_at=at(FRIDAY, 17))


def test_friday_evenings_enquiry_is_due_on_monday_afternoon(friday_evening):
    assert friday_evening.first_reply_due_at == at(MONDAY, 16)
    with time_machine.travel(at(SATURDAY, 12), tick=False):
        due = friday_evening.next_due()
        assert due.at == at(MONDAY, 16)
        assert due.kind == Enquiry.OverdueReason.FIRST_REPLY
        # Nothing of the weekend counts: Monday 09:00-16:00 is all that is left.
        assert words(due.at, at(SATURDAY, 12)) == "due in 7 working hours"


def test_with_monday_a_holiday_it_is_due_on_tuesday(make):
    PublicHoliday.objects.create(date=MONDAY, name="Office closed")
    enquiry = make(submitted_at=at(FRIDAY, 17))
    assert enquiry.first_reply_due_at == at(TUESDAY, 16)
    with time_machine.travel(at(MONDAY, 12), tick=False):
        assert not enquiry.is_overdue()
        assert not Enquiry.objects.overdue().exists()


def test_a_follow_up_scheduled_for_a_saturday_is_due_at_mondays_close(enquiry, coordinator):
    enquiry.record_first_reply(by=coordinator)
    enquiry.schedule_follow_up(SATURDAY, by=coordinator)
    enquiry.refresh_from_db()
    assert enquiry.follow_up_due_at == at(MONDAY, 18)
    with time_machine.travel(at(MONDAY, 17, 59), tick=False):
        assert not enquiry.is_overdue()
        assert not Enquiry.objects.overdue().exists()
    with time_machine.travel(at(MONDAY, 18, 1), tick=False):
        assert enquiry.overdue_reason() == Enquiry.OverdueReason.FOLLOW_UP
        assert list(Enquiry.objects.overdue()) == [enquiry]


def test_clearing_the_follow_up_clears_its_deadline(enquiry, coordinator):
    enquiry.schedule_follow_up(SATURDAY, by=coordinator)
    enquiry.schedule_follow_up(None, by=coordinator)
    enquiry.refresh_from_db()
    assert enquiry.follow_up_due_at is None


def test_an_enquiry_made_with_a_follow_up_date_gets_its_deadline(make):
    assert make(next_follow_up_on=SATURDAY).follow_up_due_at == at(MONDAY, 18)


def test_a_holiday_added_later_moves_the_follow_up_deadline(login, lead, enquiry, coordinator):
    enquiry.schedule_follow_up(SATURDAY, by=coordinator)

    response = login(lead).post(
        reverse("admin:enquiries_publicholiday_add"), {"date": MONDAY, "name": "Office closed"}
    )

    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.follow_up_due_at == at(TUESDAY, 18)


def test_the_next_deadline_is_the_earlier_of_the_two(friday_evening, coordinator):
    friday_evening.schedule_follow_up(FRIDAY, by=coordinator)
    assert friday_evening.next_due() == NextDue(at(FRIDAY, 18), Enquiry.OverdueReason.FOLLOW_UP)
    friday_evening.schedule_follow_up(TUESDAY, by=coordinator)
    assert friday_evening.next_due().kind == Enquiry.OverdueReason.FIRST_REPLY
    friday_evening.record_first_reply(by=coordinator)
    assert friday_evening.next_due() == NextDue(at(TUESDAY, 18), Enquiry.OverdueReason.FOLLOW_UP)


def test_nothing_is_due_once_answered_without_a_follow_up_or_closed(friday_evening, coordinator):
    friday_evening.schedule_follow_up(TUESDAY, by=coordinator)
    friday_evening.change_status(Enquiry.Status.CLOSED_WITHDREW, by=coordinator)
    assert friday_evening.next_due() is None
    friday_evening.change_status(Enquiry.Status.IN_REVIEW, by=coordinator)
    friday_evening.schedule_follow_up(None, by=coordinator)
    friday_evening.record_first_reply(by=coordinator)
    assert friday_evening.next_due() is None


# What the list and the page show.


def row_of(html, enquiry):
    return html[html.index(enquiry.reference) :].split("</tr>", 1)[0]


def test_the_list_says_when_the_next_deadline_falls(login, coordinator, friday_evening):
    with time_machine.travel(at(SATURDAY, 12), tick=False):
        html = login(coordinator).get(changelist_url()).content.decode()
    row = row_of(html, friday_evening)
    assert (
        '<time datetime="2026-12-07T08:00:00+00:00" title="First reply due 2026-12-07 08:00"'
        ' class="bo-due">due in 7 working hours</time>'
    ) in row


def test_the_list_marks_an_overdue_deadline(login, coordinator, friday_evening):
    with time_machine.travel(at(TUESDAY, 17), tick=False):
        html = login(coordinator).get(changelist_url()).content.decode()
    assert 'class="bo-due bo-due-overdue">overdue by 1 working day</time>' in row_of(
        html, friday_evening
    )


def test_the_list_flag_and_the_overdue_filter_agree_on_a_follow_up(login, coordinator, make):
    answered = make(submitted_at=at(FRIDAY, 10), email="followed.up@example.org")
    answered.record_first_reply(by=coordinator, at=at(FRIDAY, 11))
    answered.schedule_follow_up(SATURDAY, by=coordinator)
    for moment, late in ((at(MONDAY, 17, 59), False), (at(MONDAY, 18, 1), True)):
        with time_machine.travel(moment, tick=False):
            client = login(coordinator)
            html = client.get(changelist_url()).content.decode()
            filtered = client.get(changelist_url(overdue="yes")).content.decode()
        assert ("bo-flag-overdue" in row_of(html, answered)) is late
        assert ("bo-due-overdue" in row_of(html, answered)) is late
        assert (answered.reference in filtered) is late


def test_the_list_orders_by_the_next_deadline(login, coordinator, make):
    later = make(submitted_at=at(FRIDAY, 17), email="later@example.org")
    sooner = make(submitted_at=at(FRIDAY, 10), email="sooner@example.org")
    # Answered, with a follow-up due before either first reply:
    # its first-reply deadline, Monday 16:30, is the latest, but no longer counts.
    followed = make(submitted_at=at(FRIDAY, 17, 30), email="followed@example.org")
    followed.record_first_reply(by=coordinator)
    followed.schedule_follow_up(FRIDAY - timedelta(days=1), by=coordinator)
    column = ["action_checkbox", *EnquiryAdmin.list_display].index("next_due")

    html = login(coordinator).get(changelist_url(o=column)).content.decode()

    positions = [html.index(enquiry.reference) for enquiry in (followed, sooner, later)]
    assert positions == sorted(positions)


def test_the_enquiry_page_says_it_next_to_the_first_reply_deadline(
    login, coordinator, friday_evening
):
    with time_machine.travel(at(SATURDAY, 12), tick=False):
        html = login(coordinator).get(change_url(friday_evening)).content.decode()
    assert "field-next_due" in html
    workflow = html[html.index("field-first_reply_due_at") :]
    assert workflow.index("field-next_due") < workflow.index("field-first_reply_sent")
    assert "due in 7 working hours</time>" in workflow


def test_the_list_loads_the_calendar_once_whatever_the_rows(
    login, coordinator, make, django_assert_num_queries
):
    PublicHoliday.objects.create(date=MONDAY, name="Office closed")
    client = login(coordinator)

    def add(count, start):
        for number in range(start, start + count):
            enquiry = make(email=f"p{number}@example.org", patient_name=f"Patient {number}")
            enquiry.schedule_follow_up(SATURDAY, by=coordinator)

    add(3, 0)
    client.get(changelist_url())  # fills the cached list of countries, as any earlier visit would
    with CaptureQueriesContext(connection) as with_3:
        client.get(changelist_url())
    add(30, 3)
    with django_assert_num_queries(len(with_3), info="enquiry list with 33 rows due"):
        html = client.get(changelist_url()).content.decode()
    assert html.count('class="bo-due') == 33


def day_by_day(start, end, calendar):
    """Working time from `start` to `end`, counted one day at a time (how sla used to count)."""
    total, day = timedelta(0), calendar.local_date(start)
    while day <= calendar.local_date(end):
        hours = calendar.working_hours_on(day)
        if hours is not None:
            begin, finish = max(start, hours[0]), min(end, hours[1])
            total += max(finish - begin, timedelta(0))
        day += timedelta(days=1)
    return total


def test_long_spans_count_the_same_as_day_by_day_across_holidays_and_clock_changes():
    # Berlin changes its clocks inside these hours (02:00 to 03:00 in March, back in October),
    # and a list page asks the same calendar about many spans, in any order.
    berlin = ZoneInfo("Europe/Berlin")
    calendar = sla.Calendar(
        time_zone=berlin,
        opens=time(1),
        closes=time(11),
        working_weekdays=frozenset({0, 1, 2, 3, 6}),
        holidays=frozenset({date(2026, 3, 29), date(2026, 12, 25), date(2027, 1, 1)}),
    )
    instants = [
        datetime(2025, 11, 3, 7, 30, tzinfo=berlin),
        datetime(2026, 3, 26, 0, 15, tzinfo=berlin),
        datetime(2026, 3, 29, 4, 0, tzinfo=berlin),
        datetime(2026, 3, 30, 12, 0, tzinfo=berlin),
        datetime(2026, 10, 25, 2, 30, tzinfo=UTC),
        datetime(2027, 2, 14, 10, 59, tzinfo=berlin),
        datetime(2024, 6, 1, 9, 0, tzinfo=berlin),
    ]
    for start in instants:
        for end in instants:
            expected = day_by_day(min(start, end), max(start, end), calendar)
            if end < start:
                expected = -expected
            assert sla.working_time_between(start, end, calendar) == expected, (start, end)
