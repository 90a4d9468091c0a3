"""The archive's API schemas."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from vanthu.text import NOTE_MAX, Line, Text


class RetentionOut(Schema):
    id: int
    code: str
    label: str
    years: int | None


class RetentionList(Schema):
    items: list[RetentionOut]
    count: int


class HeadingOut(Schema):
    id: int
    code: str
    title: str


class CaseFileBrief(Schema):
    id: int
    code: str
    title: str
    year: int
    heading_id: int | None
    retention: str
    retention_label: str
    status: str
    status_label: str
    responsible_id: int | None
    responsible_name: str
    start_date: date | None
    end_date: date | None
    page_count: int
    document_count: int
    handover_due: date | None
    retention_until: date | None


class CaseItemOut(Schema):
    id: int
    position: int
    title: str
    document_id: int | None
    symbol: str
    record_sha256: str | None


class CaseFileOut(CaseFileBrief):
    organization_id: int
    file_list_id: int
    note: str
    contents_readable: bool
    items: list[CaseItemOut]
    contents_sheet_url: str | None


class CaseFileList(Schema):
    items: list[CaseFileBrief]
    count: int


class FileListOut(Schema):
    id: int
    organization_id: int
    year: int
    headings: list[HeadingOut]
    case_files: list[CaseFileBrief]


class FileListBrief(Schema):
    id: int
    organization_id: int
    year: int
    case_file_count: int


class FileListList(Schema):
    items: list[FileListBrief]
    count: int


class FileListIn(Schema):
    organization_id: int
    year: int = Field(ge=1945, le=2200)


class HeadingIn(Schema):
    code: Line(16)
    title: Line(255)


class EntryIn(Schema):
    code: Line(32)
    title: Line(500)
    retention: Line(16)
    heading_id: int | None = None
    responsible_id: int | None = None
    note: Text(NOTE_MAX) = ""


class AddDocumentIn(Schema):
    document_id: int


class OrderIn(Schema):
    item_ids: list[int] = Field(max_length=10_000)


class DocumentRef(Schema):
    id: int
    symbol: str
    subject: str
    issued_date: date | None


class DocumentRefList(Schema):
    items: list[DocumentRef]
    count: int


class HandoverIn(Schema):
    organization_id: int
    year: int = Field(ge=1945, le=2200)
    case_file_ids: list[int] = Field(max_length=10_000)


class HandoverOut(Schema):
    id: int
    organization_id: int
    year: int
    status: str
    status_label: str
    case_file_ids: list[int]
    handover_list_url: str
    record_url: str
    prepared_at: datetime
    unit_signed_at: datetime | None
    archive_signed_at: datetime | None


class HandoverList(Schema):
    items: list[HandoverOut]
    count: int


class AccessRequestIn(Schema):
    reason: Text(NOTE_MAX)


class DecideIn(Schema):
    approve: bool
    until: date | None = None
    note: Text(NOTE_MAX) = ""


class AccessRequestOut(Schema):
    id: int
    case_file_id: int
    case_file_code: str
    requester_id: int
    requester_name: str
    reason: str
    status: str
    until: date | None
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str


class AccessRequestList(Schema):
    items: list[AccessRequestOut]
    count: int


class DisposalIn(Schema):
    organization_id: int
    decision_id: int
    case_file_ids: list[int] = Field(max_length=10_000)


class DisposedFileOut(Schema):
    case_file_id: int
    code: str
    title: str
    retention: str
    contents: list[dict]


class DisposalOut(Schema):
    id: int
    organization_id: int
    decision_id: int
    decision_symbol: str
    disposed_at: datetime
    files: list[DisposedFileOut]


class DisposalList(Schema):
    items: list[DisposalOut]
    count: int


class ArchivistIn(Schema):
    organization_id: int
    user_id: int


class ArchivistOut(Schema):
    organization_id: int
    user_id: int
