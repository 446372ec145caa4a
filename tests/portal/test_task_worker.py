"""`manage.py task_worker` queues again the tasks a dead worker left RUNNING (django-tasks-db
alone leaves them RUNNING forever), and only those: a task still within its time is left alone.
The whole story, with a real worker killed by SIGKILL, is tests/enquiries/test_killed_worker.py."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from enquiries.tasks import send_email
from portal.management.commands.task_worker import requeue_abandoned_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def bound(settings):
    settings.TASK_RUNNING_TIMEOUT_SECONDS = 600


def task_claimed(ago):
    """A task a worker claimed `ago` ago and never finished (it died, or is still working)."""
    result = DBTaskResult.objects.get(id=send_email.enqueue(1).id)
    with time_machine.travel(timezone.now() - ago, tick=False):
        result.claim("worker-that-died")
    return result


def test_a_task_running_longer_than_the_bound_is_made_ready_again():
    task = task_claimed(timedelta(seconds=601))
    assert requeue_abandoned_tasks() == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()


def test_a_task_running_within_the_bound_is_left_to_its_worker():
    task = task_claimed(timedelta(seconds=599))
    assert requeue_abandoned_tasks() == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_finished_tasks_are_never_run_again():
    task = task_claimed(timedelta(hours=2))
    task.set_successful(None)
    assert requeue_abandoned_tasks() == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
