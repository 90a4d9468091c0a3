"""Member records in the API: lists and records, transfers, rankings, statistics, Excel import and export.

Everything here answers 404 to anyone but a records officer of the organisation concerned (access.py),
and each read of personal data writes an audit entry naming who read it.
"""

from __future__ import annotations

import json
from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from vanthu.errors import TooLarge
from vanthu.text import Line

from . import access, actions, exports, importing, peer_transfers, rankings_import, statistics
from .models import (
    CommitteeTerm,
    Grade,
    IncomingStatus,
    IncomingTransfer,
    MemberRanking,
    MemberStatus,
    MemberVersion,
    OrgChange,
    PartyMember,
    PartyOrganization,
    Transfer,
    TransferStatus,
)
from .schemas import (
    ImportOut,
    IncomingTransferList,
    IncomingTransferOut,
    MemberHistoryItem,
    MemberIn,
    MemberOut,
    MemberRankingOut,
    OrgRankingOut,
    PartyMemberList,
    PartyOrgOut,
    ProfileIn,
    RankImportOut,
    RankingIn,
    RankingsOut,
    RefuseIn,
    SearchText,
    StatsOut,
    StatusIn,
    TransferIn,
    TransferList,
    TransferOut,
)

router = Router(tags=["membership"])
MAX_OFFSET = 1_000_000
GRADES = dict(Grade.choices)
STATUSES = dict(MemberStatus.choices)


class MemberFilter(Schema):
    organization_id: int | None = None
    q: SearchText = ""
    status: MemberStatus | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class TransferFilter(Schema):
    organization_id: int | None = None
    status: TransferStatus | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class IncomingTransferFilter(Schema):
    status: IncomingStatus | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class StatsQuery(Schema):
    organization_id: int | None = None
    as_of: date | None = None


class StatsExportQuery(StatsQuery):
    format: Line(4) = Field("xlsx", pattern="^(xlsx|pdf)$")


class RankQuery(Schema):
    organization_id: int | None = None
    year: int = Field(..., ge=1930, le=2100)


LIST_FIELDS = ("id", "full_name", "gender", "birth_date", "card_number", "admitted_on", "official_on", "organization_id",
               "organization__name", "status")


def list_item(r: dict) -> dict:
    return {**{k: r[k] for k in LIST_FIELDS if k != "organization__name"}, "organization_name": r["organization__name"],
            "status_label": str(STATUSES[r["status"]])}


def member_out(m: PartyMember, *, reveal: bool) -> dict:
    out = {f: getattr(m, f) for f in ("id", "full_name", "gender", "birth_date", "card_number", "admitted_on", "official_on",
                                      "organization_id", "status", "other_names", "birth_place", "ethnicity", "religion",
                                      "job", "position", "education", "qualification", "theory_level", "it_level",
                                      "foreign_language", "awards", "disciplines", "status_date")}
    out.update(organization_name=m.organization.name, status_label=str(STATUSES[m.status]),
               id_number=m.id_number if reveal else m.masked_id_number, id_number_masked=not reveal,
               rankings=[{"member_id": m.id, "year": r.year, "grade": r.grade, "grade_label": str(GRADES[r.grade])}
                         for r in MemberRanking.objects.filter(member=m).order_by("-year")])
    return out


def transfer_out(t: Transfer) -> dict:
    return {"id": t.id, "member_id": t.member_id, "member_name": t.member.full_name, "from_organization_id": t.from_org_id,
            "from_organization_name": t.from_org.name, "to_organization_id": t.to_org_id, "to_organization_name": t.to_org.name,
            "status": t.status, "issued_at": t.issued_at, "accepted_at": t.accepted_at, "effective_on": t.effective_on,
            "letter_id": t.letter_id, "answer_note": t.answer_note}


def incoming_out(t: IncomingTransfer) -> dict:
    return {"id": t.id, "status": t.status, "from_organization_id": t.from_org_id, "from_organization_name": t.from_org.name,
            "to_organization_id": t.to_org_id, "to_organization_name": t.to_org.name, "document_id": t.delivery.document_id,
            "received_at": t.received_at, "note": t.note, "member_id": t.member_id, "decided_at": t.decided_at,
            "answer_note": t.answer_note, "record": {**t.record, "id_number": t.masked_id_number}}


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    r = HttpResponse(data, content_type=importing.XLSX)
    r["Content-Disposition"] = f'attachment; filename="{filename}"'
    r["Cache-Control"] = "no-store"  # personal data: never kept by a proxy or the browser's cache
    return r


def member_rows(user, params_org: int | None, q: str = "", status: str | None = None):
    qs = PartyMember.objects.filter(organization_id__in=access.scope_ids(user, params_org))
    if status:
        qs = qs.filter(status=status)
    return qs.search(q)


# --- members -----------------------------------------------------------------------------------------

@router.get("/party-members", response=PartyMemberList, summary="Danh sách đảng viên")
def list_members(request: HttpRequest, params: Query[MemberFilter]):
    """`q` finds a name typed with or without diacritics, or a card number by its beginning."""
    qs = member_rows(request.user, params.organization_id, params.q, params.status)
    items = [list_item(r) for r in qs.order_by("name_folded", "id").values(*LIST_FIELDS)[params.offset:params.offset + params.limit]]
    count = qs.count()
    actions.audit_read("party_members_listed", user=request.user,
                       data={"organization": params.organization_id, "searched": bool(params.q), "shown": len(items)})
    return {"items": items, "count": count}


@router.get("/party-members/template.xlsx", summary="Mẫu Excel nhập danh sách đảng viên")
def import_template(request: HttpRequest):
    access.require_officer(request.user)
    return xlsx_response(importing.template(), "mau-danh-sach-dang-vien.xlsx")


@router.get("/party-members/export.xlsx", summary="Xuất danh sách đảng viên ra Excel")
def export_members(request: HttpRequest, params: Query[MemberFilter]):
    qs = member_rows(request.user, params.organization_id, params.q, params.status)
    rows = qs.order_by("organization__code", "name_folded", "id").values(
        "full_name", "birth_date", "gender", "card_number", "admitted_on", "official_on", "organization__code", "ethnicity",
        "qualification", "theory_level", "status").iterator(chunk_size=2000)
    data = exports.members_xlsx(rows, user=request.user)
    actions.audit_read("party_members_exported", user=request.user, data={"organization": params.organization_id, "format": "xlsx"})
    return xlsx_response(data, f"dang-vien-{timezone.localdate():%Y%m%d}.xlsx")


def _import_errors(exc: importing.ImportRejected) -> HttpResponse:
    errors = exc.details["errors"]
    body = {"errors": errors, "error": {"code": exc.code, "message": exc.message, "details": {"errors": errors}}}
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=422, content_type="application/json")


@router.post("/party-members/import", response=ImportOut, summary="Nhập danh sách đảng viên từ Excel")
def import_members(request: HttpRequest, file: File[UploadedFile], organization_id: Form[int | None] = None,
                   dry_run: Form[bool] = False):
    """Every row is checked first: a file with any bad row imports nothing and answers 422 with every
    error (`errors`: row, column, message). `organization_id` limits the rows to that organisation's subtree."""
    scope = access.scope_ids(request.user, organization_id)
    if file.size is not None and file.size > settings.MAX_UPLOAD_BYTES:
        raise TooLarge(_("Tệp vượt quá giới hạn %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_MB})
    try:
        outcome = importing.import_members(file.read(), user=request.user, org_ids=scope, dry_run=dry_run)
    except importing.ImportRejected as exc:
        return _import_errors(exc)
    return {"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged, "dry_run": outcome.dry_run}


def _values(payload: ProfileIn) -> dict:
    """The fields the client sent (an edit changes only those)."""
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if k != "organization_id"}


@router.post("/party-members", response={201: MemberOut}, summary="Ghi hồ sơ một đảng viên")
def create_member(request: HttpRequest, payload: MemberIn):
    """A new member, active in `organization_id` (within the caller's reach) since the admission date."""
    org = access.get_managed_org(request.user, payload.organization_id)
    m = actions.create_member(user=request.user, organization=org, values=_values(payload))
    return Status(201, member_out(access.get_member(request.user, m.id), reveal=False))


@router.patch("/party-members/{member_id}", response=MemberOut, summary="Sửa hồ sơ đảng viên")
def update_member(request: HttpRequest, member_id: int, payload: ProfileIn):
    """Only the fields sent change; the history keeps what each was before. The organisation changes by transfer."""
    m = actions.update_member(access.get_member(request.user, member_id), user=request.user, values=_values(payload))
    return member_out(access.get_member(request.user, m.id), reveal=False)


@router.post("/party-members/{member_id}/status", response=MemberOut, summary="Ghi đảng viên từ trần hoặc ra khỏi Đảng")
def set_status(request: HttpRequest, member_id: int, payload: StatusIn):
    m = actions.set_status(access.get_member(request.user, member_id), user=request.user, status=payload.status, on=payload.on)
    return member_out(access.get_member(request.user, m.id), reveal=False)


@router.get("/party-members/{member_id}", response=MemberOut, summary="Hồ sơ đảng viên")
def get_member(request: HttpRequest, member_id: int, reveal_id_number: bool = False):
    """The identity number comes masked unless `reveal_id_number` (an audited look of its own)."""
    m = access.get_member(request.user, member_id)
    actions.audit_read("party_member_id_revealed" if reveal_id_number else "party_member_viewed", user=request.user, member=m)
    return member_out(m, reveal=reveal_id_number)


@router.get("/party-members/{member_id}/history", response=list[MemberHistoryItem], summary="Lịch sử thay đổi hồ sơ")
def member_history(request: HttpRequest, member_id: int):
    m = access.get_member(request.user, member_id)
    actions.audit_read("party_member_history_viewed", user=request.user, member=m)
    versions = MemberVersion.objects.filter(member=m).select_related("changed_by").order_by("valid_from", "id")
    return [{"valid_from": v.valid_from, "valid_to": v.valid_to, "reason": v.reason, "fields": sorted(v.changes),
             "changed_by": v.changed_by.get_full_name() if v.changed_by else "", "changed_at": v.changed_at} for v in versions]


@router.post("/party-members/{member_id}/ranking", response=MemberRankingOut, summary="Đánh giá, xếp loại đảng viên")
def rank_member(request: HttpRequest, member_id: int, payload: RankingIn):
    m = access.get_member(request.user, member_id)
    r = actions.rank_member(m, user=request.user, year=payload.year, grade=payload.grade)
    return {"member_id": m.id, "year": r.year, "grade": r.grade, "grade_label": str(GRADES[r.grade])}


# --- transfers ---------------------------------------------------------------------------------------

@router.post("/party-members/{member_id}/transfers", response={201: TransferOut}, summary="Giới thiệu chuyển sinh hoạt đảng")
def issue_transfer(request: HttpRequest, member_id: int, payload: TransferIn):
    m = access.get_member(request.user, member_id)
    t = actions.issue_transfer(m, user=request.user, to_organization_id=payload.to_organization_id, note=payload.note,
                               letter_id=payload.letter_id)
    return Status(201, transfer_out(Transfer.objects.select_related("member", "from_org", "to_org").get(pk=t.pk)))


@router.get("/transfers", response=TransferList, summary="Giấy chuyển sinh hoạt đảng đi và đến")
def list_transfers(request: HttpRequest, params: Query[TransferFilter]):
    scope = access.scope_ids(request.user, params.organization_id)
    qs = Transfer.objects.touching(scope)
    if params.status:
        qs = qs.filter(status=params.status)
    items = [transfer_out(t) for t in qs.select_related("member", "from_org", "to_org")[params.offset:params.offset + params.limit]]
    actions.audit_read("party_transfers_listed", user=request.user, data={"organization": params.organization_id})
    return {"items": items, "count": qs.count()}


@router.post("/transfers/{transfer_id}/accept", response=TransferOut, summary="Tiếp nhận đảng viên chuyển đến")
def accept_transfer(request: HttpRequest, transfer_id: int):
    t = actions.accept_transfer(access.get_transfer(request.user, transfer_id), user=request.user)
    return transfer_out(Transfer.objects.select_related("member", "from_org", "to_org").get(pk=t.pk))


@router.post("/transfers/{transfer_id}/cancel", response=TransferOut, summary="Hủy giấy chuyển sinh hoạt chưa tiếp nhận")
def cancel_transfer(request: HttpRequest, transfer_id: int):
    t = actions.cancel_transfer(access.get_transfer(request.user, transfer_id), user=request.user)
    return transfer_out(Transfer.objects.select_related("member", "from_org", "to_org").get(pk=t.pk))


# --- transfers from another installation -------------------------------------------------------------

def _incoming(user, incoming_id: int) -> IncomingTransfer:
    return access.get_incoming(user, incoming_id)


@router.get("/incoming-transfers", response=IncomingTransferList, summary="Đảng viên chuyển đến từ hệ thống khác")
def list_incoming(request: HttpRequest, params: Query[IncomingTransferFilter]):
    qs = access.visible_incoming(request.user)
    if params.status:
        qs = qs.filter(status=params.status)
    rows = qs.select_related("from_org", "to_org", "delivery")[params.offset:params.offset + params.limit]
    items = [incoming_out(t) for t in rows]
    actions.audit_read("party_incoming_transfers_listed", user=request.user, data={"status": params.status})
    return {"items": items, "count": qs.count()}


@router.get("/incoming-transfers/{incoming_id}", response=IncomingTransferOut, summary="Hồ sơ đảng viên chuyển đến từ hệ thống khác")
def get_incoming(request: HttpRequest, incoming_id: int):
    t = _incoming(request.user, incoming_id)
    actions.audit_read("party_incoming_transfer_viewed", user=request.user, data={"incoming": t.id})
    return incoming_out(t)


@router.post("/incoming-transfers/{incoming_id}/accept", response=IncomingTransferOut, summary="Tiếp nhận đảng viên chuyển đến từ hệ thống khác")
def accept_incoming(request: HttpRequest, incoming_id: int):
    t = peer_transfers.accept_incoming(_incoming(request.user, incoming_id), user=request.user)
    return incoming_out(access.get_incoming(request.user, t.id))


@router.post("/incoming-transfers/{incoming_id}/refuse", response=IncomingTransferOut, summary="Từ chối tiếp nhận đảng viên chuyển đến")
def refuse_incoming(request: HttpRequest, incoming_id: int, payload: RefuseIn):
    t = peer_transfers.refuse_incoming(_incoming(request.user, incoming_id), user=request.user, reason=payload.reason)
    return incoming_out(access.get_incoming(request.user, t.id))


# --- organisations -------------------------------------------------------------------------------------

@router.get("/party-organizations/{org_id}", response=PartyOrgOut, summary="Hồ sơ tổ chức đảng")
def party_organization(request: HttpRequest, org_id: int):
    org = access.get_managed_org(request.user, org_id)
    rec = PartyOrganization.objects.filter(organization=org).first()
    terms = CommitteeTerm.objects.filter(organization=org).prefetch_related("seats")
    return {
        "organization_id": org.id, "name": org.name, "code": org.code, "party_kind": rec.party_kind if rec else None,
        "founded_on": rec.founded_on if rec else None, "dissolved_on": rec.dissolved_on if rec else None,
        "active_members": PartyMember.objects.filter(organization=org, status=MemberStatus.ACTIVE).count(),
        "terms": [{"label": t.label, "start": t.start, "end": t.end,
                   "seats": [{"role": s.role, "role_label": s.get_role_display(), "full_name": s.full_name} for s in t.seats.all()]}
                  for t in terms],
        "changes": [{"kind": c.kind, "kind_label": c.get_kind_display(), "on": c.on, "other_organization_id": c.other_id,
                     "decision": c.decision, "note": c.note} for c in OrgChange.objects.filter(organization=org)],
    }


@router.post("/party-organizations/{org_id}/ranking", response=OrgRankingOut, summary="Đánh giá, xếp loại tổ chức đảng")
def rank_organization(request: HttpRequest, org_id: int, payload: RankingIn):
    org = access.get_managed_org(request.user, org_id)
    r = actions.rank_organization(org, user=request.user, year=payload.year, grade=payload.grade)
    return {"organization_id": org.id, "year": r.year, "grade": r.grade, "grade_label": str(GRADES[r.grade])}


@router.get("/party-rankings/template.xlsx", summary="Mẫu Excel nhập kết quả xếp loại đảng viên")
def rankings_template(request: HttpRequest):
    access.require_officer(request.user)
    return xlsx_response(rankings_import.template(), "mau-xep-loai-dang-vien.xlsx")


@router.post("/party-rankings/import", response=RankImportOut, summary="Nhập kết quả xếp loại đảng viên của một năm từ Excel")
def import_rankings(request: HttpRequest, file: File[UploadedFile], year: Form[int], organization_id: Form[int | None] = None,
                    dry_run: Form[bool] = False):
    """Columns `Số thẻ đảng viên`, `Họ và tên`, `Xếp loại`. Every row is checked first; one bad row and
    nothing is recorded (422 with every error, as the members' import)."""
    scope = access.scope_ids(request.user, organization_id)
    if file.size is not None and file.size > settings.MAX_UPLOAD_BYTES:
        raise TooLarge(_("Tệp vượt quá giới hạn %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_MB})
    try:
        outcome = rankings_import.import_rankings(file.read(), user=request.user, org_ids=scope, year=year, dry_run=dry_run)
    except importing.ImportRejected as exc:
        return _import_errors(exc)
    return {"ranked": outcome.ranked, "unchanged": outcome.unchanged, "dry_run": outcome.dry_run}


# --- statistics ----------------------------------------------------------------------------------------

def stats_for(user, org_id: int | None, as_of: date | None) -> statistics.Statistics:
    scope = access.scope_ids(user, org_id)
    return statistics.compute(scope, as_of or timezone.localdate())


def stats_out(stats: statistics.Statistics, org_id: int | None) -> dict:
    return {"as_of": stats.as_of, "organization_id": org_id, "totals": stats.totals(), "ethnicity": stats.ethnicity(),
            "rows": [{"organization_id": r.organization_id, "name": r.name, "depth": r.depth, "own": r.own, "total": r.total}
                     for r in stats.rows]}


@router.get("/reports/party-members", response=StatsOut, summary="Thống kê đảng viên đến một ngày")
def member_statistics(request: HttpRequest, params: Query[StatsQuery]):
    """The standard tables as the records stood on `as_of` (default today), per organisation and rolled up."""
    stats = stats_for(request.user, params.organization_id, params.as_of)
    actions.audit_read("party_statistics_viewed", user=request.user, data={"organization": params.organization_id})
    return stats_out(stats, params.organization_id)


@router.get("/reports/party-members/export", summary="Xuất thống kê đảng viên (XLSX, PDF)")
def export_statistics(request: HttpRequest, params: Query[StatsExportQuery]):
    stats = stats_for(request.user, params.organization_id, params.as_of)
    actions.audit_read("party_statistics_exported", user=request.user, data={"organization": params.organization_id, "format": params.format})
    name = f"thong-ke-dang-vien-{stats.as_of:%Y%m%d}"
    if params.format == "pdf":
        r = HttpResponse(exports.statistics_pdf(stats, user=request.user), content_type="application/pdf")
        r["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        r["Cache-Control"] = "no-store"
        return r
    return xlsx_response(exports.statistics_xlsx(stats, user=request.user), f"{name}.xlsx")


@router.get("/reports/party-rankings", response=RankingsOut, summary="Kết quả xếp loại đảng viên và tổ chức đảng trong năm")
def ranking_statistics(request: HttpRequest, params: Query[RankQuery]):
    scope = access.scope_ids(request.user, params.organization_id)
    actions.audit_read("party_rankings_viewed", user=request.user, data={"organization": params.organization_id, "year": params.year})
    return statistics.ranking_distribution(scope, params.year)

