"""/healthz reports each dependency (database, cache, task queue) and answers 503 only when the
database is down; it names counts and ages, nothing personal."""

from datetime import timedelta

import pytest
import time_machine
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, TaskResultStatus

pytestmark = pytest.mark.django_db

START = "2026-05-04 10:00Z"


@task
def waiting_task():
    """Never run here: the tests only queue it."""


def queue_at(moment, **using):
    with time_machine.travel(moment, tick=False):
        return waiting_task.using(**using).enqueue()


def health_at(client, moment):
    with time_machine.travel(moment, tick=False):
        response = client.get("/healthz")
    assert response.status_code == 200
    return response.json()


def test_it_says_how_many_tasks_wait_and_how_long_the_oldest_has_waited(client):
    queue_at(START)
    queue_at("2026-05-04 10:01Z")

    health = health_at(client, "2026-05-04 10:02Z")

    assert health["task_queue"] == {"waiting": 2, "oldest_age_seconds": 120}


def test_a_task_scheduled_for_later_waits_only_from_its_time(client):
    run_after = timezone.datetime.fromisoformat("2026-05-04 10:05Z")
    queue_at(START, run_after=run_after)

    assert health_at(client, "2026-05-04 10:03Z")["task_queue"]["waiting"] == 0
    assert health_at(client, "2026-05-04 10:06Z")["task_queue"] == {
        "waiting": 1,
        "oldest_age_seconds": 60,
    }


def test_running_and_finished_tasks_are_not_waiting(client):
    for status in (TaskResultStatus.RUNNING, TaskResultStatus.SUCCESSFUL):
        result = queue_at(START)
        DBTaskResult.objects.filter(id=result.id).update(status=status)

    health = health_at(client, "2026-05-04 10:30Z")

    assert health["task_queue"] == {"waiting": 0, "oldest_age_seconds": None}


def test_a_worker_far_behind_does_not_make_the_site_unavailable(client):
    queue_at(START)

    health = health_at(client, timezone.datetime.fromisoformat(START) + timedelta(hours=5))

    assert health["status"] == "ok"
    assert health["task_queue"]["oldest_age_seconds"] == 5 * 3600


def test_it_names_nothing_but_its_dependencies(client):
    queue_at(START)

    health = health_at(client, "2026-05-04 10:01Z")

    assert set(health) == {"status", "database", "cache", "task_queue"}
    assert set(health["task_queue"]) == {"waiting", "oldest_age_seconds"}
