"""The staged inbox: a peer's package is acknowledged once it is safely kept, and checked after.

    peer POSTs ──► door: peer known, body within its cap, streamed to the store while its MAC
                   and SHA-256 are computed, stored only if the MAC matches ──►
                   StagedPackage + its task in ONE transaction ──► 200 {"status": "staged"}
    worker ──► receive_staged: parse, sender, envelope signature, digests, freshness (at the
               moment it reached the door), marking, recipient, PDFs (stamp check), duplicate
               by DocumentId ──► the document and its delivery (documents' actions) ──► accepted
                                  │
                                  └─ refused ──► Refusal + audit, a status back to the sender
                                                 (02, or 16 for a recall/update/replace), the
                                                 stored body deleted

What the door checks before the acknowledgement is what a sender must hear at once and what
protects the door itself: an unknown peer, a peer without a key, a body too large, a bad MAC
(views.py); nothing of the body is parsed there. The row and its task commit together
(`events.queue_work`), so an acknowledged package is never lost: a worker that dies mid-way
leaves the row staged, and the next worker start picks it up. A package posted twice (its
acknowledgement lost) is staged twice and recorded once: the worker finds the first by its
DocumentId and only marks the second a duplicate.

A refused package never becomes a document, and its bytes do not stay in the file store
(invariant 5); the row keeps what the administrator needs (who, when, why, which document). An
accepted package's body is kept: it is what the peer signed.
The status back goes through the outbox like any other, signed by our organisation the package
was addressed to; a package too broken to say which document it carries, or addressed to an
organisation not ours, cannot be answered and is only logged.
"""

from __future__ import annotations

import logging
import time
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from vanthu.audit.chain import record
from vanthu.documents.events import queue_work
from vanthu.documents.models import StatusCode
from vanthu.documents.storage import BlobMissing, discard_unreferenced, read_blob
from vanthu.organizations.models import Organization, OrgKind

from .models import (
    BusinessType,
    InboundMessage,
    MessageKind,
    Peer,
    RemoteOrganization,
    StagedPackage,
    StagedState,
)
from .outbox import queue
from .receiving import Answer, Refused, Seen, check_and_record, refuse

log = logging.getLogger(__name__)


def stage(sha256: str, size: int, *, peer: Peer, site: str = "", remote_addr: str = "") -> Answer:
    """Queue the checks of an authenticated peer's package, its body already stored (the door
    streams it to the store as it reads it, views.py): the rest of the door's work."""
    with transaction.atomic():
        row = StagedPackage.objects.create(peer=peer, site_id=site[:64], remote_addr=remote_addr[:64], body_sha256=sha256,
                                           size=size, received_at=timezone.now())
        queue_work(partial(receive_staged.enqueue, row.id), name="exchange.receive_staged")
    return Answer(200, {"status": "staged", "staged_id": row.id})


@task()
def receive_staged(staged_id: int) -> str:
    """The worker's part: check and record a staged package, or refuse it. Its outcome."""
    return process(staged_id)


def process(staged_id: int) -> str:
    row = StagedPackage.objects.select_related("peer").filter(pk=staged_id).first()
    if row is None:
        return "missing"
    if row.state != StagedState.STAGED:  # done by another run of the task
        if row.state in (StagedState.REFUSED, StagedState.DUPLICATE):
            _discard(row)
        return row.state
    started = time.perf_counter()
    seen = Seen()
    try:
        try:
            data = read_blob(row.body_sha256)
        except BlobMissing:
            raise Refused(410, "body_missing", _("Không còn nội dung gói tin đã nhận để kiểm tra.")) from None
        answer = check_and_record(data, peer=row.peer, seen=seen, arrived_at=row.received_at)
    except Refused as exc:
        _refused(row, exc, seen, started)
        return StagedState.REFUSED
    state = StagedState.DUPLICATE if answer.body.get("status") == "duplicate" else StagedState.ACCEPTED
    _describe(row, seen)
    if _done(row, started, state=state, delivery_id=answer.body.get("delivery_id")) and state == StagedState.DUPLICATE:
        _discard(row)
    return state


def _describe(row: StagedPackage, seen: Seen) -> None:
    h = seen.header
    if h is not None:
        row.message_id, row.document_id_text, row.business_type = h.message_id[:64], h.document_id[:255], h.business_type
        row.sender_code, row.recipient_code, row.issued_date = h.sender.code[:35], h.recipient.code[:35], h.issued_date


def _done(row: StagedPackage, started: float, **fields) -> bool:
    """Record the outcome, if no other run of the task recorded one first (False then)."""
    row.processed_at = timezone.now()
    row.processing_ms = round((time.perf_counter() - started) * 1000)
    for name, value in fields.items():
        setattr(row, name, value)
    return bool(StagedPackage.objects.filter(pk=row.pk, state=StagedState.STAGED).update(
        processed_at=row.processed_at, processing_ms=row.processing_ms, message_id=row.message_id,
        document_id_text=row.document_id_text, business_type=row.business_type, sender_code=row.sender_code,
        recipient_code=row.recipient_code, issued_date=row.issued_date, **fields))


def _refused(row: StagedPackage, exc: Refused, seen: Seen, started: float) -> None:
    """Log it for the administrator, tell the sender when we can, and let go of its bytes."""
    _describe(row, seen)
    with transaction.atomic():
        if not _done(row, started, state=StagedState.REFUSED, code=exc.code[:64], detail=exc.message[:2000]):
            return  # another run of the task got there first
        refuse(exc.http_status, exc.code, exc.message, peer=row.peer, site=row.site_id, remote_addr=row.remote_addr, size=row.size)
        answered = _answer_sender(row, exc)
        record("exchange_package_refused", obj=row, data={"peer": row.peer_id, "code": exc.code, "document_id": row.document_id_text,
                                                          "message": row.message_id, "status_sent": answered})
    _discard(row)


def _answer_sender(row: StagedPackage, exc: Refused) -> bool:
    """A status back, when the package said which document and which of our organisations:
    02 refuses a new document, 16 a recall, update or replacement."""
    if not row.document_id_text or not row.recipient_code:
        return False
    ours = Organization.objects.active().exclude(kind=OrgKind.EXTERNAL).filter(code=row.recipient_code).exists()
    theirs = RemoteOrganization.objects.filter(peer=row.peer, organization__code=row.sender_code).exists()
    if not (ours and theirs):
        return False
    if row.business_type == BusinessType.NEW and InboundMessage.objects.filter(
            document_id_text=row.document_id_text, kind=MessageKind.PACKAGE, business_type=BusinessType.NEW,
            delivery__recipient__code=row.recipient_code).exists():
        return False  # a broken copy of a document we hold: the sender's delivery stays as it is
    code = StatusCode.REJECTED if row.business_type == BusinessType.NEW else StatusCode.RECALL_REFUSED
    queue(peer_id=row.peer_id, kind=MessageKind.STATUS, delivery=None, staged=row, status_code=code,
          description=_("Hệ thống nơi nhận từ chối gói tin: %(why)s") % {"why": exc.message})
    return True


def _discard(row: StagedPackage) -> None:
    """Delete the stored body unless another staged row still needs the same bytes."""
    others = StagedPackage.objects.filter(body_sha256=row.body_sha256).exclude(pk=row.pk).filter(
        Q(state=StagedState.STAGED) | Q(state=StagedState.ACCEPTED)).exists()
    if not others:
        try:
            discard_unreferenced(row.body_sha256)
        except OSError:  # the row says refused; the next run of the task tries again
            log.exception("exchange: could not delete the body of staged package %s", row.pk)


def pick_up() -> int:
    """At a worker's start: the staged packages a killed worker (or a lost task) left behind."""
    ids = list(StagedPackage.objects.filter(state=StagedState.STAGED).order_by("id").values_list("id", flat=True))
    for staged_id in ids:
        receive_staged.enqueue(staged_id)
    return len(ids)
