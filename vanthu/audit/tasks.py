"""The worker's checks of the audit chain: a full verification daily, a checkpoint every few minutes.

Both renew themselves (a periodic task is a task that queues its next run). The checkpoint run
is incremental (chain.anchor), so its cost follows what was written since the last one; it is
also what notices a cut tail within minutes rather than at the next daily run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from . import checkpoints
from .chain import VerifyResult, anchor, verify
from .checkpoints import Checkpoint, CheckpointError
from .models import ChainCheck

log = logging.getLogger("vanthu.audit")
INTERVAL = timedelta(days=1)


def _record_break(result: VerifyResult) -> ChainCheck:
    log.error("AUDIT CHAIN BROKEN at entry #%s: %s", result.broken_seq, result.reason)
    return ChainCheck.objects.create(at=timezone.now(), ok=False, checked=result.checked,
                                     broken_seq=result.broken_seq, reason=result.reason[:500])


@dataclass
class CheckOutcome:
    result: VerifyResult
    check: ChainCheck
    written: Checkpoint | None = None  # the checkpoint signed after an intact verification


def run_check() -> CheckOutcome:
    """Verify the whole chain now and keep the outcome; a break is logged as an error (and shown
    to admins). An intact chain is then checkpointed at the entry the verification ended on."""
    result = verify()
    if not result.ok:
        return CheckOutcome(result, _record_break(result))
    written = None
    if result.end is not None:
        try:
            written = checkpoints.write(result.end)
        except CheckpointError as exc:  # the key became unreadable: the chain is fine, its anchor is not
            failed = VerifyResult(False, result.checked, exc.seq, exc.reason)
            return CheckOutcome(failed, _record_break(failed))
    return CheckOutcome(result, ChainCheck.objects.create(at=timezone.now(), ok=True, checked=result.checked), written)


def check_chain() -> ChainCheck:
    return run_check().check


def check_tail() -> VerifyResult:
    """Checkpoint the head (chain.anchor). A break is recorded once, like a failed verification;
    a success records nothing, since it checked only the newest entries and must not hide a
    break the daily verification found further back."""
    result = anchor()
    if not result.ok:
        last = ChainCheck.objects.order_by("-at").first()
        if last is None or last.ok or (last.broken_seq, last.reason) != (result.broken_seq, result.reason[:500]):
            _record_break(result)
    return result


@task()
def verify_daily() -> bool:
    """Verify, then queue the next run for a day later (a self-renewing periodic task)."""
    try:
        return check_chain().ok
    finally:  # a failure of this run (a storage outage) must not end the series
        verify_daily.using(run_after=timezone.now() + INTERVAL).enqueue()


@task()
def checkpoint_periodically() -> bool:
    """Checkpoint the head, then queue the next run (VANTHU_AUDIT_CHECKPOINT_MINUTES later)."""
    try:
        return check_tail().ok
    finally:
        later = timezone.now() + timedelta(minutes=settings.VANTHU_AUDIT_CHECKPOINT_MINUTES)
        checkpoint_periodically.using(run_after=later).enqueue()


def on_worker_start() -> None:
    """`vanthu worker`: make sure one run of each periodic check is queued."""
    for periodic in (verify_daily, checkpoint_periodically):
        pending = DBTaskResult.objects.filter(task_path=periodic.module_path, status="READY").exists()
        if not pending:
            periodic.enqueue()


def latest_break() -> ChainCheck | None:
    last = ChainCheck.objects.order_by("-at").first()
    return last if last is not None and not last.ok else None
