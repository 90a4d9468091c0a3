"""The archive's background work: evidence for newly signed files, the daily renewal, PDF/A copies."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from vanthu.documents.models import Document

log = logging.getLogger("vanthu.archive")
RENEW_HOUR = 2  # at night: the TSA and the responders are asked once per file due


@task()
def secure_document(document_id: int) -> int:
    """Long-term evidence for the document's signed file that counts (at issue, at receipt)."""
    from . import evidence, ltv  # pyHanko's validation stack: loaded by the worker only

    doc = Document.objects.filter(pk=document_id).select_related("authoritative_file").first()
    target = doc.authoritative if doc is not None else None
    if target is None:
        return 0
    try:
        return int(evidence.secure_file(target.file_id, document=doc) is not None)
    except ltv.NoTimestampAuthority:
        return 0


def _tomorrow_at(hour: int) -> datetime:
    now = timezone.localtime()
    at = timezone.make_aware(datetime.combine(now.date(), time(hour)))
    return at if at > now else at + timedelta(days=1)


@task()
def renew_evidence() -> dict:
    """Re-timestamp what is due, then queue tomorrow night's run (a self-renewing task)."""
    from . import evidence  # as above

    try:
        result = evidence.renew_due() if settings.VANTHU_TSA_URL else {"renewed": 0, "failed": 0}
    finally:
        if renew_evidence.get_backend().supports_defer:
            renew_evidence.using(run_after=_tomorrow_at(RENEW_HOUR)).enqueue()
    return result


@task(queue_name="slow")
def make_pdfa(sha256: str) -> bool:
    """A scanned (unsigned) PDF's PDF/A copy with a text layer, on the slow queue (OCR)."""
    from . import pdfa  # the OCR tools: loaded by the worker only

    return pdfa.ensure_pdfa(sha256) is not None


def on_worker_start() -> None:
    """`vanthu worker`: make sure tomorrow night's renewal is queued (once)."""
    from vanthu.notifications.tasks import (
        waiting,  # the queue's one reader (imported where used, as notifications does)
    )

    if not waiting(renew_evidence.module_path):
        renew_evidence.using(run_after=_tomorrow_at(RENEW_HOUR)).enqueue()
