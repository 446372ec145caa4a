"""A mail server slow to answer (fault 4 of issue 12): it takes the message, then answers the end
of DATA late. Before, the client gave up after 10 s, recorded a failure and sent the email again
on each retry: three copies. Now the client waits as long as RFC 5321 asks (EMAIL_TIMEOUT, 10 min
by default), so a slow server gets one copy; a client that gives up sooner still sends any second
copy under the same Message-ID, and the timeline says why."""

import json
import sys
from pathlib import Path

import pytest

from enquiries.models import EnquiryEvent, OutgoingEmail
from enquiries.tasks import send_email
from tests.portal.test_settings import read_setting
from tests.tasks import run_ready_tasks

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db
# Longer than the sink's answer takes to come.
ANSWER_DELAY_SECONDS = 3


@pytest.fixture
def slow_server(settings):
    settings.ENQUIRY_NOTIFICATION_EMAILS = ["coordinators@example.org"]
    with SmtpSink() as sink:
        sink.answer_delay = ANSWER_DELAY_SECONDS
        yield sink


def use_mailer(settings, sink, **environment):
    """The default mailer exactly as production settings build it from EMAIL_URL (and the
    environment given), pointed at the local server."""
    mailer = read_setting('MAILERS["default"]', DEBUG="true", EMAIL_URL=sink.url, **environment)
    settings.MAILERS = {"default": json.loads(mailer)}
    return settings.MAILERS["default"]["OPTIONS"]


def test_a_server_that_answers_late_gets_each_email_once_and_it_is_recorded_sent(
    settings, slow_server, submit
):
    use_mailer(settings, slow_server)
    submit()

    assert run_ready_tasks() == 2
    assert run_ready_tasks() == 0  # no retry queued

    emails = OutgoingEmail.objects.all()
    assert {email.status for email in emails} == {OutgoingEmail.Status.SENT}
    assert slow_server.copies() == {email.message_id: 1 for email in emails}


def test_the_client_waits_as_long_as_rfc_5321_asks_for_the_answer_to_the_end_of_data(settings):
    # §4.5.3.2.6: 10 minutes for the "250" after the final ".".
    with SmtpSink() as sink:
        assert use_mailer(settings, sink)["timeout"] >= 600


def test_a_client_that_gives_up_first_sends_the_copy_again_under_the_same_message_id(
    settings, slow_server, submit
):
    use_mailer(settings, slow_server, EMAIL_TIMEOUT="1")
    submit()
    acknowledgement = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.ACKNOWLEDGEMENT)
    send_email.call(acknowledgement.pk)
    acknowledgement.refresh_from_db()
    assert acknowledgement.status == OutgoingEmail.Status.RETRYING
    assert acknowledgement.last_error  # the error's class, for the timeline and the admin

    # The retry: the server now answers at once.
    slow_server.answer_delay = 0
    send_email.call(acknowledgement.pk)
    acknowledgement.refresh_from_db()

    assert acknowledgement.status == OutgoingEmail.Status.SENT
    assert acknowledgement.attempts == 2
    # Two copies arrived, both recognisably the same email.
    assert slow_server.copies()[acknowledgement.message_id] == 2
    assert {message_id for message_id, _to in slow_server.received} == {acknowledgement.message_id}
    timeline = [
        (event.kind, event.details["attempt"])
        for event in EnquiryEvent.objects.exclude(kind=EnquiryEvent.Kind.RECEIVED)
    ]
    assert timeline == [
        (EnquiryEvent.Kind.NOTIFICATION_FAILED, 1),
        (EnquiryEvent.Kind.NOTIFICATION_SENT, 2),
    ]
