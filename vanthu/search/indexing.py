"""Turning documents into index rows, and keeping the index consistent with the database.

Each document's row is replaced in one transaction (old row deleted, new one inserted), so a crash
leaves either the old or the new row. `reindex_all` rebuilds every row from the database and drops
rows of documents that no longer exist; it is what `vanthu search reindex` runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.utils import timezone

from vanthu.documents.models import Delivery, Document, DocumentFile, FileRole, StoredFile
from vanthu.documents.storage import open_blob

from .engine import MAX_BODY_CHARS, IndexRow, day_of
from .models import FileOcr, OcrStatus
from .ranking import FILE_SEP
from .service import engine_for

# Fewer characters than this per page in the text layer: treat the file as a scan and OCR it.
MIN_TEXT_CHARS_PER_PAGE = 20


def needs_ocr(text: str, page_count: int) -> bool:
    return len("".join(text.split())) < MIN_TEXT_CHARS_PER_PAGE * max(1, page_count)


def _date_text(d) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def build_rows(docs: Iterable[Document]) -> list[IndexRow]:
    """Index rows for documents (fetched with issuer and type), with as few queries as possible."""
    docs = list(docs)
    ids = [d.id for d in docs]
    recipients: dict[int, list[tuple[int, str]]] = {}
    for doc_id, org_id, name in Delivery.objects.filter(document_id__in=ids).values_list("document_id", "recipient_id", "recipient__name"):
        recipients.setdefault(doc_id, []).append((org_id, name))
    files: dict[int, list[tuple[str, str, str]]] = {}
    rows = (DocumentFile.objects.filter(document_id__in=ids).order_by("document_id", "role", "position")
            .values_list("document_id", "role", "file__text", "file__ocr__text"))
    for doc_id, role, text, ocr_text in rows:
        files.setdefault(doc_id, []).append((role, text or "", ocr_text or ""))
    out = []
    for doc in docs:
        recips = recipients.get(doc.id, [])
        day = doc.issued_date or timezone.localdate(doc.created_at)
        # The head (what the document is) apart from the parties (who sent, received, signed it):
        # the ranking weighs a word in the subject far above the same word in a list of recipients.
        title = "\n".join(p for p in [
            doc.symbol, doc.doc_type.name, doc.subject,
        ] if p)
        # The sender's lines, then (after a blank line) the recipients, weighed less.
        parties = "\n".join(p for p in [
            f"Số {doc.number}" if doc.number else "",
            doc.issuer.name if doc.issuer_id else doc.external_issuer_name,
            doc.issuer.short_name if doc.issuer_id else "",
            " ".join(x for x in [doc.signer_authority, doc.signer_position, doc.signer_name] if x),
            _date_text(doc.issued_date), doc.place,
        ] if p) + "\n\n" + " ; ".join(name for _id, name in recips)
        parts = []
        for _role, text, ocr_text in sorted(files.get(doc.id, []), key=lambda f: f[0] != FileRole.MAIN):
            parts.append(text)
            if ocr_text:
                parts.append(ocr_text)
        # Files apart (FILE_SEP, white space to both engines and to snippets), so that the ranking
        # finds each file's letterhead and distribution list, not only the main file's.
        body = f"\n{FILE_SEP}\n".join(p for p in parts if p.strip())[:MAX_BODY_CHARS]
        out.append(IndexRow(
            id=doc.id, day=day_of(day), issuer_id=doc.issuer_id, recipient_ids=[r for r, _n in recips],
            doc_type=doc.doc_type.code, status=doc.status, urgency=doc.urgency, title=title, body=body,
            parties=parties,
        ))
    return out


def files_needing_ocr(document_id: int) -> list[str]:
    """Files of a document without a usable text layer and not yet OCRed (or queued), except
    signed copies: a signature (the leader's on approval, the seal on issue) is an incremental
    update appended to a file the document already has, whose words are the same, so that
    file's OCR serves both. (A new version with the signed role, an update from a peer, is not
    such a copy and is recognised like any scan.)"""
    files = list(DocumentFile.objects.filter(document_id=document_id).select_related("file"))
    shas = []
    for f in files:
        sf = f.file
        if sf.content_type != "application/pdf":
            continue  # a Word file migrated from Lotus Notes, say: OCR reads PDFs only
        if not needs_ocr(sf.text, sf.page_count) or FileOcr.objects.filter(file_id=sf.sha256).exists():
            continue
        if f.role == FileRole.SIGNED and _extends_one_of(sf, [o.file for o in files if o.file_id != sf.sha256]):
            continue
        shas.append(sf.sha256)
    return shas


def _extends_one_of(copy: StoredFile, others: list[StoredFile]) -> bool:
    """`copy`'s bytes begin with all the bytes of one of `others` (what signing a PDF makes)."""
    candidates = {o.sha256: o.size for o in others if 0 < o.size < copy.size}
    if not candidates:
        return False
    with open_blob(copy.sha256) as fh:
        digest, read = hashlib.sha256(), 0
        for sha, size in sorted(candidates.items(), key=lambda item: item[1]):
            while read < size:
                chunk = fh.read(min(1 << 20, size - read))
                if not chunk:
                    return False
                digest.update(chunk)
                read += len(chunk)
            if digest.copy().hexdigest() == sha:
                return True
    return False


def index_documents(ids: Iterable[int]) -> int:
    """(Re)index these documents now; ids of deleted documents are removed from the index."""
    ids = sorted(set(ids))
    eng = engine_for()
    with transaction.atomic():
        docs = list(Document.objects.filter(id__in=ids).select_related("issuer", "doc_type"))
        rows = build_rows(docs)
        gone = sorted(set(ids) - {d.id for d in docs})
        with connection.cursor() as cur:
            if gone:
                eng.delete(cur, gone)
            eng.upsert(cur, rows)
    return len(rows)


def queue_ocr(document_id: int) -> list[str]:
    """Mark scanned files of a document for OCR and queue the work after commit. The files are
    looked at before the transaction that marks them (reading a file under SQLite's write lock
    would hold up every other writer)."""
    from .tasks import ocr_file  # here: tasks imports this module (a cycle at the top)

    shas = files_needing_ocr(document_id)
    with transaction.atomic():
        for sha in shas:
            _obj, created = FileOcr.objects.get_or_create(file_id=sha, defaults={"status": OcrStatus.PENDING})
            if created:
                transaction.on_commit(lambda sha=sha: ocr_file.enqueue(sha))
    return shas


def reindex_all(*, batch: int = 500, progress: Callable[[int], None] | None = None,
                after_batch: Callable[[int], None] | None = None) -> int:
    """Rebuild every index row from the database, then drop rows of documents that are gone.

    Each batch is its own transaction, so a crash part-way leaves every row either old or new,
    and the next reindex completes the work (the test suite simulates exactly that).
    """
    eng = engine_for()
    done, last_id = 0, 0
    while True:
        ids = list(Document.objects.filter(id__gt=last_id).order_by("id").values_list("id", flat=True)[:batch])
        if not ids:
            break
        done += index_documents(ids)
        last_id = ids[-1]
        if after_batch:
            after_batch(done)
        if progress:
            progress(done)
    with transaction.atomic(), connection.cursor() as cur:
        existing = set(Document.objects.values_list("id", flat=True))
        stale = sorted(eng.indexed_ids(cur) - existing)
        if stale:
            eng.delete(cur, stale)
    return done


def index_status(document_id: int) -> dict:
    """What the document page shows: is it indexed, and where OCR of its scans stands."""
    with connection.cursor() as cur:  # both engines keep one search_text row per indexed document
        cur.execute("SELECT 1 FROM search_text WHERE id = %s", [document_id])
        indexed = cur.fetchone() is not None
    ocr = list(FileOcr.objects.filter(file__uses__document_id=document_id).values_list("status", flat=True))
    return {"indexed": indexed, "ocr": [str(OcrStatus(s).label) for s in ocr], "ocr_status": ocr}
