"""Migration 0019 gives every enquiry with a follow-up date its deadline: the close of that date's
working day in the calendar (or of the next working day), holidays included."""

from datetime import UTC, date, datetime

import pytest

from tests.enquiries import migrations_at
from tests.enquiries.migrations_at import migrate, migrate_to_latest

BEFORE = [("enquiries", "0018_leads_erase_rather_than_delete")]
AFTER = [("enquiries", "0019_follow_up_deadlines_in_working_hours")]
RECEIVED = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)
SATURDAY = date(2026, 5, 9)
HOLIDAY = date(2026, 5, 11)  # the Monday after
# 18:00 in Shanghai, where the calendar 0008 creates works Monday to Friday, 09:00-18:00.
TUESDAY_CLOSE = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
WEDNESDAY_CLOSE = datetime(2026, 5, 13, 10, 0, tzinfo=UTC)


@pytest.fixture
def old_schema():
    apps = migrate(BEFORE)
    yield apps
    migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_follow_up_dates_get_their_deadline_at_the_close_of_a_working_day(old_schema):
    # The row 0008 created; another transactional test's flush may have emptied the table.
    old_schema.get_model("enquiries", "WorkingCalendar").objects.get_or_create(pk=1)
    old_schema.get_model("enquiries", "PublicHoliday").objects.create(
        date=HOLIDAY, name="Labour Day, moved"
    )
    on_saturday = migrations_at.old_enquiry(old_schema, 1, at=RECEIVED, next_follow_up_on=SATURDAY)
    on_wednesday = migrations_at.old_enquiry(
        old_schema, 2, at=RECEIVED, next_follow_up_on=date(2026, 5, 13), status="closed_withdrew"
    )
    without = migrations_at.old_enquiry(old_schema, 3, at=RECEIVED)

    apps = migrate(AFTER)
    due = dict(apps.get_model("enquiries", "Enquiry").objects.values_list("pk", "follow_up_due_at"))

    assert due[on_saturday.pk] == TUESDAY_CLOSE
    # Closed ones too: "overdue" never counts them, but the column says what the date meant.
    assert due[on_wednesday.pk] == WEDNESDAY_CLOSE
    assert due[without.pk] is None
