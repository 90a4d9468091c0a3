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
