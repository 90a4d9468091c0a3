"""Background work of the exchange: the outbox sender (django-tasks)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from . import sending


@task()
def send_outbox() -> int:
    """Send every due message; while some wait for a retry, come back when the first is due."""
    sent = sending.send_due()
    while sending.send_due():  # new messages queued meanwhile, or a peer came back
        pass
    reschedule()
    return sent


def reschedule() -> None:
    due = sending.next_due()
    if due is None:
        return
    due = max(due, timezone.now() + timedelta(seconds=1))
    if _already_scheduled(due):
        return
    send_outbox.using(run_after=due).enqueue()


def _already_scheduled(due) -> bool:
    """A waiting send task that runs by `due` makes another one pointless (the database backend)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: an extra run costs nothing but a query
        return False
    return DBTaskResult.objects.filter(task_path=send_outbox.module_path, status="READY", run_after__lte=due).exists()


def on_worker_start() -> None:
    """A worker that starts picks up what a killed one left: messages whose lease runs out, and
    staged packages not yet checked."""
    if sending.next_due() is not None:
        send_outbox.enqueue()
    # Imported here: inbox imports outbox, which imports this module (for send_outbox).
    from .inbox import pick_up
    pick_up()
