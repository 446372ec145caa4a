"""What "overdue" means, with the clock frozen: the first-reply promise and follow-up dates."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from enquiries.models import Enquiry
from tests.back_office.pages import changelist_url

RECEIVED = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)  # a Monday, 17:00 in Shanghai
# 8 working hours (09:00-18:00 Shanghai): 1 on Monday, 7 on Tuesday: 16:00 in Shanghai.
DUE = datetime(2030, 3, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def received(make):
    return make(submitted_at=RECEIVED)


def overdue_refs():
    return set(Enquiry.objects.overdue().values_list("reference", flat=True))


def test_the_promise_counts_working_hours_of_the_calendar(received):
    assert received.first_reply_due_at == DUE


def test_unanswered_within_the_promise_is_not_overdue(received):
    with time_machine.travel(DUE - timedelta(minutes=1), tick=False):
        assert not received.is_overdue()
        assert overdue_refs() == set()


def test_unanswered_after_the_promise_is_overdue(received):
    with time_machine.travel(DUE + timedelta(minutes=1), tick=False):
        assert received.is_overdue()
        assert overdue_refs() == {received.reference}


def test_a_first_reply_ends_the_promise(received, coordinator):
    received.record_first_reply(by=coordinator, at=RECEIVED + timedelta(hours=2))
    with time_machine.travel(RECEIVED + timedelta(days=3), tick=False):
        assert not received.is_overdue()
        assert overdue_refs() == set()


def test_a_follow_up_is_late_after_the_close_of_its_working_day(received, coordinator):
    received.record_first_reply(by=coordinator, at=RECEIVED)
    received.schedule_follow_up(date(2030, 3, 6), by=coordinator)  # a Wednesday
    # 18:00 in Shanghai is 10:00 UTC.
    with time_machine.travel(datetime(2030, 3, 6, 9, 59, tzinfo=UTC), tick=False):
        assert not received.is_overdue()
        assert overdue_refs() == set()
    with time_machine.travel(datetime(2030, 3, 6, 10, 1, tzinfo=UTC), tick=False):
        assert received.is_overdue()
        assert overdue_refs() == {received.reference}


@pytest.mark.parametrize("status", sorted(Enquiry.CLOSED_STATUSES))
def test_closed_and_spam_are_never_overdue(received, coordinator, make, status):
    if status == Enquiry.Status.DUPLICATE:
        # "Duplicate" names the enquiry of the same person that goes on.
        received.close_as_duplicate_of(make(email=received.email), by=coordinator)
    else:
        received.change_status(status, by=coordinator)
    with time_machine.travel(RECEIVED + timedelta(days=30), tick=False):
        assert not received.is_overdue()
        # (The enquiry a duplicate goes on in is open, and may well be overdue.)
        assert received.reference not in overdue_refs()


def test_the_list_flags_and_filters_overdue_enquiries(login, coordinator, received, make):
    with time_machine.travel(RECEIVED + timedelta(hours=30), tick=False):
        fresh = make()
        client = login(coordinator)
        html = client.get(changelist_url()).content.decode()
        assert html.count('class="bo-flag bo-flag-overdue"') == 1
        filtered = client.get(changelist_url(overdue="yes")).content.decode()
        assert received.reference in filtered
        assert fresh.reference not in filtered


def test_the_list_says_why_an_enquiry_is_overdue(make, login, coordinator):
    late_reply = make(submitted_at=RECEIVED, email="late.reply@example.org")
    late_follow_up = make(submitted_at=RECEIVED, email="late.follow.up@example.org")
    late_follow_up.record_first_reply(by=coordinator, at=RECEIVED)
    late_follow_up.schedule_follow_up(date(2030, 3, 5), by=coordinator)

    with time_machine.travel(datetime(2030, 3, 6, 12, 0, tzinfo=UTC), tick=False):
        html = login(coordinator).get(changelist_url()).content.decode()

    rows = {
        enquiry.reference: html[html.index(enquiry.reference) :].split("</tr>", 1)[0]
        for enquiry in (late_reply, late_follow_up)
    }
    assert "First reply promised by" in rows[late_reply.reference]
    assert "Follow-up was due on" in rows[late_follow_up.reference]
    assert "First reply promised by" not in rows[late_follow_up.reference]


def test_the_list_does_not_flag_a_saturday_enquiry_on_sunday(make, login, coordinator):
    shanghai = ZoneInfo("Asia/Shanghai")
    saturday = make(submitted_at=datetime(2030, 3, 9, 10, 0, tzinfo=shanghai))

    with time_machine.travel(datetime(2030, 3, 10, 23, 0, tzinfo=shanghai), tick=False):
        client = login(coordinator)
        html = client.get(changelist_url()).content.decode()
        filtered = client.get(changelist_url(overdue="yes")).content.decode()
    assert saturday.reference in html
    assert 'class="bo-flag bo-flag-overdue"' not in html
    assert saturday.reference not in filtered

    # Monday 09:00 + 8 working hours: overdue from 17:00.
    with time_machine.travel(datetime(2030, 3, 11, 17, 1, tzinfo=shanghai), tick=False):
        html = login(coordinator).get(changelist_url()).content.decode()
    assert html.count('class="bo-flag bo-flag-overdue"') == 1
