"""Migration 0012 moves the first-reply deadline of enquiries still waiting for it from the old
rule (24 calendar hours, set before 0008 brought the working calendar) to working hours of the
calendar, holidays included; answered and closed enquiries keep theirs."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.enquiries import migrations_at
from tests.enquiries.migrations_at import migrate, migrate_to_latest

BEFORE = [("enquiries", "0011_messenger_id")]
AFTER = [("enquiries", "0012_first_reply_deadlines_in_working_hours")]
# Saturday 9 May 2026, 10:00 in Shanghai, where the calendar 0008 creates works Monday to Friday,
# 09:00-18:00.
SATURDAY = datetime(2026, 5, 9, 2, 0, tzinfo=UTC)
OLD_RULE_DUE = SATURDAY + timedelta(hours=24)  # Sunday: overdue before anyone is at work
HOLIDAY = date(2026, 5, 11)  # the Monday
# Eight working hours from Tuesday 09:00 in Shanghai.
TUESDAY_17_00_SHANGHAI = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)


@pytest.fixture
def old_schema():
    apps = migrate(BEFORE)
    yield apps
    migrate_to_latest()


def old_enquiry(apps, number, **fields):
    return migrations_at.old_enquiry(
        apps, number, at=SATURDAY, first_reply_due_at=OLD_RULE_DUE, **fields
    )


@pytest.mark.django_db(transaction=True)
def test_waiting_enquiries_get_deadlines_in_working_hours_and_the_others_keep_theirs(
    old_schema, settings
):
    settings.FIRST_REPLY_PROMISE_WORKING_HOURS = 8
    # The row 0008 created; another transactional test's flush may have emptied the table.
    old_schema.get_model("enquiries", "WorkingCalendar").objects.get_or_create(pk=1)
    old_schema.get_model("enquiries", "PublicHoliday").objects.create(
        date=HOLIDAY, name="Labour Day, moved"
    )
    waiting = old_enquiry(old_schema, 1)
    in_review = old_enquiry(old_schema, 2, status="in_review")
    answered = old_enquiry(old_schema, 3, first_replied_at=SATURDAY + timedelta(hours=1))
    closed = old_enquiry(old_schema, 4, status="closed_withdrew")
    spam = old_enquiry(old_schema, 5, status="spam")

    apps = migrate(AFTER)
    Enquiry = apps.get_model("enquiries", "Enquiry")
    due = dict(Enquiry.objects.values_list("pk", "first_reply_due_at"))

    assert due[waiting.pk] == TUESDAY_17_00_SHANGHAI
    assert due[in_review.pk] == TUESDAY_17_00_SHANGHAI
    assert due[answered.pk] == OLD_RULE_DUE
    assert due[closed.pk] == OLD_RULE_DUE
    assert due[spam.pk] == OLD_RULE_DUE
