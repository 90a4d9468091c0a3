"""How the signatures app follows the core's events (wired in `apps.py`)."""

from __future__ import annotations

from functools import partial

from vanthu.audit.chain import record
from vanthu.documents import events
from vanthu.documents.models import Delivery, Document, FileRole
from vanthu.documents.signing import SignedCopy

from . import tasks
from .actions import apply_arrival_policy, store_report
from .models import SignatureReport
from .verify import Report


def document_entered(document: Document, **_event) -> None:
    """Queued with the action (`events.queue_work`): the entered PDF's signatures are checked in
    the background after the commit (revocation data may be fetched, which no request and no
    transaction should wait for)."""
    tasks.verify_entered.enqueue(document.id)


def document_approved(document: Document, user, signed: SignedCopy | None, **_event) -> None:
    """In the approval's transaction: the leader's signed copy entered."""
    if signed is not None:
        record("document_signed", actor=user, obj=document, data={"file": signed.file.file_id, **(signed.evidence or {})})


def document_issued(document: Document, deliveries: list[Delivery], sealed: SignedCopy | None, **_event) -> None:
    """In the issuing transaction, before the statistics count it: the sealed copy's report, and
    each recipient's arrival check by it. Without a seal the report made when the file entered
    still holds; if the background check has not finished yet, it applies the check itself."""
    if sealed is not None and not isinstance(sealed.evidence, Report):
        # Sealed by a signer that checked nothing: the copy is checked in the background.
        events.queue_work(partial(tasks.verify_entered.enqueue, document.id), name="verify_entered")
        return
    if sealed is not None:
        report = store_report(document, sealed.file, sealed.evidence)
    else:
        of_file = ({"document_file_id": document.authoritative_file_id} if document.authoritative_file_id
                   else {"document_file__role": FileRole.MAIN})
        report = SignatureReport.objects.filter(document_id=document.id, **of_file).order_by("-checked_at", "-id").first()
    if report is not None:
        apply_arrival_policy(deliveries, report)
    else:
        # The file that counts was never checked (the leader's signed copy, issued without a
        # seal): checked in the background, and the statistics take the verdict when it comes.
        events.queue_work(partial(tasks.verify_entered.enqueue, document.id), name="verify_entered")
