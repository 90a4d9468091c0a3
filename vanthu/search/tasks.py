"""Background work of the search app (django-tasks): indexing documents and OCR of scans."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

from vanthu.documents.models import DocumentFile

from . import indexing, ocr
from .models import FileOcr, OcrStatus

log = logging.getLogger(__name__)


def queue_indexing(document, **_event) -> None:
    """After a document entered or changed (an event of the documents app, on commit)."""
    index_document.enqueue(document.id)


@task()
def index_document(document_id: int) -> int:
    """Index one document after its transaction committed; queue OCR for scanned files."""
    indexing.queue_ocr(document_id)
    return indexing.index_documents([document_id])


# The "slow" queue (settings.TASKS): its own worker process, so that a long scan never holds up
# exchange sends and indexing on "default". The OCR itself runs outside any transaction.
@task(queue_name="slow")
def ocr_file(sha256: str) -> str:
    """OCR one scanned PDF (text kept beside it), then reindex every document that uses it."""
    with transaction.atomic():
        row = FileOcr.objects.select_for_update().filter(file_id=sha256).first()
        if row is None or row.status == OcrStatus.DONE:
            return "skipped"
        row.status = OcrStatus.RUNNING
        row.attempts += 1
        row.save(update_fields=["status", "attempts", "updated_at"])
    try:
        text = ocr.ocr_pdf_text(sha256)
    except ocr.OcrError as exc:
        log.warning("OCR failed for %s: %s", sha256, exc)
        FileOcr.objects.filter(file_id=sha256).update(status=OcrStatus.FAILED, error=str(exc)[:4000])
        return "failed"
    FileOcr.objects.filter(file_id=sha256).update(status=OcrStatus.DONE, text=text, error="")
    doc_ids = list(DocumentFile.objects.filter(file_id=sha256).values_list("document_id", flat=True))
    indexing.index_documents(doc_ids)
    return "done"
