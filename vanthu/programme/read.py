"""What the pages and the API show of each record, cut to what the person may see.

The office of an item sees every organisation's part of it; anyone else sees their own
organisations' part only (their acknowledgements, enrolments, completion).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from vanthu.organizations.access import member_org_ids
from vanthu.organizations.models import Membership, Organization

from . import access, usage
from .infrastructure import gaps_for, inventory_of, standards
from .inspecting import checklist
from .models import (
    Acknowledgement,
    Course,
    Enrolment,
    Inspection,
    InspectionScore,
    Recommendation,
    RecommendationStatus,
    Regulation,
    RegulationTarget,
    ScoreSide,
    StudySession,
    TrainingPlan,
)


def regulations_out(user, regs: list[Regulation]) -> list[dict[str, Any]]:
    """Regulations with their completion, in six queries whatever their number."""
    ids = [r.id for r in regs]
    targets: dict[int, list[int]] = defaultdict(list)
    for rid, oid in RegulationTarget.objects.filter(regulation_id__in=ids).order_by("organization_id").values_list("regulation_id", "organization_id"):
        targets[rid].append(oid)
    mine_orgs = member_org_ids(user)
    office = {r.id: access.is_office(user, r.owner_id) for r in regs}
    shown = {r.id: targets[r.id] if office[r.id] else [o for o in targets[r.id] if o in mine_orgs] for r in regs}
    all_shown = sorted({o for v in shown.values() for o in v})
    people = dict(Membership.objects.filter(organization_id__in=all_shown, user__is_active=True).values("organization_id")
                  .annotate(n=Count("user_id", distinct=True)).values_list("organization_id", "n").order_by())
    acks = {(r, o): n for r, o, n in Acknowledgement.objects.filter(regulation_id__in=ids, organization_id__in=all_shown)
            .values("regulation_id", "organization_id").annotate(n=Count("id")).values_list("regulation_id", "organization_id", "n").order_by()}
    sessions = {(x.regulation_id, x.organization_id): x for x in StudySession.objects.filter(regulation_id__in=ids, organization_id__in=all_shown)}
    names = dict(Organization.objects.filter(id__in=all_shown).values_list("id", "name"))
    mine = dict(Acknowledgement.objects.filter(regulation_id__in=ids, user=user).values_list("regulation_id", "acknowledged_at"))
    out = []
    for reg in regs:
        out.append({
            "id": reg.id, "title": reg.title, "kind": reg.kind, "year": reg.year, "due_date": reg.due_date, "owner_id": reg.owner_id,
            "document_id": reg.document_id, "target_org_ids": targets[reg.id] if office[reg.id] else shown[reg.id],
            "quiz": [{"question": q["question"], "options": q["options"]} for q in reg.quiz], "pass_mark": float(reg.pass_mark),
            "my_acknowledged_at": mine.get(reg.id),
            "completion": [{
                "organization_id": oid, "organization_name": names.get(oid, ""), "people": people.get(oid, 0),
                "acknowledged": acks.get((reg.id, oid), 0),
                "session_held_on": sessions[(reg.id, oid)].held_on if (reg.id, oid) in sessions else None,
                "session_attendees": sessions[(reg.id, oid)].attendees if (reg.id, oid) in sessions else None,
            } for oid in shown[reg.id]],
        })
    return out


def regulation_out(user, reg: Regulation) -> dict[str, Any]:
    return regulations_out(user, [reg])[0]


def enrolment_out(e: Enrolment, attendance: list | None = None) -> dict[str, Any]:
    return {
        "id": e.id, "course_id": e.course_id, "user_id": e.user_id, "user_name": e.user.get_full_name(), "organization_id": e.organization_id,
        "nominated": e.nominated, "attendance": [{"day": a.day, "status": a.status} for a in (attendance if attendance is not None else e.attendance.all())],
        "attended": e.attended, "score": float(e.score) if e.score is not None else None, "passed": e.passed,
        "certificate_code": e.certificate_code,
    }


def course_enrolments(user, course: Course):
    qs = course.enrolments.select_related("user", "organization").prefetch_related("attendance").order_by("organization__name", "user__full_name", "id")
    orgs = access.course_org_ids(user, course)
    return qs if orgs is None else qs.filter(organization_id__in=orgs)


def course_out(user, course: Course) -> dict[str, Any]:
    orgs = access.course_org_ids(user, course)
    invitations = course.invitations.select_related("organization").order_by("organization__name")
    if orgs is not None:
        invitations = invitations.filter(organization_id__in=orgs)
    taken = dict(course.enrolments.values("organization_id").annotate(n=Count("id")).values_list("organization_id", "n").order_by())
    return {
        "id": course.id, "title": course.title, "audience": course.audience, "starts": course.starts, "ends": course.ends,
        "place": course.place, "online": course.online, "trainers": course.trainers, "materials": course.materials,
        "owner_id": course.owner_id, "quota": course.quota, "pass_score": float(course.pass_score),
        "invitations": [{"organization_id": i.organization_id, "organization_name": i.organization.name, "quota": i.quota,
                         "taken": taken.get(i.organization_id, 0)} for i in invitations],
        "enrolments": [enrolment_out(e) for e in course_enrolments(user, course)],
    }


def plan_out(org_id: int, year: int) -> dict[str, Any]:
    planned = TrainingPlan.objects.filter(organization_id=org_id, year=year).values_list("planned", flat=True).first()
    counts = Enrolment.objects.filter(organization_id=org_id, course__starts__year=year).aggregate(
        n=Count("id"), passed=Count("id", filter=Q(passed=True)))
    den = planned or counts["n"]
    return {"organization_id": org_id, "year": year, "planned": planned, "enrolled": counts["n"], "passed": counts["passed"],
            "fulfilment": min(1.0, counts["passed"] / den) if den else None}


def recommendation_out(r: Recommendation, today=None) -> dict[str, Any]:
    today = today or timezone.localdate()
    late = (not r.closed_on_time) if r.closed_at else (r.deadline < today)
    return {"id": r.id, "inspection_id": r.inspection_id, "organization_id": r.organization_id, "text": r.text, "deadline": r.deadline,
            "status": r.status, "report": r.report, "reported_at": r.reported_at, "closed_at": r.closed_at, "late": late}


def inspection_out(insp: Inspection) -> dict[str, Any]:
    items = checklist(insp.year)
    got: dict[str, dict[str, float]] = defaultdict(dict)
    for s in InspectionScore.objects.filter(inspection=insp).select_related("item"):
        got[s.side][s.item.code] = float(s.score)
    rows = [{"code": i.code, "area": i.area, "title": i.title, "max_score": i.max_score,
             "inspector": got[ScoreSide.INSPECTOR].get(i.code), "self_assessed": got[ScoreSide.SELF].get(i.code)} for i in items]
    return {
        "id": insp.id, "owner_id": insp.owner_id, "organization_id": insp.organization_id, "year": insp.year,
        "planned_on": insp.planned_on, "content": insp.content, "status": insp.status, "findings": insp.findings,
        "report_document_id": insp.report_document_id, "signed_at": insp.signed_at, "scores": rows,
        "inspector_total": sum(got[ScoreSide.INSPECTOR].values()) if got[ScoreSide.INSPECTOR] else None,
        "self_total": sum(got[ScoreSide.SELF].values()) if got[ScoreSide.SELF] else None,
        "max_total": sum(i.max_score for i in items),
        "recommendations": [recommendation_out(r) for r in insp.recommendations.all()],
    }


def inventory_out(org_id: int, year: int) -> dict[str, Any]:
    inv = inventory_of(org_id, year)
    g = gaps_for(inv, standards(year))
    met = {id(s) for s in g.met}
    rules = g.met + g.gaps
    base = {f: getattr(inv, f) for f in (
        "computers_under_5", "computers_5_to_8", "computers_over_8", "clerks", "wan_connected", "wan_speed_mbps",
        "security_software", "backup", "it_staff_dedicated", "it_staff_part_time", "it_staff_trained", "software")} if inv else {
        "computers_under_5": 0, "computers_5_to_8": 0, "computers_over_8": 0, "clerks": 0, "wan_connected": False, "wan_speed_mbps": 0,
        "security_software": False, "backup": "none", "it_staff_dedicated": 0, "it_staff_part_time": 0, "it_staff_trained": 0, "software": ""}
    return {"organization_id": org_id, "year": year, "confirmed": bool(inv and inv.confirmed_at),
            "confirmed_at": inv.confirmed_at if inv else None, **base,
            "gaps": [{"metric": s.metric, "label": s.label, "met": id(s) in met} for s in rules],
            "standard_share": g.share}


def open_recommendations(org_ids: list[int]):
    return (Recommendation.objects.filter(organization_id__in=org_ids).exclude(status=RecommendationStatus.CLOSED)
            .select_related("inspection", "organization").order_by("deadline"))


def course_use_out(user, course: Course) -> dict[str, Any]:
    """Each trainee's use of VanThu before and after the course (the office: all; others: their own)."""
    enrolments = list(course_enrolments(user, course))
    uses = usage.course_use(course, [e.user_id for e in enrolments])
    passed = {e.user_id for e in enrolments if e.passed}
    share, active, of = usage.became_active_share(uses, passed)
    return {
        "course_id": course.id, "window_days": usage.WINDOW_DAYS, "count": len(enrolments), "passed": of, "active_after": active,
        "active_after_share": share,
        "items": [{"user_id": e.user_id, "user_name": e.user.get_full_name(), "organization_id": e.organization_id, "passed": e.passed,
                   "before": uses[e.user_id][0].as_dict(), "after": uses[e.user_id][1].as_dict()} for e in enrolments],
    }
