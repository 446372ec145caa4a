"""A mail host that takes the connection and never greets (a firewall, a dead relay): before,
smtplib's one timeout, EMAIL_TIMEOUT (10 min), bounded the connect too, so each email held the
worker 10 minutes. Now reaching the server has its own short timeout (EMAIL_CONNECT_TIMEOUT), the
attempt fails in seconds and the email waits for its next try; once the server has greeted, each
answer still gets the full EMAIL_TIMEOUT."""

import json
import socket
import sys
import time
from pathlib import Path

import pytest

from enquiries.models import OutgoingEmail
from enquiries.tasks import send_email
from tests.portal.test_settings import read_setting

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db
# Far above the connect timeout (1 s) and far below the answer timeout (the test fails by then).
GENEROUS_BOUND_SECONDS = 20
ANSWER_TIMEOUT_SECONDS = "60"


@pytest.fixture
def silent_server():
    """A port whose kernel completes the TCP handshake but whose server never says a word."""
    with socket.create_server(("127.0.0.1", 0), backlog=8) as server:
        yield f"smtp://127.0.0.1:{server.getsockname()[1]}"


def use_mailer(settings, email_url, **environment):
    """The default mailer exactly as production settings build it from the environment."""
    settings.ENQUIRY_NOTIFICATION_EMAILS = ["coordinators@example.org"]
    mailer = read_setting('MAILERS["default"]', DEBUG="true", EMAIL_URL=email_url, **environment)
    settings.MAILERS = {"default": json.loads(mailer)}


def test_a_server_that_never_greets_fails_the_attempt_within_the_connect_timeout(
    settings, silent_server, submit
):
    use_mailer(
        settings,
        silent_server,
        EMAIL_CONNECT_TIMEOUT="1",
        EMAIL_TIMEOUT=ANSWER_TIMEOUT_SECONDS,
    )
    submit()
    acknowledgement = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.ACKNOWLEDGEMENT)

    started = time.monotonic()
    send_email.call(acknowledgement.pk)
    elapsed = time.monotonic() - started

    acknowledgement.refresh_from_db()
    assert acknowledgement.status == OutgoingEmail.Status.RETRYING
    assert acknowledgement.last_error  # the error's class, shown in the admin
    assert elapsed < GENEROUS_BOUND_SECONDS


def test_once_the_server_has_greeted_each_answer_gets_the_long_timeout(settings, submit):
    with SmtpSink() as sink:
        # The answer to the end of DATA comes after the connect timeout, within EMAIL_TIMEOUT.
        sink.answer_delay = 3
        use_mailer(settings, sink.url, EMAIL_CONNECT_TIMEOUT="1")
        submit()
        acknowledgement = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.ACKNOWLEDGEMENT)

        send_email.call(acknowledgement.pk)

        acknowledgement.refresh_from_db()
        assert acknowledgement.status == OutgoingEmail.Status.SENT
        assert sink.copies() == {acknowledgement.message_id: 1}


def test_a_live_send_at_its_slowest_is_never_taken_for_a_dead_worker_and_sent_again():
    # Every socket wait at its limit: 7 for the opening (connection, greeting, EHLO, STARTTLS,
    # EHLO, AUTH, its challenge), then EHLO, MAIL, one RCPT per recipient, DATA, the message,
    # the end of DATA and QUIT.
    bound = read_setting(
        "TASK_RUNNING_TIMEOUT_SECONDS",
        DEBUG="true",
        EMAIL_TIMEOUT="600",
        EMAIL_CONNECT_TIMEOUT="15",
        ENQUIRY_NOTIFICATION_EMAILS="one@example.org,two@example.org,three@example.org",
    )

    assert int(bound) > 7 * 15 + 600 * (6 + 3)
