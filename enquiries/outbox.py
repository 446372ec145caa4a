"""Each email we owe, sent exactly once: one OutgoingEmail row per email, written with the enquiry,
and one task per row that claims it, sends it, and records the outcome in short transactions.

A row says what happened to its email. PENDING and RETRYING: not sent yet, a task will try.
SENDING: a worker is talking to the mail server; if that worker died (kill -9, out of memory, a
deploy), the row stays SENDING and its task stays RUNNING until `manage.py task_worker` runs the
task again after TASK_RUNNING_TIMEOUT_SECONDS; it is then sent again under the same Message-ID,
because whether the server took it is unknown. SENT: recorded the moment the server accepted it;
a task run again finds SENT and does nothing. FAILED: gave up after the last attempt, or at once
when the email must no longer go out (notifications.NotToBeSent), flagged."""

import logging
from contextlib import suppress
from datetime import timedelta
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.utils import timezone

from enquiries import notifications
from enquiries.models import EnquiryEvent, OutgoingEmail

logger = logging.getLogger(__name__)

# What the timeline says went wrong when a worker stopped in the middle of sending.
WORKER_STOPPED = "WorkerStopped"


def new_message_id():
    """A Message-ID of our own, on the sender's domain (no DNS lookup of this machine's name)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


def retry_delay(attempt):
    """Wait before the attempt after `attempt`: the base delay, four times longer each time."""
    return timedelta(seconds=settings.ENQUIRY_NOTIFICATION_RETRY_SECONDS * 4 ** (attempt - 1))


def queue_enquiry_emails(enquiry):
    """The emails a new enquiry triggers, each with its task. Call it inside the enquiry's
    transaction: these rows and the task rows (django-tasks-db) are committed with it or not."""
    return _queue(enquiry, notifications.NEW_ENQUIRY_EMAILS)


def queue_email(enquiry, kind):
    """One more email about the enquiry (a fresh link, news for the coordinators), with its
    task; inside the transaction that decided it, as queue_enquiry_emails."""
    return _queue(enquiry, [kind])[0]


def _queue(enquiry, kinds):
    from enquiries.tasks import send_email

    emails = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(
            enquiry=enquiry,
            kind=kind,
            recipient_role=notifications.SENDERS[kind][0],
            message_id=new_message_id(),
        )
        for kind in kinds
    )
    for email in emails:
        send_email.enqueue(email.pk)
    return emails


def deliver(email_id):
    """Send the email unless it is sent already; record the outcome; schedule the next attempt
    after a failure. No transaction is open while the mail server is being talked to."""
    email = _claim(email_id)
    if email is None:
        return
    _role, send = notifications.SENDERS[email.kind]
    # The connection is opened here and closed only after SENT is recorded: the row says SENT
    # as soon as the server's "250" is in, not after the goodbye (QUIT) that follows it.
    mailer = mailers.default
    try:
        mailer.open()
        send(email.enquiry, email.message_id, mailer)
    # Not to be sent any more (e.g. a referral after the consent was withdrawn): given up now.
    except notifications.NotToBeSent as error:
        _record_failure(email, error, give_up=True)
    # Any other error at all: the enquiry is safe, the email is retried later.
    except Exception as error:
        _record_failure(email, error)
    else:
        _record_sent(email)
    finally:
        # A failed goodbye changes nothing: the message was accepted or it was not.
        with suppress(Exception):
            mailer.close()


def _claim(email_id):
    """Mark the email SENDING and count the attempt, or say why not (None)."""
    from enquiries.tasks import send_email

    now = timezone.now()
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(of=("self",))
            .select_related("enquiry")
            .filter(pk=email_id)
            .first()
        )
        if email is None or email.status in OutgoingEmail.FINISHED:
            return None
        if email.status == OutgoingEmail.Status.SENDING:
            resume_at = email.last_attempt_at + timedelta(
                seconds=settings.TASK_RUNNING_TIMEOUT_SECONDS
            )
            if now < resume_at:
                # Another worker may be in the middle of sending it: look again once that
                # attempt has had all its time, rather than sending a second copy now.
                send_email.using(run_after=resume_at).enqueue(email.pk)
                return None
            # Its worker died mid-send: whether the server took it is unknown, so it goes again
            # under the same Message-ID (a second copy, if any, is recognisable as one).
            email.enquiry.record_event(
                EnquiryEvent.Kind.NOTIFICATION_FAILED,
                recipient=email.recipient_role,
                attempt=email.attempts,
                error=WORKER_STOPPED,
            )
        email.status = OutgoingEmail.Status.SENDING
        email.attempts += 1
        email.last_attempt_at = now
        email.save(update_fields=["status", "attempts", "last_attempt_at"])
    return email


def _record_sent(email):
    with transaction.atomic():
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), last_error=""
        )
        email.enquiry.record_event(
            EnquiryEvent.Kind.NOTIFICATION_SENT,
            recipient=email.recipient_role,
            attempt=email.attempts,
        )


def _record_failure(email, error, *, give_up=False):
    from enquiries.tasks import send_email

    error_name = type(error).__name__
    gave_up = give_up or email.attempts >= settings.ENQUIRY_NOTIFICATION_MAX_ATTEMPTS
    # The error's class only: its message may quote an address.
    logger.warning(
        "Enquiry %s: %s email failed on attempt %d (%s)",
        email.enquiry_id,
        email.recipient_role,
        email.attempts,
        error_name,
    )
    details = {"recipient": email.recipient_role, "attempt": email.attempts, "error": error_name}
    if gave_up:
        details["gave_up"] = True
    with transaction.atomic():
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=OutgoingEmail.Status.FAILED if gave_up else OutgoingEmail.Status.RETRYING,
            last_error=error_name,
        )
        email.enquiry.record_event(EnquiryEvent.Kind.NOTIFICATION_FAILED, **details)
        if not gave_up:
            send_email.using(run_after=timezone.now() + retry_delay(email.attempts)).enqueue(
                email.pk
            )
