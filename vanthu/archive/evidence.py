"""Long-term evidence kept for the signed PDFs VanThu holds (see ltv.py for what it is).

`secure_file` makes a file's first evidence (at issue, at receipt, or when the archive meets a
file without any); `renew_due` re-timestamps, oldest first, the files whose last timestamp's
certificate expires within VANTHU_LTV_RENEW_DAYS. The signed file itself is never changed: the
evidence is a new stored file (the same bytes plus incremental updates), the row points to it.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vanthu.audit.chain import deferred, record
from vanthu.documents.models import Document, StoredFile
from vanthu.documents.pdf import PdfInfo
from vanthu.documents.storage import read_blob, store_pdf, write_blob

from . import ltv
from .models import LongTermEvidence

log = logging.getLogger(__name__)

# Two a core: each waits for the authority part of the time.
RENEW_PROCESSES = max(2, min(8, 2 * (os.cpu_count() or 1)))
KEEP_BATCH = 25


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


def _keep_renewals(done: list[tuple[LongTermEvidence, ltv.Stamped, str]]) -> None:
    """The renewed files' rows (their bytes already written), the evidence pointing to them, the
    audit entries: one transaction for a batch, the chain's head locked once."""
    now = timezone.now()
    with transaction.atomic(), deferred():
        StoredFile.objects.bulk_create([StoredFile(sha256=sha, size=len(stamped.data), page_count=evidence.source.page_count)
                                        for evidence, stamped, sha in done], ignore_conflicts=True)
        for evidence, stamped, sha in done:
            previous = evidence.current_id
            evidence.current_id, evidence.updated_at = sha, now
            evidence.timestamp_at, evidence.timestamp_expires, evidence.timestamps = \
                stamped.timestamp_at, stamped.timestamp_expires, stamped.timestamps
            record("long_term_evidence_renewed", obj=evidence, object_type="archive.longtermevidence", object_id=evidence.source_id,
                   data={"previous": previous, "current": sha, "timestamps": stamped.timestamps,
                         "timestamp_expires": stamped.timestamp_expires})
        LongTermEvidence.objects.bulk_update([e for e, _s, _h in done],
                                             ["current", "updated_at", "timestamp_at", "timestamp_expires", "timestamps"])


def due(now: dt.datetime | None = None):
    horizon = (now or timezone.now()) + dt.timedelta(days=settings.VANTHU_LTV_RENEW_DAYS)
    return LongTermEvidence.objects.due_for_renewal(horizon)


# What each stamping process was given (set in it by `_start`, after the fork).
_job: dict = {}


def _start(ts, roots: list) -> None:
    _job.update(ts=ts, roots=roots, context=ltv.gathering_context(roots))


def _stamp(current_id: str) -> tuple[ltv.Stamped, str]:
    """In a stamping process: read the file, renew its evidence, store the new bytes. No database."""
    stamped = ltv.renew(read_blob(current_id), ts=_job["ts"], roots=_job["roots"], context=_job["context"])
    return stamped, write_blob(stamped.data)


def renew_due(*, limit: int = 10_000, ts=None, roots=None, now: dt.datetime | None = None) -> dict:
    """Renew what is due, oldest expiry first; a file that fails is logged and left for the next run.

    The files are stamped by a few processes while this one writes the rows, in order and in
    batches: pyHanko's work on a file (reading it, validating its last timestamp, writing the
    update) is Python through and through, so threads would take turns on one core, and a
    timestamp authority across the Internet answers in tens of milliseconds, which the other
    processes fill. The processes are forked from this one and touch no database (reading and
    storing the bytes, pyHanko, the authority); each keeps its own validation context, so that
    the authority's chain is validated, and its CRLs and OCSP answers fetched, once a process."""
    roots = roots if roots is not None else ltv.trust_roots()
    ts = ts or ltv.timestamper()
    evidences = list(due(now).select_related("source")[:limit])
    renewed = failed = 0
    if not evidences:
        return {"renewed": renewed, "failed": failed}
    todo = iter(evidences)
    pending: deque = deque()
    workers = min(len(evidences), RENEW_PROCESSES)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_start, initargs=(ts, roots)) as pool:
        def top_up() -> None:
            while len(pending) < KEEP_BATCH + 2 * workers and (evidence := next(todo, None)) is not None:
                pending.append((evidence, pool.submit(_stamp, evidence.current_id)))

        top_up()
        while pending:
            # The next files in order, written together in one transaction while the processes
            # stamp those after them.
            batch = [pending.popleft() for _ in range(min(KEEP_BATCH, len(pending)))]
            top_up()
            done = []
            for evidence, future in batch:
                try:
                    done.append((evidence, *future.result()))
                except Exception:  # one unreadable file or TSA hiccup must not stop the others
                    log.exception("renewing the evidence of %s failed", evidence.source_id)
                    failed += 1
            if done:
                _keep_renewals(done)
                renewed += len(done)
    return {"renewed": renewed, "failed": failed}
