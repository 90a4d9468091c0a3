"""Background work of direction: the daily reminders of task deadlines (a self-renewing task)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from vanthu.notifications.tasks import next_daily_run, waiting

from . import notices

AHEAD_OF_DIGEST = timedelta(minutes=15)  # so that the day's digest carries the day's reminders


def next_run():
    at = next_daily_run() - AHEAD_OF_DIGEST
    return at if at > timezone.now() else at + timedelta(days=1)


@task()
def task_reminders() -> dict:
    try:
        return notices.send_deadline_reminders()
    finally:
        task_reminders.using(run_after=next_run()).enqueue()


def on_worker_start() -> None:
    """`vanthu worker`: make sure one run of the daily reminders is queued."""
    if not waiting(task_reminders.module_path):
        task_reminders.using(run_after=next_run()).enqueue()
