"""Health data stays in the portal: no email we send, to the patient or to the coordinators,
carries what the patient wrote, named or sent (answers, messages, file names); the patient's
emails link to their case page, the coordinators' to the back office."""

import re
import uuid

import pytest
from django.core import mail
from django.urls import reverse

from enquiries import replies
from enquiries.models import CaseLink, Enquiry
from tests.factories import pdf_file
from tests.security.markers import RUN, TEXT_MARKERS, marker_form_data
from tests.tasks import run_ready_tasks

pytestmark = pytest.mark.django_db

MESSAGE_TEXT = f"Messagemark {RUN}"
UPLOAD_NAME = f"Uploadmark-{RUN}.pdf"
# The patient's own address is where their emails go: it may be in the To header, nowhere else.
NEVER_IN_AN_EMAIL = [value for name, value in TEXT_MARKERS.items() if name != "email"] + [
    MESSAGE_TEXT,
    UPLOAD_NAME,
    RUN,
]


def test_no_email_about_an_enquiry_carries_what_the_patient_wrote_or_sent(
    client, submit, settings, stored_files
):
    settings.SITE_URL = "https://cart.example.org"
    assert submit(marker_form_data()).status_code == 302
    enquiry = Enquiry.objects.get()
    token = CaseLink.issue(enquiry)
    page = f"/en/case/{token}/"
    client.get(page)
    client.post(page, {"text": MESSAGE_TEXT, "form_token": "0b9c6f9e-6a8c-4f4e-9a55-3f0e0d1f4a11"})
    client.post(f"{page}files/", {"files": [pdf_file(UPLOAD_NAME)]})
    client.post(reverse("case:find"), {"email": enquiry.email, "reference": enquiry.reference})
    run_ready_tasks()

    subjects = {message.subject for message in mail.outbox}
    assert len(mail.outbox) == 4, subjects  # acknowledgement, new enquiry, news, fresh link
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        leaked = [marker for marker in NEVER_IN_AN_EMAIL if marker.casefold() in text.casefold()]
        assert leaked == [], message.subject
    patient_emails = [message for message in mail.outbox if message.to == [enquiry.email]]
    assert len(patient_emails) == 2
    for message in patient_emails:
        assert re.search(r"https://cart\.example\.org/en/case/[\w-]{43}/", message.body)


def test_the_email_about_a_coordinators_message_carries_none_of_it(
    submit, settings, coordinator, stored_files
):
    settings.SITE_URL = "https://cart.example.org"
    assert submit(marker_form_data()).status_code == 302
    run_ready_tasks()
    mail.outbox.clear()
    enquiry = Enquiry.objects.get()
    reply = f"Replymark {RUN}: the hospital wants your PET-CT and your bone marrow report."

    replies.send_reply(enquiry, reply, by=coordinator, form_token=uuid.uuid4())
    run_ready_tasks()

    (message,) = mail.outbox
    assert message.to == [enquiry.email]
    text = f"{message.subject}\n{message.body}"
    leaked = [
        marker for marker in [*NEVER_IN_AN_EMAIL, reply] if marker.casefold() in text.casefold()
    ]
    assert leaked == []
    assert "PET-CT" not in text
    assert re.search(r"https://cart\.example\.org/en/case/[\w-]{43}/", message.body)
