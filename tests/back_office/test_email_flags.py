"""The back office shows whether an enquiry's emails went out: a flag in the list and on the page
for emails that gave up or are still unsent after ENQUIRY_EMAIL_STUCK_MINUTES (a dead worker, a
mail server down for long), and a list filter that finds them all."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from enquiries import outbox
from enquiries.models import OutgoingEmail
from tests.back_office.pages import change_url, changelist_url

STUCK_FLAG = "Emails: unsent after 45 min"


@pytest.fixture(autouse=True)
def threshold(settings):
    settings.ENQUIRY_EMAIL_STUCK_MINUTES = 45


def queued(make, **statuses):
    """An enquiry with its two emails queued, then given the statuses named by kind."""
    enquiry = make(patient_name=f"Patient {uuid.uuid4().hex}")
    outbox.queue_enquiry_emails(enquiry)
    for kind, status in statuses.items():
        enquiry.emails.filter(kind=kind).update(status=status)
    return enquiry


def test_an_email_unsent_longer_than_the_threshold_is_flagged_in_the_list(login, coordinator, make):
    enquiry = queued(make)
    with time_machine.travel(timezone.now() + timedelta(minutes=44)):
        html = login(coordinator).get(changelist_url()).content.decode()
        assert enquiry.reference in html
        assert STUCK_FLAG not in html
    with time_machine.travel(timezone.now() + timedelta(minutes=46)):
        html = login(coordinator).get(changelist_url()).content.decode()
    assert STUCK_FLAG in html
    assert enquiry.reference in html


def test_an_email_left_sending_by_a_dead_worker_is_flagged_as_stuck(login, coordinator, make):
    queued(make, acknowledgement=OutgoingEmail.Status.SENDING, coordinators_notification="sent")
    with time_machine.travel(timezone.now() + timedelta(minutes=46)):
        html = login(coordinator).get(changelist_url()).content.decode()
    assert STUCK_FLAG in html


def test_sent_emails_are_never_flagged(login, coordinator, make):
    queued(make, acknowledgement="sent", coordinators_notification="sent")
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        html = login(coordinator).get(changelist_url()).content.decode()
    assert "Emails:" not in html


def test_an_email_that_gave_up_is_flagged_at_once(login, coordinator, make):
    queued(make, acknowledgement="sent", coordinators_notification=OutgoingEmail.Status.FAILED)
    html = login(coordinator).get(changelist_url()).content.decode()
    assert "Emails: Failed, gave up" in html


def test_the_filter_lists_only_enquiries_with_stuck_or_failed_emails(login, coordinator, make):
    stuck = queued(make)
    failed = queued(make, acknowledgement="sent", coordinators_notification="failed")
    fine = queued(make, acknowledgement="sent", coordinators_notification="sent")
    with time_machine.travel(timezone.now() + timedelta(minutes=46)):
        recent = queued(make)  # queued a moment ago: not stuck yet
        html = login(coordinator).get(changelist_url(emails="trouble")).content.decode()
    assert stuck.reference in html
    assert failed.reference in html
    assert fine.reference not in html
    assert recent.reference not in html


def test_the_enquiry_page_shows_each_email_with_its_status_and_message_id(login, coordinator, make):
    enquiry = queued(make, acknowledgement="sent")
    acknowledgement = enquiry.emails.get(kind="acknowledgement")
    with time_machine.travel(timezone.now() + timedelta(minutes=46)):
        html = login(coordinator).get(change_url(enquiry)).content.decode()
    assert STUCK_FLAG in html
    assert "Coordinators&#x27; notification" in html
    assert "Waiting to be sent" in html
    assert acknowledgement.message_id.strip("<>") in html
