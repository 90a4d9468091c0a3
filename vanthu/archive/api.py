"""The archive over the API: file lists, case files, handover, reading requests, disposal."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from vanthu.documents.storage import path_for
from vanthu.errors import NotFound, TooLarge
from vanthu.organizations.models import Organization
from vanthu.text import Line

from . import access, actions, queries
from .models import (
    AccessRequest,
    CaseFile,
    CaseStatus,
    Disposal,
    FileList,
    Handover,
    RetentionPeriod,
)
from .package import export_package
from .schemas import (
    AccessRequestIn,
    AccessRequestList,
    AccessRequestOut,
    AddDocumentIn,
    ArchivistIn,
    ArchivistOut,
    CaseFileList,
    CaseFileOut,
    CaseItemOut,
    DecideIn,
    DisposalIn,
    DisposalList,
    DisposalOut,
    DocumentRefList,
    EntryIn,
    FileListIn,
    FileListList,
    FileListOut,
    HandoverIn,
    HandoverList,
    HandoverOut,
    HeadingIn,
    HeadingOut,
    OrderIn,
    RetentionList,
)

router = Router(tags=["archive"])
MAX_OFFSET = 1_000_000_000


def _org(user, org_id: int) -> Organization:
    access.require_member(user, org_id)
    return Organization.objects.get(id=org_id)


# --- serialising ---------------------------------------------------------------------------------

def case_brief(c: CaseFile) -> dict:
    return {"id": c.id, "code": c.code, "title": c.title, "year": c.file_list.year, "heading_id": c.heading_id,
            "retention": c.retention.code, "retention_label": c.retention.label, "status": c.status,
            "status_label": c.get_status_display(), "responsible_id": c.responsible_id,
            "responsible_name": c.responsible.get_full_name() if c.responsible_id else "",
            "start_date": c.start_date, "end_date": c.end_date, "page_count": c.page_count, "document_count": c.document_count,
            "handover_due": c.handover_due, "retention_until": c.retention_until}


def case_out(user, c: CaseFile) -> dict:
    readable = access.may_read_contents(user, c)
    items = [{"id": i.id, "position": i.position, "title": i.title, "document_id": i.document_id,
              "symbol": i.document.symbol if i.document_id else "", "record_sha256": i.record_id}
             for i in c.items.select_related("document").order_by("position", "id")] if readable else []
    return {**case_brief(c), "organization_id": c.organization_id, "file_list_id": c.file_list_id, "note": c.note,
            "contents_readable": readable, "items": items,
            "contents_sheet_url": f"/api/v1/archive/case-files/{c.id}/contents-sheet" if c.contents_sheet_id else None}


def handover_out(h: Handover) -> dict:
    return {"id": h.id, "organization_id": h.organization_id, "year": h.year, "status": h.status,
            "status_label": h.get_status_display(), "case_file_ids": sorted(c.id for c in h.case_files.all()),
            "handover_list_url": f"/api/v1/archive/handovers/{h.id}/list.pdf",
            "record_url": f"/api/v1/archive/handovers/{h.id}/record.pdf", "prepared_at": h.prepared_at,
            "unit_signed_at": h.unit_signed_at, "archive_signed_at": h.archive_signed_at}


def request_out(r: AccessRequest) -> dict:
    return {"id": r.id, "case_file_id": r.case_file_id, "case_file_code": r.case_file.code, "requester_id": r.requester_id,
            "requester_name": r.requester.get_full_name(), "reason": r.reason, "status": r.status, "until": r.until,
            "requested_at": r.requested_at, "decided_at": r.decided_at, "decision_note": r.decision_note}


def disposal_out(d: Disposal) -> dict:
    return {"id": d.id, "organization_id": d.organization_id, "decision_id": d.decision_id, "decision_symbol": d.decision.symbol,
            "disposed_at": d.disposed_at,
            "files": [{"case_file_id": f.case_file_id, "code": f.code, "title": f.title, "retention": f.retention,
                       "contents": f.contents} for f in d.files.all()]}


def _pdf(sha256: str, name: str) -> FileResponse:
    path = path_for(sha256)
    if not path.exists():
        raise NotFound(_("Tệp không còn trong kho (đã hủy)."), code="file_gone")
    resp = FileResponse(open(path, "rb"), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{name}"'
    return resp


# --- retention and file lists ---------------------------------------------------------------------

@router.get("/archive/retention-periods", response=RetentionList, summary="Danh mục thời hạn bảo quản")
def list_retention_periods(request):
    items = list(RetentionPeriod.objects.all())
    return {"items": items, "count": len(items)}


@router.post("/archive/archivists", response={201: ArchivistOut}, summary="Phân công người làm lưu trữ")
def appoint_archivist(request, payload: ArchivistIn):
    row = actions.appoint_archivist(user=request.user, organization=_org(request.user, payload.organization_id), person_id=payload.user_id)
    return Status(201, {"organization_id": row.organization_id, "user_id": row.user_id})


@router.get("/archive/file-lists", response=FileListList, summary="Danh mục hồ sơ các năm của đơn vị")
def list_file_lists(request, organization_id: int):
    _org(request.user, organization_id)
    items = [{"id": fl.id, "organization_id": fl.organization_id, "year": fl.year, "case_file_count": fl.n}
             for fl in queries.file_lists(organization_id)]
    return {"items": items, "count": len(items)}


@router.post("/archive/file-lists", response={201: FileListOut}, summary="Lập danh mục hồ sơ của một năm")
def create_file_list(request, payload: FileListIn):
    fl = actions.create_file_list(user=request.user, organization=_org(request.user, payload.organization_id), year=payload.year)
    return Status(201, file_list_out(fl))


def file_list_out(fl: FileList) -> dict:
    return {"id": fl.id, "organization_id": fl.organization_id, "year": fl.year,
            "headings": list(fl.headings.all()), "case_files": [case_brief(c) for c in fl.case_files.with_related()]}


@router.get("/archive/file-lists/{file_list_id}", response=FileListOut, summary="Một danh mục hồ sơ")
def get_file_list(request, file_list_id: int):
    return file_list_out(access.get_file_list(request.user, file_list_id))


@router.post("/archive/file-lists/{file_list_id}/headings", response={201: HeadingOut}, summary="Thêm đề mục")
def add_heading(request, file_list_id: int, payload: HeadingIn):
    fl = access.get_file_list(request.user, file_list_id)
    return Status(201, actions.add_heading(fl, user=request.user, code=payload.code, title=payload.title))


@router.post("/archive/file-lists/{file_list_id}/case-files", response={201: CaseFileOut}, summary="Thêm hồ sơ vào danh mục")
def add_entry(request, file_list_id: int, payload: EntryIn):
    fl = access.get_file_list(request.user, file_list_id)
    cf = actions.add_entry(fl, user=request.user, code=payload.code, title=payload.title, retention=payload.retention,
                           heading_id=payload.heading_id, responsible_id=payload.responsible_id, note=payload.note)
    return Status(201, case_out(request.user, access.get_case_file(request.user, cf.id)))


# --- case files --------------------------------------------------------------------------------------

class CaseFilesIn(Schema):
    organization_id: int
    year: int | None = Field(None, ge=1945, le=2200)
    status: Line(16) = ""
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@router.get("/archive/case-files", response=CaseFileList, summary="Hồ sơ của đơn vị")
def list_case_files(request, params: Query[CaseFilesIn]):
    _org(request.user, params.organization_id)
    qs = queries.case_files(params.organization_id, year=params.year, status=params.status)
    return {"items": [case_brief(c) for c in qs[params.offset:params.offset + params.limit]], "count": qs.count()}


@router.get("/archive/case-files/{case_file_id}", response=CaseFileOut, summary="Một hồ sơ")
def get_case_file(request, case_file_id: int):
    return case_out(request.user, access.get_case_file(request.user, case_file_id))


@router.post("/archive/case-files/{case_file_id}/open", response=CaseFileOut, summary="Mở hồ sơ (bắt đầu lập)")
def open_case_file(request, case_file_id: int):
    cf = actions.open_case_file(access.get_case_file(request.user, case_file_id), user=request.user)
    return case_out(request.user, access.get_case_file(request.user, cf.id))


@router.post("/archive/case-files/{case_file_id}/documents", response={201: CaseItemOut}, summary="Đưa văn bản vào hồ sơ")
def add_document(request, case_file_id: int, payload: AddDocumentIn):
    item = actions.add_document(access.get_case_file(request.user, case_file_id), user=request.user, document_id=payload.document_id)
    return Status(201, {"id": item.id, "position": item.position, "title": item.title, "document_id": item.document_id,
                 "symbol": item.document.symbol, "record_sha256": None})


@router.post("/archive/case-files/{case_file_id}/records", response={201: CaseItemOut}, summary="Đưa tài liệu (PDF) vào hồ sơ")
def add_record(request, case_file_id: int, title: Form[Line(1000)], file: File[UploadedFile], dated: Form[date | None] = None):
    cf = access.get_case_file(request.user, case_file_id)
    if file.size is not None and file.size > settings.MAX_UPLOAD_BYTES:
        raise TooLarge(_("Tệp %(name)s vượt quá giới hạn %(mb)s MB.") % {"name": file.name, "mb": settings.MAX_UPLOAD_MB})
    item = actions.add_record(cf, user=request.user, name=file.name or "", data=file.read(), title=title, dated=dated)
    return Status(201, {"id": item.id, "position": item.position, "title": item.title, "document_id": None, "symbol": "",
                 "record_sha256": item.record_id})


@router.post("/archive/case-files/{case_file_id}/items/{item_id}/remove", response={204: None}, summary="Bỏ văn bản khỏi hồ sơ")
def remove_item(request, case_file_id: int, item_id: int):
    actions.remove_item(access.get_case_file(request.user, case_file_id), user=request.user, item_id=item_id)
    return Status(204, None)


@router.get("/archive/case-files/{case_file_id}/items/{item_id}/file", response={200: None}, summary="Đọc tệp của văn bản trong hồ sơ")
def item_file(request, case_file_id: int, item_id: int):
    cf = access.get_case_file(request.user, case_file_id)
    item = access.get_item(request.user, cf, item_id)
    if not access.may_read_contents(request.user, cf):
        raise NotFound(_("Hồ sơ đã nộp lưu: cần đề nghị khai thác được duyệt."), code="case_file_not_readable")
    if item.record_id:
        return _pdf(item.record_id, f"{item.record_id[:16]}.pdf")
    target = item.document.authoritative
    if target is None:
        raise NotFound(_("Văn bản không có tệp."), code="file_not_found")
    return _pdf(target.file_id, f"{target.file_id[:16]}.pdf")


@router.post("/archive/case-files/{case_file_id}/order", response=CaseFileOut, summary="Sắp xếp văn bản trong hồ sơ")
def order_items(request, case_file_id: int, payload: OrderIn):
    cf = access.get_case_file(request.user, case_file_id)
    actions.order_items(cf, user=request.user, item_ids=payload.item_ids)
    return case_out(request.user, access.get_case_file(request.user, case_file_id))


@router.get("/archive/case-files/{case_file_id}/proposals", response=DocumentRefList, summary="Văn bản đề xuất đưa vào hồ sơ")
def proposals(request, case_file_id: int):
    items = list(queries.proposals(access.get_case_file(request.user, case_file_id)))
    return {"items": items, "count": len(items)}


@router.post("/archive/case-files/{case_file_id}/close", response=CaseFileOut, summary="Kết thúc hồ sơ")
def close_case_file(request, case_file_id: int):
    cf = actions.close_case_file(access.get_case_file(request.user, case_file_id), user=request.user)
    return case_out(request.user, access.get_case_file(request.user, cf.id))


@router.post("/archive/case-files/{case_file_id}/reopen", response=CaseFileOut, summary="Mở lại hồ sơ đã kết thúc")
def reopen_case_file(request, case_file_id: int):
    cf = actions.reopen_case_file(access.get_case_file(request.user, case_file_id), user=request.user)
    return case_out(request.user, access.get_case_file(request.user, cf.id))


@router.get("/archive/case-files/{case_file_id}/contents-sheet", response={200: None}, summary="Mục lục văn bản (PDF)")
def contents_sheet(request, case_file_id: int):
    cf = access.get_case_file(request.user, case_file_id)
    if not cf.contents_sheet_id:
        raise NotFound(_("Hồ sơ chưa kết thúc, chưa có mục lục văn bản."), code="contents_sheet_not_found")
    return _pdf(cf.contents_sheet_id, f"muc-luc-{cf.id}.pdf")


class YearIn(Schema):
    organization_id: int
    year: int = Field(ge=1945, le=2200)


@router.get("/archive/case-files/{case_file_id}/package", response={200: None}, summary="Gói lưu trữ của hồ sơ (ZIP)")
def case_file_package(request, case_file_id: int):
    """The case file as an archival package (BagIt, ZIP): its documents' files, metadata, manifests."""
    cf = access.get_case_file(request.user, case_file_id)
    if not access.may_read_contents(request.user, cf):
        raise NotFound(_("Hồ sơ đã nộp lưu: cần đề nghị khai thác được duyệt."), code="case_file_not_readable")
    tmp = tempfile.TemporaryDirectory(prefix="vanthu-package-")
    target = Path(tmp.name) / "package.zip"
    export_package(cf.organization, target, case_file_ids=[cf.id], as_zip=True)
    resp = FileResponse(open(target, "rb"), content_type="application/zip", as_attachment=True,
                        filename=f"ho-so-{cf.file_list.year}-{cf.code}.zip")
    resp._vanthu_tmp = tmp  # removed with the response, once sent
    return resp


@router.get("/archive/unfiled", response=DocumentRefList, summary="Văn bản chưa lập hồ sơ trong năm")
def unfiled(request, params: Query[YearIn]):
    _org(request.user, params.organization_id)
    qs = queries.unfiled(params.organization_id, params.year)
    return {"items": list(qs[:500]), "count": qs.count()}


@router.get("/archive/handover-due", response=CaseFileList, summary="Hồ sơ đến hạn, quá hạn nộp lưu")
def handover_due(request, organization_id: int):
    _org(request.user, organization_id)
    qs = queries.case_files(organization_id, status=CaseStatus.CLOSED).order_by("handover_due", "code")
    return {"items": [case_brief(c) for c in qs[:1000]], "count": qs.count()}


@router.get("/archive/past-retention", response=CaseFileList, summary="Hồ sơ hết thời hạn bảo quản")
def past_retention(request, organization_id: int):
    _org(request.user, organization_id)
    qs = CaseFile.objects.of_organization(organization_id).past_retention().with_related().order_by("retention_until", "code")
    return {"items": [case_brief(c) for c in qs[:1000]], "count": qs.count()}


# --- handover ------------------------------------------------------------------------------------------

@router.post("/archive/handovers", response={201: HandoverOut}, summary="Lập mục lục và biên bản nộp lưu")
def prepare_handover(request, payload: HandoverIn):
    h = actions.prepare_handover(user=request.user, organization=_org(request.user, payload.organization_id), year=payload.year,
                                 case_file_ids=payload.case_file_ids)
    return Status(201, handover_out(h))


@router.get("/archive/handovers", response=HandoverList, summary="Các lần nộp lưu của đơn vị")
def list_handovers(request, organization_id: int):
    _org(request.user, organization_id)
    items = [handover_out(h) for h in Handover.objects.filter(organization_id=organization_id).prefetch_related("case_files")[:200]]
    return {"items": items, "count": len(items)}


@router.get("/archive/handovers/{handover_id}", response=HandoverOut, summary="Một lần nộp lưu")
def get_handover(request, handover_id: int):
    return handover_out(access.get_handover(request.user, handover_id))


@router.post("/archive/handovers/{handover_id}/sign", response=HandoverOut, summary="Ký biên bản giao nhận")
def sign_handover(request, handover_id: int):
    return handover_out(actions.sign_handover(access.get_handover(request.user, handover_id), user=request.user))


@router.get("/archive/handovers/{handover_id}/record.pdf", response={200: None}, summary="Biên bản giao nhận (PDF)")
def handover_record(request, handover_id: int):
    h = access.get_handover(request.user, handover_id)
    return _pdf(h.record_id, f"bien-ban-{h.id}.pdf")


@router.get("/archive/handovers/{handover_id}/list.pdf", response={200: None}, summary="Mục lục hồ sơ nộp lưu (PDF)")
def handover_list(request, handover_id: int):
    h = access.get_handover(request.user, handover_id)
    return _pdf(h.handover_list_id, f"muc-luc-nop-luu-{h.id}.pdf")


# --- reading requests ----------------------------------------------------------------------------------

@router.post("/archive/case-files/{case_file_id}/access-requests", response={201: AccessRequestOut}, summary="Đề nghị khai thác hồ sơ")
def request_access(request, case_file_id: int, payload: AccessRequestIn):
    req = actions.request_access(access.get_case_file(request.user, case_file_id), user=request.user, reason=payload.reason)
    return Status(201, request_out(AccessRequest.objects.select_related("case_file", "requester").get(pk=req.pk)))


@router.get("/archive/access-requests", response=AccessRequestList, summary="Đề nghị khai thác (của tôi, hoặc cả đơn vị với lưu trữ viên)")
def list_access_requests(request, organization_id: int):
    _org(request.user, organization_id)
    qs = AccessRequest.objects.filter(organization_id=organization_id).select_related("case_file", "requester")
    if not access.is_archivist(request.user, organization_id):
        qs = qs.filter(requester=request.user)
    items = [request_out(r) for r in qs[:500]]
    return {"items": items, "count": len(items)}


@router.post("/archive/access-requests/{request_id}/decide", response=AccessRequestOut, summary="Duyệt đề nghị khai thác")
def decide_access(request, request_id: int, payload: DecideIn):
    req = actions.decide_access(access.get_access_request(request.user, request_id), user=request.user, approve=payload.approve,
                                until=payload.until, note=payload.note)
    return request_out(AccessRequest.objects.select_related("case_file", "requester").get(pk=req.pk))


# --- disposal ---------------------------------------------------------------------------------------------

@router.post("/archive/disposals", response={201: DisposalOut}, summary="Hủy hồ sơ hết giá trị theo quyết định")
def dispose(request, payload: DisposalIn):
    d = actions.dispose(user=request.user, organization=_org(request.user, payload.organization_id), decision_id=payload.decision_id,
                        case_file_ids=payload.case_file_ids)
    return Status(201, disposal_out(Disposal.objects.select_related("decision").prefetch_related("files").get(pk=d.pk)))


@router.get("/archive/disposals", response=DisposalList, summary="Hồ sơ đã hủy và quyết định hủy")
def list_disposals(request, organization_id: int):
    qs = access.disposals_of(request.user, organization_id).select_related("decision").prefetch_related("files")
    items = [disposal_out(d) for d in qs[:200]]
    return {"items": items, "count": len(items)}
