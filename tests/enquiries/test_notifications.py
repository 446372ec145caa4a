"""The emails after a submission: one row and one task per email, sent by the task worker exactly
once, retried with back-off, never lost."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from enquiries import notifications, outbox
from enquiries.models import EnquiryEvent, OutgoingEmail
from enquiries.tasks import send_email, send_enquiry_notifications
from tests.factories import make_enquiry, valid_form_data
from tests.tasks import run_ready_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def coordinators(settings):
    settings.ENQUIRY_NOTIFICATION_EMAILS = ["coordinators@example.org"]
    settings.SITE_URL = "https://cart.example.org"
    settings.ENQUIRY_NOTIFICATION_MAX_ATTEMPTS = 3
    settings.ENQUIRY_NOTIFICATION_RETRY_SECONDS = 60
    settings.TASK_RUNNING_TIMEOUT_SECONDS = 1800


@pytest.fixture
def mail_server_down(monkeypatch):
    """Every email fails as an unreachable SMTP server would make it fail."""

    def refuse(*args, **kwargs):
        raise smtplib.SMTPConnectError(421, "mail.example.org unavailable")

    monkeypatch.setattr(notifications, "send", refuse)


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


def email_row(kind):
    return OutgoingEmail.objects.get(kind=kind)


def waiting_tasks(email):
    """The email's tasks queued to run at a given time (a retry, a later look)."""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, args_kwargs__args=[email.pk]
    ).exclude(run_after=get_date_max())


ACKNOWLEDGEMENT = OutgoingEmail.Kind.ACKNOWLEDGEMENT
COORDINATORS = OutgoingEmail.Kind.COORDINATORS_NOTIFICATION


def test_the_email_rows_and_their_tasks_are_written_in_the_enquiry_transaction(submit):
    submit()
    emails = OutgoingEmail.objects.all()
    assert sorted((email.kind, email.recipient_role, email.status) for email in emails) == [
        ("acknowledgement", "patient", "pending"),
        ("coordinators_notification", "coordinators", "pending"),
    ]
    tasks = DBTaskResult.objects.all()
    assert sorted(task.args_kwargs["args"] for task in tasks) == sorted([e.pk] for e in emails)
    assert mail.outbox == []


def test_no_email_row_or_task_survives_a_rolled_back_enquiry():
    with pytest.raises(DatabaseError), transaction.atomic():
        outbox.queue_enquiry_emails(make_enquiry())
        raise DatabaseError("rolled back")
    assert not OutgoingEmail.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_the_worker_sends_the_patient_an_acknowledgement_with_the_reference(submit):
    submit(valid_form_data(email="anna@example.org"))
    run_ready_tasks()
    (message,) = emails_to("anna@example.org")
    reference = OutgoingEmail.objects.first().enquiry.reference
    assert reference in message.subject
    assert reference in message.body
    assert "replies within one working day" in message.body


def test_the_worker_notifies_the_coordinators_with_a_link_to_the_admin(submit):
    submit()
    run_ready_tasks()
    enquiry = email_row(COORDINATORS).enquiry
    (message,) = emails_to("coordinators@example.org")
    admin_path = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
    assert enquiry.reference in message.subject
    assert f"https://cart.example.org{admin_path}" in message.body


def test_each_email_carries_the_message_id_its_row_chose_before_sending(submit):
    submit(valid_form_data(email="anna@example.org"))
    chosen = {email.kind: email.message_id for email in OutgoingEmail.objects.all()}
    run_ready_tasks()
    (acknowledgement,) = emails_to("anna@example.org")
    (notification,) = emails_to("coordinators@example.org")
    assert acknowledgement.message()["Message-ID"] == chosen[ACKNOWLEDGEMENT]
    assert notification.message()["Message-ID"] == chosen[COORDINATORS]


def test_the_emails_carry_no_health_details_or_names(submit):
    submit(
        valid_form_data(
            patient_name="Markername",
            medical_summary="Markersummary",
            diagnosis="multiple_myeloma",
            diagnosis_details="Markerdiagnosis",
        )
    )
    run_ready_tasks()
    for message in mail.outbox:
        text = message.subject + message.body
        for marker in ["Markername", "Markersummary", "Markerdiagnosis", "myeloma"]:
            assert marker not in text


def test_the_acknowledgement_is_written_in_the_patients_language(monkeypatch):
    enquiry = make_enquiry(language="de")
    languages = []
    original = notifications._render

    def record_language(*args):
        from django.utils import translation

        languages.append(translation.get_language())
        return original(*args)

    monkeypatch.setattr(notifications, "_render", record_language)
    notifications.send_acknowledgement(enquiry)
    assert languages == ["de"]


def test_each_email_is_marked_sent_on_its_row_and_the_timeline(submit):
    submit()
    run_ready_tasks()
    for email in OutgoingEmail.objects.all():
        assert email.status == OutgoingEmail.Status.SENT
        assert email.sent_at is not None
        assert email.attempts == 1
    sent = EnquiryEvent.objects.filter(kind=EnquiryEvent.Kind.NOTIFICATION_SENT)
    assert sorted(e.details["recipient"] for e in sent) == ["coordinators", "patient"]


def test_a_task_run_again_after_its_email_was_sent_sends_nothing(submit):
    submit()
    run_ready_tasks()
    sent = len(mail.outbox)
    for email in OutgoingEmail.objects.all():
        send_email.call(email.pk)
    assert len(mail.outbox) == sent == 2


def test_a_failing_mail_server_never_loses_or_blocks_the_enquiry(submit, mail_server_down):
    response = submit()
    run_ready_tasks()
    assert response.status_code == 302
    assert OutgoingEmail.objects.count() == 2


def test_a_failed_send_is_recorded_without_personal_data(submit, mail_server_down):
    submit()
    run_ready_tasks()
    for email in OutgoingEmail.objects.all():
        assert email.status == OutgoingEmail.Status.RETRYING
        assert email.last_error == "SMTPConnectError"
    failed = EnquiryEvent.objects.filter(kind=EnquiryEvent.Kind.NOTIFICATION_FAILED)
    assert sorted(e.details["recipient"] for e in failed) == ["coordinators", "patient"]
    assert failed[0].details["error"] == "SMTPConnectError"
    assert "anna@example.org" not in str([e.details for e in failed])


def test_a_failed_send_is_retried_after_a_growing_delay(submit, mail_server_down):
    submit()
    acknowledgement = email_row(ACKNOWLEDGEMENT)
    with time_machine.travel(timezone.now(), tick=False):
        run_ready_tasks()
        retry = waiting_tasks(acknowledgement).get()
        assert retry.run_after == timezone.now() + timedelta(seconds=60)
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        run_ready_tasks()
        third = waiting_tasks(acknowledgement).get()
        assert third.run_after == timezone.now() + timedelta(seconds=240)


def test_a_retry_is_not_run_before_its_time(submit, mail_server_down):
    submit()
    with time_machine.travel(timezone.now(), tick=False):
        assert run_ready_tasks() == 2
        assert run_ready_tasks() == 0


def test_after_the_last_attempt_it_gives_up_visibly(submit, mail_server_down):
    submit()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _attempt in range(3):
            run_ready_tasks()
            clock.shift(timedelta(hours=2))
        assert run_ready_tasks() == 0
    for email in OutgoingEmail.objects.all():
        assert email.status == OutgoingEmail.Status.FAILED
        assert email.attempts == 3
    last = EnquiryEvent.objects.filter(kind=EnquiryEvent.Kind.NOTIFICATION_FAILED).last()
    assert last.details["gave_up"] is True


def test_a_retry_sends_only_the_email_that_failed(submit, monkeypatch):
    submit(valid_form_data(email="anna@example.org"))
    real_send = notifications.send

    def coordinators_unreachable(subject, body, recipients, message_id, mailer=None):
        if "coordinators@example.org" in recipients:
            raise smtplib.SMTPRecipientsRefused({})
        return real_send(subject, body, recipients, message_id, mailer)

    monkeypatch.setattr(notifications, "send", coordinators_unreachable)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        run_ready_tasks()
        monkeypatch.setattr(notifications, "send", real_send)
        clock.shift(timedelta(minutes=2))
        run_ready_tasks()
    assert len(emails_to("anna@example.org")) == 1
    assert len(emails_to("coordinators@example.org")) == 1
    assert email_row(COORDINATORS).attempts == 2
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_retry_after_a_timeout_keeps_the_message_id_so_a_second_copy_is_recognisable(
    submit, monkeypatch
):
    submit(valid_form_data(email="anna@example.org"))
    real_send = notifications.send
    answered = []

    def accepted_but_answer_lost(subject, body, recipients, message_id, mailer=None):
        # The server takes the message, but its answer never reaches us.
        real_send(subject, body, recipients, message_id, mailer)
        if not answered:
            answered.append(message_id)
            raise TimeoutError

    monkeypatch.setattr(notifications, "send", accepted_but_answer_lost)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        run_ready_tasks()
        clock.shift(timedelta(minutes=2))
        run_ready_tasks()
    first, second = emails_to("anna@example.org")
    assert first.message()["Message-ID"] == second.message()["Message-ID"]
    assert first.message()["Message-ID"] == email_row(ACKNOWLEDGEMENT).message_id


def test_a_task_run_while_another_worker_is_sending_waits_instead_of_sending(submit):
    submit()
    email = email_row(ACKNOWLEDGEMENT)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.SENDING, attempts=1, last_attempt_at=timezone.now()
    )
    with time_machine.travel(timezone.now(), tick=False):
        send_email.call(email.pk)
        later = waiting_tasks(email).get()
        assert later.run_after == email_row(ACKNOWLEDGEMENT).last_attempt_at + timedelta(
            seconds=1800
        )
    assert emails_to("anna@example.org") == []
    assert email_row(ACKNOWLEDGEMENT).status == OutgoingEmail.Status.SENDING


def test_an_email_left_sending_by_a_dead_worker_is_sent_again_under_the_same_message_id(submit):
    submit(valid_form_data(email="anna@example.org"))
    email = email_row(ACKNOWLEDGEMENT)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.SENDING,
        attempts=1,
        last_attempt_at=timezone.now() - timedelta(seconds=1801),
    )
    send_email.call(email.pk)
    (message,) = emails_to("anna@example.org")
    assert message.message()["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, 2)
    interrupted = EnquiryEvent.objects.get(kind=EnquiryEvent.Kind.NOTIFICATION_FAILED)
    assert interrupted.details == {"recipient": "patient", "attempt": 1, "error": "WorkerStopped"}


def test_a_task_queued_before_the_outbox_hands_on_the_unsent_emails(submit):
    submit(valid_form_data(email="anna@example.org"))
    enquiry = email_row(ACKNOWLEDGEMENT).enquiry
    run_ready_tasks()
    OutgoingEmail.objects.filter(kind=COORDINATORS).update(status=OutgoingEmail.Status.PENDING)
    mail.outbox.clear()
    send_enquiry_notifications.enqueue(enquiry.pk, 2)
    run_ready_tasks()
    assert emails_to("anna@example.org") == []
    assert len(emails_to("coordinators@example.org")) == 1


def test_the_admin_shows_whether_the_notifications_went_out(submit, admin_client, mail_server_down):
    submit()
    run_ready_tasks()
    html = admin_client.get(reverse("admin:enquiries_enquiry_changelist")).content.decode()
    assert "Emails: Failed, will retry" in html


class RecordsStatusesAtGoodbye(locmem.EmailBackend):
    """A mailer that notes the emails' statuses when its connection is closed (SMTP's QUIT)."""

    statuses_at_close = []

    def close(self):
        RecordsStatusesAtGoodbye.statuses_at_close.append(
            dict(OutgoingEmail.objects.values_list("kind", "status"))
        )
        super().close()


def test_an_email_is_recorded_sent_before_the_goodbye_to_the_mail_server(settings, submit):
    # A worker killed between the server's "250" and QUIT must find the email already SENT.
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RecordsStatusesAtGoodbye"}}
    RecordsStatusesAtGoodbye.statuses_at_close = []
    submit()
    acknowledgement = email_row(ACKNOWLEDGEMENT)
    send_email.call(acknowledgement.pk)
    assert RecordsStatusesAtGoodbye.statuses_at_close == [
        {ACKNOWLEDGEMENT: "sent", COORDINATORS: "pending"}
    ]
