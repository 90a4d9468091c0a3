"""What the archive does when documents move (subscribed in apps.py, after the commit)."""

from __future__ import annotations

from django.conf import settings

from vanthu.documents.models import Document

from .tasks import secure_document


def evidence_wanted(**_event) -> bool:
    """Whether there is long-term evidence to make at all (a timestamp authority is configured):
    asked before queueing, so that an installation without one pays nothing at issue."""
    return bool(settings.VANTHU_TSA_URL)


def document_issued(*, document: Document, deliveries, user, sealed) -> None:
    """At issue: the sealed copy's long-term evidence (only with a timestamp authority configured)."""
    if settings.VANTHU_TSA_URL:
        secure_document.enqueue(document.pk)


def document_entered(*, document: Document, user) -> None:
    """At receipt from another installation (no user): the received signed file's evidence."""
    if user is None and settings.VANTHU_TSA_URL:
        secure_document.enqueue(document.pk)
