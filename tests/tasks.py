"""Running the queued tasks inside a test, the way the task worker does."""


def run_ready_tasks():
    """Run every task that is due, the way `manage.py task_worker` (django-tasks-db's db_worker)
    does, and say how many ran.

    The worker's loop itself closes "old" connections, which would end a test's transaction.
    Each task is locked and claimed in a transaction of its own, as the worker does: a test on the
    live server (a browser journey) runs outside any transaction."""
    from django.db import transaction
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with transaction.atomic():
            task_result = DBTaskResult.objects.ready().get_locked()
            if task_result is None:
                return ran
            task_result.claim(worker.worker_id)
        worker.run_task(task_result)
        ran += 1
