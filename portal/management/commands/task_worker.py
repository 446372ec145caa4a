"""`manage.py task_worker`: django-tasks-db's db_worker, plus the one thing it lacks: tasks left
RUNNING by a worker that died (kill -9, out of memory, a deploy) are queued again.

django-tasks-db 0.13 marks a task RUNNING when a worker claims it and nothing ever looks at it
again: no heartbeat, no lease, no timeout (its prune command removes finished tasks only). So
this worker also checks, every few seconds in a background thread (it keeps checking while a
task runs), for tasks RUNNING longer than TASK_RUNNING_TIMEOUT_SECONDS and makes them READY; any
worker then runs them again. Safe because our tasks are idempotent: an email records that it was
sent and is never sent twice by a re-run (enquiries.outbox)."""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)
# Checking more often than this buys nothing: the bound itself is minutes in production.
LONGEST_CHECK_INTERVAL_SECONDS = 60


def requeue_abandoned_tasks(now=None):
    """Make READY again every task RUNNING for longer than the bound; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.TASK_RUNNING_TIMEOUT_SECONDS)
    count = (
        DBTaskResult.objects.running()
        .filter(started_at__lt=cutoff)
        .update(status=TaskResultStatus.READY)
    )
    if count:
        logger.warning("Queued again %d task(s) left running by a worker that stopped", count)
    return count


def check_interval():
    return min(LONGEST_CHECK_INTERVAL_SECONDS, max(settings.TASK_RUNNING_TIMEOUT_SECONDS / 4, 0.5))


def keep_requeueing(stop):
    while not stop.wait(check_interval()):
        try:
            requeue_abandoned_tasks()
        except DatabaseError:
            # The database is away for a moment: the next check tries again.
            logger.warning("Could not check for abandoned tasks (database error)")
        finally:
            close_old_connections()
    connection.close()


class Command(db_worker.Command):
    help = "Run the task worker (db_worker), queueing again tasks a dead worker left running"

    def handle(self, *args, **options):
        stop = threading.Event()
        checker = threading.Thread(
            target=keep_requeueing, args=(stop,), name="requeue-abandoned-tasks", daemon=True
        )
        checker.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
