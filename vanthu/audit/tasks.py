"""The daily verification of the audit chain, run by the worker."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .chain import verify
from .models import ChainCheck

log = logging.getLogger("vanthu.audit")
INTERVAL = timedelta(days=1)


def check_chain() -> ChainCheck:
    """Verify now and keep the outcome; a break is logged as an error (and shown to admins)."""
    result = verify()
    check = ChainCheck.objects.create(at=timezone.now(), ok=result.ok, checked=result.checked,
                                      broken_seq=result.broken_seq, reason=result.reason[:200])
    if not result.ok:
        log.error("AUDIT CHAIN BROKEN at entry #%s: %s", result.broken_seq, result.reason)
    return check


@task()
def verify_daily() -> bool:
    """Verify, then queue the next run for a day later (a self-renewing periodic task)."""
    ok = check_chain().ok
    verify_daily.using(run_after=timezone.now() + INTERVAL).enqueue()
    return ok


def on_worker_start() -> None:
    """`vanthu worker`: make sure one daily verification is queued."""
    from django_tasks_db.models import DBTaskResult

    pending = DBTaskResult.objects.filter(task_path=verify_daily.module_path, status="READY").exists()
    if not pending:
        verify_daily.enqueue()


def latest_break() -> ChainCheck | None:
    last = ChainCheck.objects.order_by("-at").first()
    return last if last is not None and not last.ok else None
