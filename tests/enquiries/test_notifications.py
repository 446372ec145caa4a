"""The emails after a submission: sent by the task worker, retried with back-off, never lost."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from enquiries import notifications
from enquiries.models import Enquiry, EnquiryEvent
from enquiries.tasks import send_enquiry_notifications
from tests.enquiries.conftest import make_enquiry, run_ready_tasks, valid_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def coordinators(settings):
    settings.ENQUIRY_NOTIFICATION_EMAILS = ["coordinators@example.org"]
    settings.SITE_URL = "https://cart.example.org"
    settings.ENQUIRY_NOTIFICATION_MAX_ATTEMPTS = 3
    settings.ENQUIRY_NOTIFICATION_RETRY_SECONDS = 60


@pytest.fixture
def mail_server_down(monkeypatch):
    """Every email fails as an unreachable SMTP server would make it fail."""

    def refuse(*args, **kwargs):
        raise smtplib.SMTPConnectError(421, "mail.example.org unavailable")

    monkeypatch.setattr(notifications, "send_mail", refuse)


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


def test_the_task_row_is_written_in_the_enquiry_transaction(submit):
    submit()
    enquiry = Enquiry.objects.get()
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [enquiry.pk], "kwargs": {}}
    assert mail.outbox == []


def test_no_task_row_survives_a_rolled_back_enquiry():
    with pytest.raises(DatabaseError), transaction.atomic():
        enquiry = make_enquiry()
        send_enquiry_notifications.enqueue(enquiry.pk)
        raise DatabaseError("rolled back")
    assert not DBTaskResult.objects.exists()


def test_the_worker_sends_the_patient_an_acknowledgement_with_the_reference(submit):
    submit(valid_form_data(email="anna@example.org"))
    run_ready_tasks()
    (message,) = emails_to("anna@example.org")
    reference = Enquiry.objects.get().reference
    assert reference in message.subject
    assert reference in message.body
    assert "replies within one working day" in message.body


def test_the_worker_notifies_the_coordinators_with_a_link_to_the_admin(submit):
    submit()
    run_ready_tasks()
    enquiry = Enquiry.objects.get()
    (message,) = emails_to("coordinators@example.org")
    admin_path = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
    assert enquiry.reference in message.subject
    assert f"https://cart.example.org{admin_path}" in message.body


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


def test_sent_notifications_are_marked_on_the_enquiry_and_its_timeline(submit):
    submit()
    run_ready_tasks()
    enquiry = Enquiry.objects.get()
    assert enquiry.notification_status == Enquiry.NotificationStatus.SENT
    assert enquiry.acknowledgement_sent_at and enquiry.coordinators_notified_at
    sent = EnquiryEvent.objects.filter(kind=EnquiryEvent.Kind.NOTIFICATION_SENT)
    assert sorted(e.details["recipient"] for e in sent) == ["coordinators", "patient"]


def test_a_failing_mail_server_never_loses_or_blocks_the_enquiry(submit, mail_server_down):
    response = submit()
    run_ready_tasks()
    assert response.status_code == 302
    assert Enquiry.objects.count() == 1


def test_a_failed_send_is_recorded_without_personal_data(submit, mail_server_down):
    submit()
    run_ready_tasks()
    enquiry = Enquiry.objects.get()
    failed = EnquiryEvent.objects.filter(kind=EnquiryEvent.Kind.NOTIFICATION_FAILED)
    assert enquiry.notification_status == Enquiry.NotificationStatus.RETRYING
    assert sorted(e.details["recipient"] for e in failed) == ["coordinators", "patient"]
    assert failed[0].details["error"] == "SMTPConnectError"
    assert "anna@example.org" not in str([e.details for e in failed])


def test_a_failed_send_is_retried_after_a_growing_delay(submit, mail_server_down):
    submit()
    with time_machine.travel(timezone.now(), tick=False):
        run_ready_tasks()
        retry = DBTaskResult.objects.get(args_kwargs__args=[Enquiry.objects.get().pk, 2])
        assert retry.run_after == timezone.now() + timedelta(seconds=60)
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        run_ready_tasks()
        third = DBTaskResult.objects.get(args_kwargs__args=[Enquiry.objects.get().pk, 3])
        assert third.run_after == timezone.now() + timedelta(seconds=240)


def test_a_retry_is_not_run_before_its_time(submit, mail_server_down):
    submit()
    with time_machine.travel(timezone.now(), tick=False):
        assert run_ready_tasks() == 1
        assert run_ready_tasks() == 0


def test_after_the_last_attempt_it_gives_up_visibly(submit, mail_server_down):
    submit()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _attempt in range(3):
            run_ready_tasks()
            clock.shift(timedelta(hours=2))
        assert run_ready_tasks() == 0
    enquiry = Enquiry.objects.get()
    assert enquiry.notification_status == Enquiry.NotificationStatus.FAILED
    assert enquiry.notification_attempts == 3
    last = EnquiryEvent.objects.filter(kind=EnquiryEvent.Kind.NOTIFICATION_FAILED).last()
    assert last.details["gave_up"] is True


def test_a_retry_sends_only_the_email_that_failed(submit, monkeypatch):
    submit(valid_form_data(email="anna@example.org"))
    real_send_mail = notifications.send_mail

    def coordinators_unreachable(subject, body, sender, recipients):
        if "coordinators@example.org" in recipients:
            raise smtplib.SMTPRecipientsRefused({})
        return real_send_mail(subject, body, sender, recipients)

    monkeypatch.setattr(notifications, "send_mail", coordinators_unreachable)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        run_ready_tasks()
        monkeypatch.setattr(notifications, "send_mail", real_send_mail)
        clock.shift(timedelta(minutes=2))
        run_ready_tasks()
    assert len(emails_to("anna@example.org")) == 1
    assert len(emails_to("coordinators@example.org")) == 1
    assert Enquiry.objects.get().notification_status == Enquiry.NotificationStatus.SENT


def test_the_admin_shows_whether_the_notifications_went_out(submit, admin_client, mail_server_down):
    submit()
    run_ready_tasks()
    html = admin_client.get(reverse("admin:enquiries_enquiry_changelist")).content.decode()
    assert "Failed, will retry" in html
