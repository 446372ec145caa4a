"""One rule decides which emails a coordinator should know about (given up, or unsent after
ENQUIRY_EMAIL_STUCK_MINUTES): the query the list filter and flags use, and the test of one loaded
row the enquiry page uses, must agree for every status and age."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from enquiries.models import OutgoingEmail
from tests.factories import make_enquiry

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_the_query_and_the_loaded_row_agree_on_which_emails_need_attention(settings):
    settings.ENQUIRY_EMAIL_STUCK_MINUTES = 45
    enquiry = make_enquiry()
    ages = [timedelta(minutes=minutes) for minutes in (1, 44, 46, 60 * 24)]
    emails = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(
            enquiry=enquiry,
            kind=OutgoingEmail.Kind.ACKNOWLEDGEMENT,
            recipient_role=OutgoingEmail.RecipientRole.PATIENT,
            status=status,
            created_at=NOW - age,
            message_id=f"<{uuid.uuid4().hex}@example.org>",
        )
        for status in OutgoingEmail.Status.values
        for age in ages
    )

    by_query = set(OutgoingEmail.objects.needing_attention(NOW).values_list("pk", flat=True))
    by_row = {email.pk for email in emails if email.needs_attention(NOW)}

    assert by_query == by_row
    expected = {
        (status, age)
        for status in OutgoingEmail.Status.values
        for age in ages
        if status == "failed" or (status != "sent" and age > timedelta(minutes=45))
    }
    assert {(email.status, NOW - email.created_at) for email in emails if email.pk in by_row} == (
        expected
    )
