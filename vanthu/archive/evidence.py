"""Long-term evidence kept for the signed PDFs VanThu holds (see ltv.py for what it is).

`secure_file` makes a file's first evidence (at issue, at receipt, or when the archive meets a
file without any); `renew_due` re-timestamps, oldest first, the files whose last timestamp's
certificate expires within VANTHU_LTV_RENEW_DAYS. The signed file itself is never changed: the
evidence is a new stored file (the same bytes plus incremental updates), the row points to it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vanthu.audit.chain import record
from vanthu.documents.models import Document, StoredFile
from vanthu.documents.pdf import PdfInfo
from vanthu.documents.storage import read_blob, store_pdf

from . import ltv
from .models import LongTermEvidence

log = logging.getLogger(__name__)


def is_signed(data: bytes) -> bool:
    # Every signature dictionary carries /ByteRange in the clear (signatures/verify.py says why).
    return b"/ByteRange" in data


def _store(stamped: ltv.Stamped, source: StoredFile) -> StoredFile:
    # The evidence adds no page and no text: the source's facts, without parsing the PDF again.
    return store_pdf(stamped.data, PdfInfo(page_count=source.page_count, text=""))


def secure_file(sha256: str, *, document: Document | None = None, ts=None, roots=None) -> LongTermEvidence | None:
    """The file's evidence, made if it has none yet; None for an unsigned file. Outside any transaction."""
    found = LongTermEvidence.objects.filter(source_id=sha256).first()
    if found is not None:
        return found
    data = read_blob(sha256)
    if not is_signed(data):
        return None
    stamped = ltv.secure(data, ts=ts, roots=roots)
    source = StoredFile.objects.get(sha256=sha256)
    with transaction.atomic():
        evidence, created = LongTermEvidence.objects.get_or_create(source=source, defaults={
            "current": _store(stamped, source), "document": document, "timestamp_at": stamped.timestamp_at,
            "timestamp_expires": stamped.timestamp_expires, "timestamps": stamped.timestamps})
        if created:
            record("long_term_evidence_added", obj=evidence, object_type="archive.longtermevidence", object_id=sha256,
                   data={"document": document.pk if document else None, "current": evidence.current_id,
                         "timestamp_at": stamped.timestamp_at, "timestamp_expires": stamped.timestamp_expires})
    return evidence


def renew_one(evidence: LongTermEvidence, *, ts=None, roots=None) -> LongTermEvidence:
    stamped = ltv.renew(read_blob(evidence.current_id), ts=ts, roots=roots)
    source = StoredFile.objects.get(sha256=evidence.source_id)
    with transaction.atomic():
        previous = evidence.current_id
        stored = _store(stamped, source)
        LongTermEvidence.objects.filter(pk=evidence.pk).update(
            current=stored, timestamp_at=stamped.timestamp_at, timestamp_expires=stamped.timestamp_expires,
            timestamps=stamped.timestamps, updated_at=timezone.now())
        record("long_term_evidence_renewed", obj=evidence, object_type="archive.longtermevidence", object_id=evidence.source_id,
               data={"previous": previous, "current": stored.sha256, "timestamps": stamped.timestamps,
                     "timestamp_expires": stamped.timestamp_expires})
    evidence.refresh_from_db()
    return evidence


def due(now: dt.datetime | None = None):
    horizon = (now or timezone.now()) + dt.timedelta(days=settings.VANTHU_LTV_RENEW_DAYS)
    return LongTermEvidence.objects.due_for_renewal(horizon)


def renew_due(*, limit: int = 10_000, ts=None, roots=None, now: dt.datetime | None = None) -> dict:
    """Renew what is due, oldest expiry first; a file that fails is logged and left for the next run."""
    roots = roots if roots is not None else ltv.trust_roots()
    renewed = failed = 0
    for evidence in list(due(now)[:limit]):
        try:
            renew_one(evidence, ts=ts, roots=roots)
            renewed += 1
        except Exception:  # one unreadable file or TSA hiccup must not stop the others
            log.exception("renewing the evidence of %s failed", evidence.source_id)
            failed += 1
    return {"renewed": renewed, "failed": failed}
