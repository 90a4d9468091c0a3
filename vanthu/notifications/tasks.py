"""Background work of notifications: the mail sender and the daily digest (django-tasks)."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import mail

log = logging.getLogger("vanthu.notifications")


def waiting(task_path: str, by=None) -> bool:
    """Whether a run of the task is queued (by `by`, if given) in the database backend."""
    # Imported here, as exchange/tasks.py does: loading django_tasks_db's models when the apps load
    # switches django_tasks' settings receiver on, which changes what the tests' override_settings(TASKS) do.
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(task_path=task_path, status="READY")
    if by is not None:
        queued = queued.filter(run_after__lte=by)
    return queued.exists()


@task()
def send_mail() -> int:
    """Send every due message; while some wait for a retry, come back when the first is due."""
    sent = 0
    while batch := mail.send_due():
        sent += batch
    due = mail.next_due()
    if due is not None and send_mail.get_backend().supports_defer:  # (an immediate backend cannot wait)
        due = max(due, timezone.now() + timedelta(seconds=1))
        if not waiting(send_mail.module_path, due):
            send_mail.using(run_after=due).enqueue()
    return sent


def wake_sender() -> None:
    """After a commit that journaled mail: the worker sends it now."""
    send_mail.enqueue()


def next_daily_run(now: datetime | None = None) -> datetime:
    """The next VANTHU_DIGEST_HOUR o'clock, local time."""
    now = timezone.localtime(now or timezone.now())
    at = timezone.make_aware(datetime.combine(now.date(), time(settings.VANTHU_DIGEST_HOUR)))
    return at if at > now else at + timedelta(days=1)


@task()
def daily_digest() -> int:
    """Journal today's digests and send them, then queue tomorrow's run (a self-renewing task)."""
    try:
        n = mail.journal_digests()
        if n:
            send_mail.enqueue()
        return n
    finally:
        daily_digest.using(run_after=next_daily_run()).enqueue()


def on_worker_start() -> None:
    """`vanthu worker`: send what a killed worker left, and make sure the digest is scheduled."""
    if not settings.VANTHU_EMAIL_ENABLED:
        log.warning("VANTHU_EMAIL_URL is not set: notifications are shown in the app only, no e-mail is sent.")
    if mail.next_due() is not None:
        send_mail.enqueue()
    if not waiting(daily_digest.module_path):
        daily_digest.using(run_after=next_daily_run()).enqueue()
