"""Background work of the signatures app (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from vanthu.documents.models import Document

from . import actions


@task()
def verify_entered(document_id: int) -> str:
    """Check the signatures of a document's PDF that has just entered; keep the report."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return "gone"
    report = actions.verify_entered(document)
    return report.status if report is not None else "already checked"


WAITING_BATCH = 200


@task()
def verify_waiting() -> int:
    """The catch-up: verdicts for electronic documents still waiting, a batch at a time, queued
    again while any remain."""
    looked_at = actions.verify_waiting(limit=WAITING_BATCH)
    if looked_at == WAITING_BATCH:
        verify_waiting.enqueue()
    return looked_at


def on_worker_start() -> None:
    """At the worker's start: whatever waits for a verdict (a check lost with a killed worker,
    documents imported in bulk such as the demo's) is checked now."""
    verify_waiting.enqueue()
