"""What /readyz and /metrics ask of the task queue, whichever backend settings.TASKS selects,
and the recovery of tasks a killed worker left half-done (the database backend).

The database backend (django-tasks-db) is asked through its table; a broker-backed backend
through its own `ping()` and `queue_stats()` when it has them; the backends that run tasks in
the process (immediate, dummy: tests) have no queue to be unreachable.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from vanthu.audit.chain import record


def queue_ready() -> None:
    """Raise when the configured queue cannot take work."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, DatabaseBackend):
        DBTaskResult.objects.filter(status="READY").exists()
        return
    ping = getattr(backend, "ping", None)
    if ping is not None:
        ping()


def queue_stats() -> dict[str, tuple[int, datetime | None]]:
    """{queue name: (tasks waiting, enqueue time of the oldest one ready to run now)}."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    queues = {q: (0, None) for q in sorted(getattr(backend, "queues", None) or ["default"])}
    if isinstance(backend, DatabaseBackend):
        now = timezone.now()
        rows = (DBTaskResult.objects.filter(status="READY").values("queue_name")
                .annotate(n=Count("id"), oldest=Min("enqueued_at", filter=Q(run_after=get_date_max()) | Q(run_after__lte=now))).order_by())
        for row in rows:
            queues[row["queue_name"]] = (row["n"], row["oldest"])
        return queues
    stats = getattr(backend, "queue_stats", None)
    return stats() if stats is not None else queues


def requeue_abandoned(lease_seconds: int) -> int:
    """Tasks still RUNNING `lease_seconds` after they started: their worker died (SIGKILL, a lost
    host) without finishing them. They go back to READY for another worker, so no task is lost;
    the price is that such a task may have run in part before, which is why every VanThu task is
    idempotent (outbox and mail leases, re-indexing, folding the statistics journal). The lease
    must be longer than any task runs (OCR: VANTHU_OCR_TIMEOUT), or a slow task would run twice."""
    cutoff = timezone.now() - timedelta(seconds=lease_seconds)
    return DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff).update(status="READY", started_at=None)


@transaction.atomic
def retry_failed(ids, *, user) -> int:
    """Put failed tasks (the dead letters) back in the queue, as they were first enqueued; audited."""
    rows = DBTaskResult.objects.select_for_update().filter(pk__in=list(ids), status="FAILED")
    chosen = [str(pk) for pk in rows.values_list("pk", flat=True)]
    count = DBTaskResult.objects.filter(pk__in=chosen).update(
        status="READY", started_at=None, finished_at=None, run_after=get_date_max(), exception_class_path="",
        traceback="", return_value=None)
    if count:
        record("tasks_retried", actor=user, object_type="django_tasks_database.dbtaskresult", object_id=",".join(chosen)[:200],
               data={"ids": chosen})
    return count


# What a task interrupted by its worker's stop raises: the worker was told twice to stop (SIGTERM
# again, Ctrl+C twice), and django-tasks-db's handler ends the task with sys.exit().
INTERRUPTED = ("builtins.SystemExit", "builtins.KeyboardInterrupt")


def requeue_interrupted(sender, task_result, **kwargs) -> None:
    """`task_finished` receiver: a task cut short by its worker's stop is not a failure of the task.
    django-tasks-db marks it FAILED, a dead letter nobody would look for; it goes back to the queue
    instead, as a task of a killed worker does (requeue_abandoned), and another worker runs it
    (every VanThu task is idempotent)."""
    backend = sender if isinstance(sender, type) else type(sender)  # django-tasks-db sends either
    if not issubclass(backend, DatabaseBackend):
        return  # other backends keep their own books (and the in-process ones have no queue)
    if str(getattr(task_result, "status", "")) != "FAILED":
        return
    DBTaskResult.objects.filter(pk=task_result.id, status="FAILED", exception_class_path__in=INTERRUPTED).update(
        status="READY", started_at=None, finished_at=None, exception_class_path="", traceback="", return_value=None)
