"""No log line ever holds a patient's personal or health data: every free-text field, the phone,
the file name and the client's address are markers, and every logger at DEBUG is captured (by
pytest and by the real stdout handler) through a patient's and the staff's whole journey,
failures included."""

import io
import logging
import smtplib

import pytest
from django.test import Client
from django.urls import reverse

from enquiries import intake, notifications
from enquiries.models import Enquiry, OutgoingEmail
from tests.back_office.pages import action, change_url, confirm_erasure, page_form_data
from tests.security.markers import ALL_MARKERS, NOTE_TEXT, TEXT_MARKERS, marker_form_data
from tests.tasks import run_ready_tasks

pytestmark = pytest.mark.django_db

CLIENT_ADDRESS = "198.51.100.23"
NEVER_LOGGED = [*ALL_MARKERS, CLIENT_ADDRESS]


@pytest.fixture
def logs(caplog):
    """Every logger at DEBUG; returns a function giving all that was logged so far: pytest's
    capture (formatted with tracebacks, messages and their arguments) and the stdout handler's
    real output."""
    stdout_handler = next(h for h in logging.getLogger().handlers if h.name == "stdout")
    written = io.StringIO()
    old_stream = stdout_handler.setStream(written)
    loggers = [logging.getLogger(name) for name in logging.root.manager.loggerDict]
    old_levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)

    def everything():
        parts = [caplog.text, written.getvalue()]
        for record in caplog.records:
            parts += [record.getMessage(), repr(record.args), record.exc_text or ""]
        return "\n".join(parts)

    yield everything
    stdout_handler.setStream(old_stream)
    for logger, level in zip(loggers, old_levels, strict=True):
        logger.setLevel(level)


def assert_nothing_personal(logged):
    assert logged.strip(), "nothing was captured: the test would prove nothing"
    leaked = [marker for marker in NEVER_LOGGED if marker.casefold() in logged.casefold()]
    assert leaked == []


@pytest.fixture
def post(client, start_url):
    def send(data):
        return client.post(start_url, data, REMOTE_ADDR=CLIENT_ADDRESS)

    return send


def test_a_valid_submission_and_its_emails(post, logs):
    assert post(marker_form_data()).status_code == 302
    assert run_ready_tasks() == 2  # the acknowledgement and the coordinators' notification

    assert_nothing_personal(logs())


def test_a_submission_with_mistakes_and_a_bot(post, logs):
    post(marker_form_data(email="not-an-address"))
    post(marker_form_data(website="spam"))

    assert_nothing_personal(logs())


def test_the_mail_server_refusing_the_patients_address(post, logs, monkeypatch):
    def refuse(subject, body, recipients, message_id, mailer=None):
        address = recipients[0]
        raise smtplib.SMTPRecipientsRefused({address: (550, f"5.1.1 <{address}> unknown".encode())})

    monkeypatch.setattr(notifications, "send", refuse)
    post(marker_form_data())
    run_ready_tasks()

    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {
        OutgoingEmail.Status.RETRYING
    }
    assert "SMTPRecipientsRefused" in logs()
    assert_nothing_personal(logs())


def test_a_server_error_while_storing(start_url, logs, monkeypatch):
    def fail(form, **kwargs):
        data = form.cleaned_data
        raise ValueError(f"cannot store {data['patient_name']} <{data['email']}>")

    monkeypatch.setattr(intake, "receive_enquiry", fail)
    client = Client(raise_request_exception=False)
    response = client.post(start_url, marker_form_data(), REMOTE_ADDR=CLIENT_ADDRESS)

    assert response.status_code == 500
    logged = logs()
    assert "Internal Server Error: /en/start/" in logged
    assert "ValueError" in logged
    assert_nothing_personal(logged)


def test_the_staff_working_exporting_and_erasing_the_enquiry(
    post, logs, login, coordinator, lead, django_capture_on_commit_callbacks
):
    post(marker_form_data())
    enquiry = Enquiry.objects.get()
    record = enquiry.record_files.get()
    client = login(coordinator)
    page = client.get(change_url(enquiry))
    client.post(
        change_url(enquiry),
        page_form_data(page, status="closed_withdrew", **{"notes-0-text": NOTE_TEXT}),
    )
    download = reverse("admin:enquiries_recordfile_download", args=[enquiry.pk, record.pk])
    b"".join(client.get(download).streaming_content)
    client.get(reverse("admin:enquiries_enquiry_changelist"), {"q": TEXT_MARKERS["email"]})
    leads = login(lead)
    action(leads, "export_csv", [enquiry])
    b"".join(action(leads, "export_patient_data", [enquiry]).streaming_content)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_erasure(leads, action(leads, "erase_enquiries", [enquiry]))

    assert not Enquiry.objects.exists()
    assert_nothing_personal(logs())


def test_private_link_tokens_never_reach_the_logs(client, logs, settings):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from enquiries.models import CaseLink
    from tests.factories import make_enquiry

    settings.CASE_LINK_IDLE_DAYS = 30
    token = CaseLink.issue(make_enquiry())
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.get(f"/en/case/{wrong}/").status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert client.get(f"/en/case/{token}/").status_code == 410

    logged = logs()
    assert "/en/case/" in logged, "the requests were not logged: the test would prove nothing"
    assert token not in logged and wrong not in logged
