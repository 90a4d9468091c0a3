"""Turning our records into edXML messages (and files on a USB stick)."""

from __future__ import annotations

import re

from django.utils import timezone

from vanthu.documents.models import Delivery, Document, FileRole
from vanthu.documents.storage import read_blob
from vanthu.organizations.models import Organization, OrgKind

from . import edxml, extras
from .models import InboundMessage, MessageKind, OutboxMessage
from .site import signing_material

SYMBOL_RE = re.compile(r"^(\d+)[-/](.+)$")


def split_symbol(document: Document) -> tuple[str, str]:
    """Number as written and notation: `02-CV/ĐU` → (`02`, `CV/ĐU`); `15/CV-UBND` → (`15`, `CV-UBND`)."""
    m = SYMBOL_RE.match(document.symbol or "")
    if m:
        return m.group(1), m.group(2)
    return str(document.number or ""), document.symbol or ""


def notation(document: Document) -> str:
    return split_symbol(document)[1]


def document_id_of(document: Document) -> str:
    number, note = split_symbol(document)
    return edxml.document_id(document.issuer.code, document.issued_date, number, note)


def _files(document: Document) -> list[edxml.FilePart]:
    """The authoritative (sealed) main file, then the attachments."""
    main = document.authoritative
    parts = []
    rows = [main] + [f for f in document.files.select_related("file").order_by("position") if f.role == FileRole.ATTACHMENT]
    for i, f in enumerate(r for r in rows if r is not None):
        name = f.name if i else f.name.replace(".sealed", "").replace(".signed", "")
        parts.append(edxml.FilePart(name=name, data=read_blob(f.file_id), content_type=f.file.content_type,
                                    description="Văn bản chính" if i == 0 else "Tài liệu kèm theo", content_id=f"file{i + 1}",
                                    sha256=f.file_id))
    return parts


def package_for(delivery: Delivery, *, message_id: str, business_type: int = 0, reason: str = "",
                staff_name: str = "") -> bytes:
    """The signed package of one issued document for one recipient."""
    doc = Document.objects.select_related("issuer", "doc_type", "authoritative_file__file").get(pk=delivery.document_id)
    recipient = Organization.objects.get(pk=delivery.recipient_id)
    pkg = edxml.Package(
        message_id=message_id, sender=edxml.Party(doc.issuer.code, doc.issuer.name),
        recipient=edxml.Party(recipient.code, recipient.name), code_number=split_symbol(doc)[0], code_notation=notation(doc),
        issued_date=doc.issued_date, place=doc.place or doc.issuer.place, type_code=doc.doc_type.code,
        type_name=doc.doc_type.name, subject=doc.subject, signer_authority=doc.signer_authority,
        signer_position=doc.signer_position, signer_name=doc.signer_name, due_date=doc.due_date,
        priority=doc.priority, page_count=doc.page_count, timestamp=timezone.now(), business_type=business_type,
        business_reason=reason, staff_name=staff_name, files=_files(doc) if business_type != 1 else [],
    )
    if business_type == 0:
        # A new document's package may carry what upper apps registered for it (extras.py).
        pkg.files += extras.for_delivery(delivery)
    key, cert = signing_material(doc.issuer)
    return edxml.signed_package(pkg, key, cert)


def status_for(row: OutboxMessage) -> bytes:
    """A status message about a document we received from a peer."""
    if row.delivery_id is None:
        return refusal_status_for(row)
    delivery = Delivery.objects.select_related("recipient", "document").get(pk=row.delivery_id)
    origin = InboundMessage.objects.filter(delivery=delivery, kind=MessageKind.PACKAGE).order_by("id").first()
    doc = delivery.document
    number, _sep, note = (origin.document_id_text.split(",", 2)[2] if origin else "/").partition("/")
    msg = edxml.StatusMessage(
        message_id=str(row.message_id), sender=edxml.Party(delivery.recipient.code, delivery.recipient.name),
        recipient=edxml.Party(doc.external_issuer_code, doc.external_issuer_name),
        document_id=origin.document_id_text if origin else "", code_number=number, code_notation=note,
        issued_date=doc.issued_date, status_code=row.status_code, description=row.description,
        timestamp=timezone.now(), staff_name=row.staff_name,
    )
    key, cert = signing_material(delivery.recipient)
    return edxml.sign(edxml.build_status(msg), key, cert)


def refusal_status_for(row: OutboxMessage) -> bytes:
    """The status refusing a staged package that never became a document (inbox.py): about the
    document the package named, from our organisation it was addressed to."""
    staged = row.staged
    ours = Organization.objects.exclude(kind=OrgKind.EXTERNAL).get(code=staged.recipient_code)
    theirs = Organization.objects.filter(code=staged.sender_code).first()
    number, _sep, note = (staged.document_id_text.split(",", 2)[2:] or ["/"])[0].partition("/")
    msg = edxml.StatusMessage(
        message_id=str(row.message_id), sender=edxml.Party(ours.code, ours.name),
        recipient=edxml.Party(staged.sender_code, theirs.name if theirs else ""), document_id=staged.document_id_text,
        code_number=number, code_notation=note, issued_date=staged.issued_date, status_code=row.status_code,
        description=row.description, timestamp=timezone.now(), staff_name=row.staff_name,
    )
    key, cert = signing_material(ours)
    return edxml.sign(edxml.build_status(msg), key, cert)


def message_bytes(row: OutboxMessage) -> bytes:
    if row.kind == MessageKind.STATUS:
        return status_for(row)
    return package_for(row.delivery, message_id=str(row.message_id), business_type=row.business_type,
                       reason=row.description, staff_name=row.staff_name)
