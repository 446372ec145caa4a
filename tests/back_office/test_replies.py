"""Writing to the patient from the enquiry page: the message is stored once, shown on the case
page, on the timeline and in the audit log; the patient gets an email in their language that says
a message is waiting (never its text); the first message records the first reply; enquiries that
take no message say why; only whoever works the enquiry may write."""

import re
import uuid

import pytest
from django.core import mail
from django.urls import reverse

from enquiries.models import (
    AuditEntry,
    CaseLink,
    CaseMessage,
    Enquiry,
    EnquiryEvent,
    OutgoingEmail,
)
from tests.back_office.pages import change_url, reply_form_data, reply_url
from tests.factories import make_enquiry
from tests.tasks import run_ready_tasks

# New for each run: no token, reference or page text holds it by chance.
RUN = uuid.uuid4().hex.translate(str.maketrans("0123456789abcdef", "ghijklmnopqrstuv"))
TEXT = f"Replymark {RUN}: the hospital needs your latest PET-CT report."


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://cart.example.org"


def reply(client, enquiry, text=TEXT, **changes):
    """Writes to the patient the way a coordinator does: the enquiry page's reply form, filled
    in and sent."""
    page = client.get(change_url(enquiry))
    return client.post(reply_url(enquiry), reply_form_data(page, text=text, **changes))


def timeline_of(page):
    """The timeline section of an enquiry page's HTML."""
    return page.split('id="bo-timeline-heading"')[1].split("</section>")[0]


def case_page_links(body):
    return re.findall(r"https://cart\.example\.org(/[\w-]+/case/[\w-]{43}/)", body)


# Sending.


def test_a_coordinators_reply_is_stored_as_theirs_and_back_on_the_enquiry_page(
    login, coordinator, enquiry
):
    client = login(coordinator)

    response = reply(client, enquiry)

    assert response.status_code == 302
    assert response["Location"] == change_url(enquiry) + "#reply"
    message = CaseMessage.objects.get()
    assert (message.enquiry, message.sender, message.author, message.text) == (
        enquiry,
        CaseMessage.Sender.COORDINATOR,
        coordinator,
        TEXT,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Your message was sent." in page
    assert TEXT in page


def test_the_patient_reads_the_reply_on_their_case_page(client, login, coordinator, enquiry):
    reply(login(coordinator), enquiry)

    page = client.get(f"/en/case/{CaseLink.issue(enquiry)}/").content.decode()

    assert TEXT in page
    assert "Your coordinator" in page


def test_the_reply_is_on_the_timeline_with_who_and_in_the_audit_log(login, coordinator, enquiry):
    client = login(coordinator)

    reply(client, enquiry)

    message = CaseMessage.objects.get()
    event = enquiry.events.get(kind=EnquiryEvent.Kind.MESSAGE_TO_PATIENT)
    assert (event.actor, event.details) == (coordinator, {"message": message.pk})
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SENT_MESSAGE_TO_PATIENT)
    assert (entry.actor, entry.enquiry_reference, entry.details) == (
        coordinator,
        enquiry.reference,
        {"message": message.pk},
    )
    timeline = timeline_of(client.get(change_url(enquiry)).content.decode())
    assert re.search(r"Message to the patient</span>\s*<span[^>]*>by Cora Ortiz", timeline)
    assert RUN not in timeline


def test_the_timeline_says_when_the_patient_read_the_reply(client, login, coordinator, enquiry):
    staff = login(coordinator)
    reply(staff, enquiry)

    client.get(f"/en/case/{CaseLink.issue(enquiry)}/")

    message = CaseMessage.objects.get()
    assert message.read_at is not None
    event = enquiry.events.get(kind=EnquiryEvent.Kind.PATIENT_READ_MESSAGES)
    assert (event.actor, event.details, event.created_at) == (
        None,
        {"messages": 1},
        message.read_at,
    )
    timeline = timeline_of(staff.get(change_url(enquiry)).content.decode())
    assert "The patient read 1 message(s) from the coordinators on their case page" in timeline


def test_opening_the_case_page_again_records_no_second_reading(client, login, coordinator, enquiry):
    reply(login(coordinator), enquiry)
    page = f"/en/case/{CaseLink.issue(enquiry)}/"

    client.get(page)
    client.get(page)

    assert enquiry.events.filter(kind=EnquiryEvent.Kind.PATIENT_READ_MESSAGES).count() == 1


# The email.


@pytest.mark.parametrize(
    ("language", "subject", "waiting"),
    [
        ("en", "A message from your coordinator ({})", "Your coordinator has written to you"),
        ("zh-hans", "您的协调员给您发来一条消息（{}）", "您的协调员就您的咨询"),  # noqa: RUF001
        ("ru", "Сообщение от вашего координатора ({})", "пришло сообщение от координатора"),
        ("ar", "رسالة من منسّقك ({})", "كتب إليك منسّقك"),
    ],
)
def test_the_patient_gets_an_email_in_their_language_with_a_fresh_link_and_no_text(
    client, login, coordinator, make, language, subject, waiting
):
    enquiry = make(language=language)
    reply(login(coordinator), enquiry)

    run_ready_tasks()

    (email,) = mail.outbox
    assert email.to == [enquiry.email]
    assert email.subject == subject.format(enquiry.reference)
    assert waiting in email.body
    assert RUN not in email.body and "PET-CT" not in email.body
    (link,) = case_page_links(email.body)
    assert link.startswith(f"/{language}/case/")
    assert TEXT in client.get(link).content.decode()


def test_the_email_is_queued_with_the_message(login, coordinator, enquiry):
    reply(login(coordinator), enquiry)

    email = OutgoingEmail.objects.get()
    assert (email.kind, email.recipient_role, email.status) == (
        OutgoingEmail.Kind.MESSAGE_FROM_COORDINATOR,
        OutgoingEmail.RecipientRole.PATIENT,
        OutgoingEmail.Status.PENDING,
    )


def test_two_replies_before_the_email_goes_out_make_one_email(login, coordinator, enquiry):
    client = login(coordinator)
    reply(client, enquiry, "First part.")
    reply(client, enquiry, "Second part.")

    run_ready_tasks()
    reply(client, enquiry, "A day later.")
    run_ready_tasks()

    assert CaseMessage.objects.count() == 3
    assert len(mail.outbox) == 2


# The first reply.


def test_the_first_message_records_the_first_reply_once(
    login, coordinator, other_coordinator, make
):
    enquiry = make()
    reply(login(coordinator), enquiry, "First.")
    first = CaseMessage.objects.get()

    reply(login(other_coordinator), enquiry, "Second.")

    enquiry.refresh_from_db()
    assert enquiry.first_replied_at == first.sent_at
    [event] = enquiry.events.filter(kind=EnquiryEvent.Kind.FIRST_REPLY_RECORDED)
    assert event.actor == coordinator


def test_a_message_after_a_reply_by_phone_keeps_the_phone_reply_as_the_first(
    login, coordinator, enquiry
):
    enquiry.record_first_reply(by=coordinator)
    by_phone = Enquiry.objects.get(pk=enquiry.pk).first_replied_at

    reply(login(coordinator), enquiry)

    assert Enquiry.objects.get(pk=enquiry.pk).first_replied_at == by_phone
    assert enquiry.events.filter(kind=EnquiryEvent.Kind.FIRST_REPLY_RECORDED).count() == 1


def test_the_first_reply_box_is_only_for_replies_made_another_way(login, coordinator, enquiry):
    page = login(coordinator).get(change_url(enquiry)).content.decode()

    assert "First reply made by phone or another way" in page
    assert "First reply sent</label>" not in page


# Double submits and bad input.


def test_the_same_form_sent_twice_stores_one_message(login, coordinator, enquiry):
    client = login(coordinator)
    data = reply_form_data(client.get(change_url(enquiry)), text=TEXT)

    first = client.post(reply_url(enquiry), data)
    second = client.post(reply_url(enquiry), data, follow=True)

    assert first.status_code == 302
    assert "This message had been sent already: it was not sent twice." in second.content.decode()
    assert CaseMessage.objects.count() == 1
    assert OutgoingEmail.objects.count() == 1
    assert enquiry.events.filter(kind=EnquiryEvent.Kind.MESSAGE_TO_PATIENT).count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SENT_MESSAGE_TO_PATIENT).count() == 1


def test_each_showing_of_the_form_is_a_new_message(login, coordinator, enquiry):
    client = login(coordinator)

    reply(client, enquiry, "Same words.")
    reply(client, enquiry, "Same words.")

    assert CaseMessage.objects.count() == 2


def test_an_empty_reply_gets_a_field_error_and_nothing_is_stored(login, coordinator, enquiry):
    response = reply(login(coordinator), enquiry, text="   ")

    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<ul class="errorlist"[^>]*><li>Write the message to the patient\.', page)
    assert not CaseMessage.objects.exists()
    assert not OutgoingEmail.objects.exists()
    assert not enquiry.events.filter(kind=EnquiryEvent.Kind.MESSAGE_TO_PATIENT).exists()
    assert Enquiry.objects.get(pk=enquiry.pk).first_replied_at is None


def test_a_reply_too_long_keeps_what_was_typed(login, coordinator, enquiry):
    text = " ".join(["Long words."] * 400)

    response = reply(login(coordinator), enquiry, text=text)

    page = response.content.decode()
    assert "Keep the message under 4000 characters (it has 4799)." in page
    assert text in page
    assert not CaseMessage.objects.exists()


def test_a_placeholder_left_in_the_message_is_refused(login, coordinator, enquiry):
    response = reply(login(coordinator), enquiry, text="Dear {first_name}, see {case_link}.")

    page = response.content.decode()
    assert "Write over {first_name}, {case_link} before sending" in page
    assert not CaseMessage.objects.exists()


# Enquiries that take no message.


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"status": Enquiry.Status.CLOSED_TREATED},
            "This enquiry is closed (Closed: treated): give it an open status first",
        ),
        ({"status": Enquiry.Status.SPAM}, "This enquiry is marked as spam"),
        ({"status": Enquiry.Status.CLOSED_WITHDREW, "anonymised": True}, "was anonymised"),
    ],
)
def test_an_enquiry_that_takes_no_message_says_why_and_stores_none(
    login, coordinator, enquiry, change, reason
):
    client = login(coordinator)
    data = reply_form_data(client.get(change_url(enquiry)), text=TEXT)
    Enquiry.objects.filter(pk=enquiry.pk).update(status=change["status"])
    if change.get("anonymised"):
        Enquiry.objects.get(pk=enquiry.pk).anonymise()

    refused = client.post(reply_url(enquiry), data)
    page = client.get(change_url(enquiry)).content.decode()

    assert reason in refused.content.decode()
    assert not CaseMessage.objects.filter(sender=CaseMessage.Sender.COORDINATOR).exists()
    assert not OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.MESSAGE_FROM_COORDINATOR)
    assert reason in page
    assert 'id="reply_form"' not in page


def test_a_refused_reply_keeps_what_was_typed(login, coordinator, enquiry):
    client = login(coordinator)
    data = reply_form_data(client.get(change_url(enquiry)), text=TEXT)
    enquiry.change_status(Enquiry.Status.CLOSED_NO_RESPONSE, by=coordinator)

    page = client.post(reply_url(enquiry), data).content.decode()

    assert TEXT in page


# Who may write.


def test_a_content_editor_cannot_reply(login, content_editor, coordinator, enquiry):
    data = reply_form_data(login(coordinator).get(change_url(enquiry)), text=TEXT)

    response = login(content_editor).post(reply_url(enquiry), data)

    assert response.status_code == 403
    assert login(content_editor).get(reply_url(enquiry)).status_code == 403
    assert not CaseMessage.objects.exists()


def test_whoever_may_only_look_at_an_enquiry_cannot_reply(login, make_staff, coordinator, enquiry):
    from django.contrib.auth.models import Permission

    viewer = make_staff(None, username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_enquiry"))
    data = reply_form_data(login(coordinator).get(change_url(enquiry)), text=TEXT)
    client = login(viewer)

    page = client.get(change_url(enquiry)).content.decode()
    response = client.post(reply_url(enquiry), data)

    assert 'id="reply_form"' not in page
    assert response.status_code == 403
    assert not CaseMessage.objects.exists()


def test_the_reply_page_of_an_unknown_enquiry_is_404(login, coordinator):
    response = login(coordinator).get(reverse("admin:enquiries_enquiry_reply", args=[999999]))

    assert response.status_code == 404


def test_a_reply_needs_the_forms_csrf_token(login, coordinator, enquiry):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    data = reply_form_data(client.get(change_url(enquiry)), text=TEXT)
    data.pop("csrfmiddlewaretoken")

    assert client.post(reply_url(enquiry), data).status_code == 403
    assert not CaseMessage.objects.exists()


def test_no_reply_goes_to_an_enquiry_made_without_a_patients_case_page(login, coordinator):
    # Spam is refused before anything else: the enquiry's patient never gets a case page link.
    enquiry = make_enquiry(status=Enquiry.Status.SPAM)

    page = login(coordinator).get(reply_url(enquiry)).content.decode()

    assert "This enquiry is marked as spam" in page
    assert 'id="reply_form"' not in page
