"""Documents that enter from an older system (Lotus Notes) with the number they already had.

The one action `enter_legacy_document` puts an outgoing document in its organisation's register
as issued, or an incoming one in its incoming register as accepted, with its original number and
symbol, and raises the register's counter past it so that numbering continues after the highest
migrated number and never gives one twice (invariant 2). It is called by the migration app; it
creates no delivery to anyone (the document travelled long ago) and so notifies no one, and the
same classification rule as every other door refuses a classified one (invariant 5).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from django.db import transaction
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.errors import Classified, Unprocessable, VanThuError
from vanthu.organizations.models import NumberingStyle, Organization
from vanthu.text import clean_text

from . import events, numbering
from .actions import Upload, check_subject, clean_name
from .classification import check_marking
from .deliveries import first_events
from .models import (
    Delivery,
    DocSource,
    DocStatus,
    Document,
    DocumentFile,
    DocumentType,
    FileRole,
    RegisterCounter,
    StatusCode,
    StoredFile,
)
from .pdf import inspect_pdf
from .storage import write_blob

VIETNAM = timezone(timedelta(hours=7))
OUTGOING = "outgoing"
INCOMING = "incoming"


@dataclass(frozen=True)
class LegacyEntry:
    """What the older system's record says of a document."""

    register: str  # OUTGOING | INCOMING
    doc_type: DocumentType
    subject: str
    number: int | None
    symbol: str = ""
    issued_date: date | None = None
    term: str = ""  # the committee term its number belongs to (party numbering); "" = the current one
    issuer_name: str = ""  # incoming: who sent it, as written
    signer_name: str = ""
    incoming_number: int | None = None
    received_at: datetime | None = None
    created_at: datetime | None = None  # when the older system created it
    markings: tuple[str, ...] = ()  # every classification marking the record carries


def legacy_register_key(org: Organization, doc_type: DocumentType, *, on: date | None, term: str) -> str:
    """The outgoing register a migrated number belongs to: as `numbering.outgoing_register_key`,
    with the record's own term (or year, for state-style numbering)."""
    if org.numbering_style == NumberingStyle.STATE:
        if on is None:
            raise Unprocessable(_("Văn bản cũ thiếu ngày ban hành."), code="issued_date_required")
        return f"out:{on.year}"
    return f"out:{doc_type.code}:{term or org.term_key()}"


def raise_counter(org_id: int, key: str, number: int) -> None:
    """The register's counter is at least `number`: the next number given follows it."""
    RegisterCounter.objects.bulk_create([RegisterCounter(organization_id=org_id, key=key, last_number=0)], ignore_conflicts=True)
    RegisterCounter.objects.filter(organization_id=org_id, key=key, last_number__lt=number).update(last_number=number)


def store_file(upload: Upload) -> StoredFile:
    """Any file of an older record (Word, Excel, scans, PDF), stored by its hash. A PDF is read for
    its page count and text, and refused if it is stamped classified; one pypdf cannot read is
    kept as it is (the older system held it; losing it is worse)."""
    name = upload.name.lower()
    page_count, text = 0, ""
    if name.endswith(".pdf"):
        try:
            info = inspect_pdf(upload.data, upload.name)
            page_count, text = info.page_count, info.text
        except Classified:
            raise
        except VanThuError:
            pass
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    sha = write_blob(upload.data)
    # No get_or_create: its savepoint costs two statements per file of a migration's thousands.
    stored = StoredFile(sha256=sha, size=len(upload.data), content_type=ctype[:64], page_count=page_count, text=text[:1_000_000])
    StoredFile.objects.bulk_create([stored], ignore_conflicts=True)
    return stored


def enter_legacy_document(entry: LegacyEntry, *, organization: Organization, files: Sequence[Upload], user) -> Document:
    """Enter one document of an older system in its register (see the module's docstring).

    Runs in the caller's transaction when there is one (the migration keeps the legacy record and
    the document together: both or neither), and then rolls back with it on any error."""
    level = check_marking(*entry.markings)
    subject = check_subject(entry.subject)
    symbol = clean_text(entry.symbol, field="symbol", max_length=64, label=_("Số và ký hiệu"))
    signer_name = clean_text(entry.signer_name, field="signer_name", max_length=128, label=_("Người ký"))
    issuer_name = clean_text(entry.issuer_name, field="issuer_name", max_length=255, label=_("Cơ quan ban hành"))
    if entry.register not in (OUTGOING, INCOMING):
        raise Unprocessable(_("Sổ văn bản không hợp lệ."), code="invalid_register")
    if entry.register == OUTGOING and not entry.number:
        raise Unprocessable(_("Văn bản đi cũ thiếu số."), code="number_required", details={"field": "number"})
    # No savepoint of its own inside the caller's transaction: the migration wraps each call in one.
    with transaction.atomic(savepoint=False):
        stored = [(u, store_file(u)) for u in files]
        doc = Document(doc_type=entry.doc_type, subject=subject, confidentiality=level, issued_date=entry.issued_date,
                       signer_name=signer_name, created_by=user if getattr(user, "pk", None) else None,
                       page_count=stored[0][1].page_count if stored else 0)
        if entry.register == OUTGOING:
            _outgoing(doc, entry, organization, symbol)
        else:
            doc.issuer = None
            doc.external_issuer_name = issuer_name
            doc.status = DocStatus.EXTERNAL
            doc.source = DocSource.PEER
            doc.number = entry.number
            doc.symbol = symbol
            doc.save(force_insert=True)
            _incoming(doc, entry, organization, user)
        DocumentFile.objects.bulk_create([
            DocumentFile(document=doc, file=s, role=FileRole.MAIN if i == 0 else FileRole.ATTACHMENT,
                         name=clean_name(u.name)[:255] or s.sha256[:12], position=i)
            for i, (u, s) in enumerate(stored)])
        _backdate(doc, entry)
        events.document_changed.publish(document=doc, user=user)  # the search index follows
        record("legacy_document_entered", actor=user, obj=doc, data={
            "register": entry.register, "symbol": doc.symbol, "number": doc.number, "organization": organization.id})
    return doc


def _backdate(doc: Document, entry: LegacyEntry) -> None:
    """The document was created when the older system created it (never after it was issued or received)."""
    at = entry.created_at
    latest = doc.issued_at or entry.received_at
    if at is None or (latest is not None and at > latest):
        at = latest
    if at is not None:
        Document.objects.filter(pk=doc.pk).update(created_at=at)
        doc.created_at = at


def _outgoing(doc: Document, entry: LegacyEntry, org: Organization, symbol: str) -> None:
    key = legacy_register_key(org, entry.doc_type, on=entry.issued_date, term=entry.term)
    if Document.objects.filter(issuer=org, register_key=key, number=entry.number).exists():
        raise Unprocessable(
            _("Số %(number)s đã có trong sổ văn bản đi (%(key)s).") % {"number": entry.number, "key": key},
            code="number_taken", details={"number": entry.number, "register": key})
    doc.issuer = org
    doc.status = DocStatus.ISSUED
    doc.source = DocSource.INTERNAL
    doc.register_key = key
    doc.number = entry.number
    doc.symbol = symbol or numbering.format_symbol(org, entry.doc_type, entry.number)
    doc.place = org.place
    if entry.issued_date:  # the day is what the register knows; the hour is not
        doc.issued_at = datetime.combine(entry.issued_date, time(8), tzinfo=VIETNAM)
    doc.save(force_insert=True)
    raise_counter(org.id, key, entry.number)


def _incoming(doc: Document, entry: LegacyEntry, org: Organization, user) -> None:
    at = entry.received_at
    if at is None:
        raise Unprocessable(_("Văn bản đến cũ thiếu ngày đến."), code="received_required", details={"field": "received"})
    key = numbering.incoming_register_key(at.date())
    number = entry.incoming_number
    if number is None:
        number = numbering.next_number(org.id, key)
    elif Delivery.objects.filter(recipient=org, incoming_key=key, incoming_number=number).exists():
        raise Unprocessable(_("Số đến %(number)s đã có trong sổ văn bản đến (%(key)s).") % {"number": number, "key": key},
                            code="incoming_number_taken", details={"incoming_number": number, "register": key})
    else:
        raise_counter(org.id, key, number)
    delivery = Delivery.objects.create(document=doc, recipient=org, source="electronic", status_code=StatusCode.ACCEPTED,
                                       arrived_at=at, updated_at=at, accepted_at=at, incoming_key=key, incoming_number=number)
    first_events([delivery], notes={delivery.id: _("Chuyển từ Lotus Notes")}, user=user if getattr(user, "pk", None) else None)
