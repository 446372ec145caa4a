"""The first-reply deadline of a sent enquiry, with the clock frozen: only the working calendar's
hours count (Monday to Friday, 09:00-18:00 in Shanghai, 8 working hours by default), public
holidays included, and the deadlines still ahead of coordinators follow a change of calendar."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from enquiries.models import Enquiry, PublicHoliday, WorkingCalendar
from portal import page_cache
from tests.factories import make_enquiry, valid_form_data

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY_17_00 = datetime(2026, 12, 4, 17, 0, tzinfo=SHANGHAI)
SATURDAY_10_00 = datetime(2026, 12, 5, 10, 0, tzinfo=SHANGHAI)
SUNDAY_23_00 = datetime(2026, 12, 6, 23, 0, tzinfo=SHANGHAI)
MONDAY = date(2026, 12, 7)


def shanghai(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def send_at(submit, moment):
    with time_machine.travel(moment, tick=False):
        submit(valid_form_data())
    return Enquiry.objects.get()


def test_the_migration_creates_the_working_calendar_of_the_coordinators_in_china():
    calendar = WorkingCalendar.objects.get()

    assert calendar.time_zone == "Asia/Shanghai"
    assert (calendar.opens_at, calendar.closes_at) == (time(9), time(18))
    assert calendar.working_weekdays == {0, 1, 2, 3, 4}
    assert not PublicHoliday.objects.exists()


def test_an_enquiry_sent_on_friday_at_17_00_is_due_on_monday_at_16_00(submit):
    enquiry = send_at(submit, FRIDAY_17_00)

    assert enquiry.first_reply_due_at == shanghai(7, 16)


def test_an_enquiry_sent_on_saturday_is_due_on_monday_at_17_00(submit):
    enquiry = send_at(submit, SATURDAY_10_00)

    assert enquiry.first_reply_due_at == shanghai(7, 17)


def test_a_public_holiday_on_monday_moves_the_deadline_to_tuesday(submit):
    PublicHoliday.objects.create(date=MONDAY, name="Office closed")

    enquiry = send_at(submit, FRIDAY_17_00)

    assert enquiry.first_reply_due_at == shanghai(8, 16)


def test_the_deadline_follows_the_promise_setting(submit, settings):
    settings.FIRST_REPLY_PROMISE_WORKING_HOURS = 16

    enquiry = send_at(submit, FRIDAY_17_00)

    # 1 hour on Friday, 9 on Monday, 6 on Tuesday.
    assert enquiry.first_reply_due_at == shanghai(8, 15)


def test_a_saturday_enquiry_is_not_overdue_on_sunday_but_is_on_monday_evening(submit):
    enquiry = send_at(submit, SATURDAY_10_00)

    with time_machine.travel(SUNDAY_23_00, tick=False):
        assert not enquiry.is_overdue()
        assert not Enquiry.objects.overdue().exists()
    with time_machine.travel(shanghai(7, 17, 1), tick=False):
        assert enquiry.is_overdue()
        assert list(Enquiry.objects.overdue()) == [enquiry]


class TestACalendarChange:
    @pytest.fixture
    def waiting(self):
        return make_enquiry(submitted_at=FRIDAY_17_00, email="waiting@example.org")

    @pytest.fixture
    def answered(self):
        enquiry = make_enquiry(submitted_at=FRIDAY_17_00, email="answered@example.org")
        Enquiry.objects.filter(pk=enquiry.pk).update(first_replied_at=shanghai(7, 10))
        return enquiry

    @pytest.fixture
    def closed(self):
        return make_enquiry(
            submitted_at=FRIDAY_17_00, email="closed@example.org", status="closed_withdrew"
        )

    def deadline(self, enquiry):
        enquiry.refresh_from_db(fields=["first_reply_due_at"])
        return enquiry.first_reply_due_at

    def test_new_hours_move_the_deadline_of_an_enquiry_waiting_for_its_first_reply(self, waiting):
        calendar = WorkingCalendar.load()
        calendar.opens_at = time(10)
        calendar.save()

        # 1 hour on Friday, 7 on Monday from 10:00.
        assert self.deadline(waiting) == shanghai(7, 17)

    def test_answered_and_closed_enquiries_keep_the_deadline_they_were_held_to(
        self, answered, closed
    ):
        PublicHoliday.objects.create(date=MONDAY, name="Office closed")

        assert self.deadline(answered) == shanghai(7, 16)
        assert self.deadline(closed) == shanghai(7, 16)

    def test_adding_a_holiday_moves_a_waiting_deadline_and_removing_it_moves_it_back(self, waiting):
        holiday = PublicHoliday.objects.create(date=MONDAY, name="Office closed")
        assert self.deadline(waiting) == shanghai(8, 16)

        holiday.delete()
        assert self.deadline(waiting) == shanghai(7, 16)

    def test_it_makes_every_cached_page_stale(self):
        before = page_cache.content_version()

        PublicHoliday.objects.create(date=MONDAY, name="Office closed")

        assert page_cache.content_version() != before


def test_the_coordinators_email_gives_the_deadline_in_the_calendars_time(settings, mailoutbox):
    from enquiries import notifications

    settings.ENQUIRY_NOTIFICATION_EMAILS = ["coordinators@example.org"]
    enquiry = make_enquiry(submitted_at=FRIDAY_17_00)

    notifications.send_coordinators_notification(enquiry)

    (message,) = mailoutbox
    assert "First reply due by 2026-12-07 16:00 CST." in message.body
    assert enquiry.first_reply_due_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
