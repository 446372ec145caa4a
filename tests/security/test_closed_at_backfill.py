"""The migration that adds closed_at dates enquiries closed before it from their last status
change into that status, or from when they arrived."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("enquiries", "0005_data_protection")]
AFTER = [("enquiries", "0006_closed_at_and_data_protection_roles")]
ARRIVED = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_closed_enquiries_get_the_date_they_were_closed():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    Enquiry = old_apps.get_model("enquiries", "Enquiry")
    EnquiryEvent = old_apps.get_model("enquiries", "EnquiryEvent")

    def enquiry(reference, status):
        return Enquiry.objects.create(
            reference=reference,
            submission_token=uuid.uuid4(),
            language="en",
            relationship="patient",
            patient_name="A",
            birth_year=1970,
            country="CZ",
            email="a@example.org",
            status=status,
            submitted_at=ARRIVED,
            first_reply_due_at=ARRIVED,
        )

    closed = enquiry("CT-0000-0001", "closed_treated")
    for days, new in [(10, "in_review"), (20, "closed_treated"), (30, "closed_treated")]:
        EnquiryEvent.objects.create(
            enquiry=closed,
            kind="status_changed",
            created_at=ARRIVED + timedelta(days=days),
            details={"old": "x", "new": new},
        )
    closed_silently = enquiry("CT-0000-0002", "spam")
    still_open = enquiry("CT-0000-0003", "in_review")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    Enquiry = executor.loader.project_state(AFTER).apps.get_model("enquiries", "Enquiry")

    assert Enquiry.objects.get(pk=closed.pk).closed_at == ARRIVED + timedelta(days=30)
    assert Enquiry.objects.get(pk=closed_silently.pk).closed_at == ARRIVED
    assert Enquiry.objects.get(pk=still_open.pk).closed_at is None
