from __future__ import annotations

from datetime import date, datetime

from ninja import Schema

from vanthu.organizations.schemas import OrgRef
from vanthu.text import NOTE_MAX, Text


class DocumentTypeOut(Schema):
    code: str
    name: str


class FileOut(Schema):
    sha256: str
    name: str
    role: str
    size: int
    page_count: int
    url: str


class IssuerOut(Schema):
    id: int | None
    code: str
    name: str


class AnswerRef(Schema):
    delivery_id: int
    incoming_number: int | None
    document_id: int
    symbol: str
    subject: str


class DocumentOut(Schema):
    id: int
    status: str
    status_label: str
    source: str
    issuer: IssuerOut
    doc_type: str
    doc_type_name: str
    subject: str
    urgency: str
    confidentiality: str = "thuong"
    number: int | None
    symbol: str
    issued_at: datetime | None
    issued_date: date | None
    place: str
    signer_name: str
    signer_position: str
    signer_authority: str
    signer_id: int | None = None
    signatory_id: int | None = None
    stood_in_for: str = ""
    # When the signer stood in by a delegation: which one, and its form (K/T or Q.).
    delegation_id: int | None = None
    stood_in_form: str = ""
    due_date: date | None
    page_count: int
    recipients: list[OrgRef]
    files: list[FileOut]
    created_at: datetime
    approved_at: datetime | None
    submitted_at: datetime | None = None
    submitted_by: str = ""
    # Only in the document's own answer: the incoming records it answers (văn bản trả lời).
    answers: list[AnswerRef] = []


class DocumentBrief(Schema):
    id: int
    symbol: str
    subject: str
    doc_type: str
    urgency: str
    issuer: IssuerOut
    issued_at: datetime | None
    issued_date: date | None
    due_date: date | None


class ReplyDocumentRef(Schema):
    id: int
    symbol: str
    subject: str


class ReplyFileRef(Schema):
    name: str
    url: str


class EventOut(Schema):
    status_code: str
    status_label: str
    at: datetime
    by: str
    note: str


class DeliveryOut(Schema):
    id: int
    recipient: OrgRef
    source: str
    status_code: str
    status_label: str
    incoming_number: int | None
    reject_reason: str
    deadline: date | None
    updated_at: datetime
    # Who handles it there (the main handler), and the answer given on completion.
    handler_name: str = ""
    reply_document: ReplyDocumentRef | None = None
    reply_file: ReplyFileRef | None = None
    history: list[EventOut]


class InboxItem(Schema):
    id: int
    status_code: str
    status_label: str
    source: str
    incoming_number: int | None
    arrived_at: datetime
    updated_at: datetime
    deadline: date | None
    document: DocumentBrief


class InboxList(Schema):
    items: list[InboxItem]
    count: int


class DeliveryList(Schema):
    items: list[DeliveryOut]
    count: int


class DocumentTypeList(Schema):
    items: list[DocumentTypeOut]
    count: int


class RejectIn(Schema):
    reason: Text(NOTE_MAX)


class NoteIn(Schema):
    note: Text(NOTE_MAX) = ""
