"""Migration 0009 turns each enquiry's notification columns into two OutgoingEmail rows, keeping
what they said: sent with its time, waiting, retrying or given up, and the attempts made."""

from datetime import UTC, datetime

import pytest

from tests.enquiries import migrations_at
from tests.enquiries.migrations_at import migrate, migrate_to_latest

BEFORE = [("enquiries", "0008_working_calendar")]
AFTER = [("enquiries", "0010_drop_notification_columns")]
SENT_AT = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def old_schema():
    apps = migrate(BEFORE)
    yield apps
    migrate_to_latest()


def old_enquiry(apps, number, **notification):
    return migrations_at.old_enquiry(apps, number, at=SENT_AT, **notification)


@pytest.mark.django_db(transaction=True)
def test_the_notification_columns_become_one_row_per_email(old_schema):
    sent = old_enquiry(
        old_schema,
        1,
        notification_status="sent",
        notification_attempts=1,
        acknowledgement_sent_at=SENT_AT,
        coordinators_notified_at=SENT_AT,
    )
    half = old_enquiry(
        old_schema,
        2,
        notification_status="retrying",
        notification_attempts=2,
        acknowledgement_sent_at=SENT_AT,
    )
    failed = old_enquiry(old_schema, 3, notification_status="failed", notification_attempts=5)
    waiting = old_enquiry(old_schema, 4, notification_status="pending", notification_attempts=0)

    apps = migrate(AFTER)
    OutgoingEmail = apps.get_model("enquiries", "OutgoingEmail")

    def rows(enquiry):
        return {
            (email.kind, email.recipient_role, email.status, email.attempts, email.sent_at)
            for email in OutgoingEmail.objects.filter(enquiry_id=enquiry.pk)
        }

    assert rows(sent) == {
        ("acknowledgement", "patient", "sent", 1, SENT_AT),
        ("coordinators_notification", "coordinators", "sent", 1, SENT_AT),
    }
    assert rows(half) == {
        ("acknowledgement", "patient", "sent", 2, SENT_AT),
        ("coordinators_notification", "coordinators", "retrying", 2, None),
    }
    assert {row[2] for row in rows(failed)} == {"failed"}
    assert {row[2] for row in rows(waiting)} == {"pending"}
    message_ids = OutgoingEmail.objects.values_list("message_id", flat=True)
    assert len(set(message_ids)) == 8
    assert all(message_id.startswith("<") for message_id in message_ids)
