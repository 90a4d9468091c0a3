"""The queue's own housekeeping: abandoned tasks back to the queue (see queues.requeue_abandoned)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from .queues import requeue_abandoned


@task()
def requeue_abandoned_tasks() -> int:
    """Requeue what dead workers left RUNNING, then come back in a third of the lease."""
    try:
        return requeue_abandoned(settings.VANTHU_TASK_LEASE_SECONDS)
    finally:  # a failed run (the database away) must not end the series
        later = timezone.now() + timedelta(seconds=max(1, settings.VANTHU_TASK_LEASE_SECONDS // 3))
        requeue_abandoned_tasks.using(run_after=later).enqueue()


def on_worker_start() -> None:
    """`vanthu worker`: requeue now (a worker killed before this one started), and keep one
    periodic run queued whichever of the worker hosts starts first."""
    requeue_abandoned(settings.VANTHU_TASK_LEASE_SECONDS)
    if not DBTaskResult.objects.filter(task_path=requeue_abandoned_tasks.module_path, status="READY").exists():
        requeue_abandoned_tasks.enqueue()
