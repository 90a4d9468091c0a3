"""Inspection and supervision: the year's checklist, the plan, scores (the team's and the
organisation's own), the signed report, and recommendations followed up to closure.

    planned ──record scores──▶ planned ──sign off──▶ signed
    recommendation: open ──report──▶ reported ──close──▶ closed   (report again while not closed)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vanthu.audit.chain import record
from vanthu.documents.access import get_document
from vanthu.errors import InvalidState, Unprocessable
from vanthu.notifications.actions import notify
from vanthu.organizations.models import Membership, Organization, Role
from vanthu.text import clean_text

from . import access
from .actions import check_year, people_of
from .models import (
    ChecklistItem,
    Inspection,
    InspectionScore,
    InspectionStatus,
    Recommendation,
    RecommendationStatus,
    ScoreSide,
)

# The default checklist (issue 19 §3): code, area, criterion, maximum score.
DEFAULT_CHECKLIST = [
    ("trao-doi", gettext_noop("Trao đổi văn bản"), gettext_noop("Văn bản đi, đến được trao đổi dưới dạng điện tử qua hệ thống"), 20),
    ("ky-so", gettext_noop("Chữ ký số"), gettext_noop("Văn bản điện tử được ký số, chứng thư số còn hiệu lực"), 20),
    ("an-toan", gettext_noop("An toàn thông tin"), gettext_noop("Phòng chống mã độc, mật khẩu, không đưa văn bản mật lên mạng"), 20),
    ("ha-tang", gettext_noop("Hạ tầng"), gettext_noop("Máy tính, kết nối mạng diện rộng, sao lưu dữ liệu"), 15),
    ("can-bo", gettext_noop("Cán bộ"), gettext_noop("Có cán bộ phụ trách CNTT, văn thư được tập huấn"), 15),
    ("quy-che", gettext_noop("Quy chế"), gettext_noop("Quy chế, quy định về ứng dụng CNTT được nghiên cứu, quán triệt"), 10),
]


def checklist(year: int, *, create: bool = False) -> list[ChecklistItem]:
    """The year's checklist: as the administrator edited it, else last year's, else the default.

    Reading writes nothing (the items shown are then unsaved); `create` saves them for the year."""
    items = list(ChecklistItem.objects.filter(year=year))
    if items:
        return items
    previous = ChecklistItem.objects.filter(year__lt=year).order_by("-year").values_list("year", flat=True).first()
    if previous is not None:
        rows = [(i.code, i.area, i.title, i.max_score) for i in ChecklistItem.objects.filter(year=previous)]
    else:
        rows = [(c, _(a), _(t), m) for c, a, t, m in DEFAULT_CHECKLIST]
    items = [ChecklistItem(year=year, code=c, area=a, title=t, max_score=m, sort_order=i * 10)
             for i, (c, a, t, m) in enumerate(rows, start=1)]
    if not create:
        return items
    ChecklistItem.objects.bulk_create(items, ignore_conflicts=True)
    return list(ChecklistItem.objects.filter(year=year))


@transaction.atomic
def plan_inspection(*, user, organization_id: int, year: int, planned_on: date, content: str,
                    team_ids: Sequence[int] = (), owner_id: int | None = None) -> Inspection:
    """An inspection in the year's plan; the organisation is told when and what."""
    access.get_org(user, organization_id)
    access.require_office(user, organization_id)
    org = Organization.objects.get(id=organization_id)
    if owner_id is None:
        # The inspecting side: the nearest organisation above whose programme the person runs.
        owner_id = next((a for a in org.ancestor_ids() if access.is_office(user, a)), org.id)
    elif not access.is_office(user, owner_id):
        raise Unprocessable(_("Có tổ chức ngoài phạm vi bạn phụ trách."), code="organization_out_of_scope", details={"field": "owner_id"})
    if planned_on.year != check_year(year):
        raise Unprocessable(_("Ngày kiểm tra phải trong năm của kế hoạch."), code="invalid_date", details={"field": "planned_on"})
    team = list(set(team_ids))
    if team and Membership.objects.filter(user_id__in=team, organization_id__in=access.office_ids(user)).values("user_id").distinct().count() != len(team):
        raise Unprocessable(_("Thành viên đoàn phải thuộc các tổ chức bạn phụ trách."), code="invalid_team", details={"field": "team_ids"})
    checklist(year, create=True)
    insp = Inspection.objects.create(owner_id=owner_id, organization=org, year=year, planned_on=planned_on,
                                     content=clean_text(content, field="content", max_length=1000, label=_("Nội dung")))
    insp.team.set(team)
    record("inspection_planned", actor=user, obj=insp, data={"organization_id": org.id, "planned_on": planned_on})
    notify(people_of([org.id], [Role.CLERK, Role.LEADER, Role.ADMIN]), kind="programme_inspection",
           title=_("Kế hoạch kiểm tra ứng dụng CNTT ngày %(d)s") % {"d": planned_on.strftime("%d/%m/%Y")},
           body=_("Đề nghị tự đánh giá theo bảng tiêu chí trước buổi kiểm tra."), url=f"/programme/inspections/{insp.id}/", obj=insp)
    return insp


def _scores(year: int, scores: Mapping[str, object]) -> list[tuple[ChecklistItem, Decimal]]:
    """Checked against the checklist before anything is written: unknown codes and out-of-range scores are refused."""
    items = {i.code: i for i in checklist(year, create=True)}
    unknown = sorted(set(scores) - set(items))
    if unknown:
        raise Unprocessable(_("Tiêu chí không có trong bảng tiêu chí năm %(y)s.") % {"y": year}, code="unknown_criterion",
                            details={"field": "scores", "codes": unknown})
    out = []
    for code, raw in scores.items():
        item = items[code]
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            value = Decimal(-1)
        if not value.is_finite() or not Decimal(0) <= value <= item.max_score:
            raise Unprocessable(_("Điểm của tiêu chí “%(t)s” phải từ 0 đến %(m)s.") % {"t": item.title, "m": item.max_score},
                                code="score_out_of_range", details={"field": "scores", "code": code, "max": item.max_score})
        out.append((item, value))
    return out


@transaction.atomic
def record_scores(inspection: Inspection, *, user, side: str, scores: Mapping[str, object],
                  findings: str | None = None) -> Inspection:
    """The team's scores (the office), or the organisation's self-assessment (its side)."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if side == ScoreSide.INSPECTOR:
        access.require_office(user, inspection.owner_id)
    elif side == ScoreSide.SELF:
        access.require_side(user, inspection.organization_id)
    else:
        raise Unprocessable(_("Bên chấm điểm không hợp lệ."), code="invalid_side", details={"field": "side"})
    if inspection.status == InspectionStatus.SIGNED:
        raise InvalidState(_("Biên bản kiểm tra đã ký, không sửa điểm được nữa."), code="inspection_signed")
    checked = _scores(inspection.year, scores)
    for item, value in checked:
        InspectionScore.objects.update_or_create(inspection=inspection, item=item, side=side, defaults={"score": value})
    if findings is not None and side == ScoreSide.INSPECTOR:
        inspection.findings = clean_text(findings, field="findings", max_length=8000, multiline=True)
        inspection.save(update_fields=["findings"])
    record("inspection_scored", actor=user, obj=inspection, data={"side": side, "scores": {i.code: v for i, v in checked}})
    return inspection


@transaction.atomic
def sign_off(inspection: Inspection, *, user, document_id: int | None = None, findings: str | None = None) -> Inspection:
    """The team signs the inspection report: every criterion scored; the issued report document linked."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    access.require_office(user, inspection.owner_id)
    if inspection.status == InspectionStatus.SIGNED:
        raise InvalidState(_("Biên bản kiểm tra đã được ký."), code="inspection_signed")
    scored = set(inspection.scores.filter(side=ScoreSide.INSPECTOR).values_list("item__code", flat=True))
    missing = [i.code for i in checklist(inspection.year) if i.code not in scored]
    if missing:
        raise InvalidState(_("Còn tiêu chí chưa chấm điểm."), code="criteria_unscored", details={"codes": missing})
    if document_id is not None:
        inspection.report_document = get_document(user, document_id)
    if findings is not None:
        inspection.findings = clean_text(findings, field="findings", max_length=8000, multiline=True)
    inspection.status, inspection.signed_at, inspection.signed_by = InspectionStatus.SIGNED, timezone.now(), user
    inspection.save()
    record("inspection_signed", actor=user, obj=inspection, data={"document_id": document_id})
    return inspection


@transaction.atomic
def add_recommendation(inspection: Inspection, *, user, text: str, deadline: date) -> Recommendation:
    access.require_office(user, inspection.owner_id)
    if deadline < inspection.planned_on:
        raise Unprocessable(_("Hạn thực hiện phải sau ngày kiểm tra."), code="invalid_deadline", details={"field": "deadline"})
    rec = Recommendation.objects.create(inspection=inspection, organization_id=inspection.organization_id,
                                        text=clean_text(text, field="text", max_length=2000, label=_("Kiến nghị")), deadline=deadline)
    record("recommendation_added", actor=user, obj=rec, data={"inspection_id": inspection.id, "deadline": deadline})
    notify(people_of([inspection.organization_id], [Role.CLERK, Role.LEADER, Role.ADMIN]), kind="programme_inspection",
           title=_("Kiến nghị sau kiểm tra, hạn %(d)s") % {"d": deadline.strftime("%d/%m/%Y")}, body=rec.text[:500],
           url=f"/programme/inspections/{inspection.id}/", obj=rec)
    return rec


@transaction.atomic
def report_recommendation(rec: Recommendation, *, user, report: str) -> Recommendation:
    """The organisation reports what it did; it may report again until the office closes the item."""
    rec = Recommendation.objects.select_for_update().get(pk=rec.pk)
    access.require_side(user, rec.organization_id)
    if rec.status == RecommendationStatus.CLOSED:
        raise InvalidState(_("Kiến nghị đã kết thúc."), code="recommendation_closed")
    rec.report = clean_text(report, field="report", max_length=4000, multiline=True, label=_("Báo cáo"))
    if not rec.report:
        raise Unprocessable(_("Hãy nhập nội dung báo cáo."), code="report_empty", details={"field": "report"})
    rec.status, rec.reported_at = RecommendationStatus.REPORTED, timezone.now()
    rec.save()
    record("recommendation_reported", actor=user, obj=rec)
    return rec


@transaction.atomic
def close_recommendation(rec: Recommendation, *, user) -> Recommendation:
    """The inspecting side closes an item the organisation reported done."""
    rec = Recommendation.objects.select_for_update().select_related("inspection").get(pk=rec.pk)
    access.require_office(user, rec.inspection.owner_id)
    if rec.status == RecommendationStatus.CLOSED:
        raise InvalidState(_("Kiến nghị đã kết thúc."), code="recommendation_closed")
    if rec.status != RecommendationStatus.REPORTED:
        raise InvalidState(_("Đơn vị chưa báo cáo kết quả thực hiện kiến nghị."), code="not_reported")
    rec.status, rec.closed_at, rec.closed_by = RecommendationStatus.CLOSED, timezone.now(), user
    rec.closed_on_time = timezone.localdate(rec.closed_at) <= rec.deadline
    rec.save()
    record("recommendation_closed", actor=user, obj=rec, data={"on_time": rec.closed_on_time})
    return rec
