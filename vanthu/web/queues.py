"""What /readyz and /metrics ask of the task queue, whichever backend settings.TASKS selects.

The database backend (django-tasks-db) is asked through its table; a broker-backed backend
through its own `ping()` and `queue_stats()` when it has them; the backends that run tasks in
the process (immediate, dummy: tests) have no queue to be unreachable.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max


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
