"""A task worker killed in the middle of sending (fault 3 of issue 12: kill -9, out of memory, a
deploy). Before, its task stayed RUNNING forever and no worker took it again: the enquiry showed
"pending" for good, and one of its emails was never sent. Now `manage.py task_worker` queues the
task again after TASK_RUNNING_TIMEOUT_SECONDS, and each email, recorded as sent the moment the
server accepted it, reaches the mail server exactly once.

Real processes on PostgreSQL: a worker talks to a real SMTP server on 127.0.0.1 that holds the
session, is killed with SIGKILL, and a second worker finishes the work."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from enquiries import outbox
from enquiries.models import EnquiryEvent, OutgoingEmail
from tests.factories import make_enquiry

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from smtp_sink import SmtpSink

PROJECT = Path(__file__).resolve().parents[2]
# Generous: two workers start (Django setup) and a task waits out the bound on a busy machine.
WAIT_SECONDS = 90
RUNNING_TIMEOUT_SECONDS = 2


def wait_for(condition, what):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"waited {WAIT_SECONDS} s for {what}")


def workers_database_url():
    """The test database, as a URL for the worker processes."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


@pytest.fixture
def start_worker(tmp_path):
    workers = []

    def start(sink):
        log = open(tmp_path / f"worker-{len(workers)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "manage.py", "task_worker", "--no-reload", "--interval", "0.1"],
            cwd=PROJECT,
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "ENV_FILE": "",
                "DEBUG": "true",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "DATABASE_URL": workers_database_url(),
                "REDIS_URL": "",
                "EMAIL_URL": sink.url,
                # Longer than the test, so the killed worker cannot have given up on its own.
                "EMAIL_TIMEOUT": "300",
                "TASK_RUNNING_TIMEOUT_SECONDS": str(RUNNING_TIMEOUT_SECONDS),
                "ENQUIRY_NOTIFICATION_EMAILS": "coordinators@example.org",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        workers.append(process)
        return process

    yield start
    for process in workers:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_leaves_no_email_unsent_and_none_sent_twice(start_worker):
    with SmtpSink() as sink:
        sink.hold_sessions.set()
        enquiry = make_enquiry(email=f"{secrets.token_hex(8)}@example.org")
        emails = outbox.queue_enquiry_emails(enquiry)

        first = start_worker(sink)
        wait_for(sink.held.is_set, "the first worker to be in the middle of sending")
        sending = OutgoingEmail.objects.get(status=OutgoingEmail.Status.SENDING)
        first.kill()  # SIGKILL: no clean-up of any kind
        first.wait(timeout=10)
        sink.hold_sessions.clear()
        # What django-tasks-db alone leaves behind: the task RUNNING, the email SENDING.
        assert DBTaskResult.objects.running().count() == 1
        assert OutgoingEmail.objects.get(pk=sending.pk).status == OutgoingEmail.Status.SENDING

        start_worker(sink)
        wait_for(
            lambda: not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists(),
            "every email to be sent by the second worker",
        )

        # The second worker marks its task finished just after the last email is sent: waited
        # for, not read at once (a busy machine is slower to get there).
        wait_for(
            lambda: not DBTaskResult.objects.running().exists(),
            "no task left running, the killed worker's included",
        )
        assert sink.copies() == {email.message_id: 1 for email in emails}
        interrupted = EnquiryEvent.objects.get(details__error=outbox.WORKER_STOPPED)
        assert interrupted.details["recipient"] == sending.recipient_role
