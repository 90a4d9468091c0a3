"""Pages of the programme, under /programme/: the office's overview, an organisation's programme
(the evidence the evaluation links to), a regulation, a course, an inspection, and the forms that
create them. Each POST validates its form, calls one action, and goes back to the page."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vanthu.errors import NotFound, VanThuError
from vanthu.organizations.access import member_org_ids
from vanthu.organizations.models import Membership, Organization
from vanthu.ui.forms import apply_error
from vanthu.ui.shortcuts import page_errors

from . import access, actions, forms, infrastructure, inspecting, read, training
from .measures import SOURCES, measures
from .models import Course, Enrolment, Inspection, InspectionStatus, Recommendation, ScoreSide


def _year(request: HttpRequest) -> int:
    try:
        y = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        y = timezone.localdate().year
    return y if 2000 <= y <= 2100 else timezone.localdate().year


def _attempt(request: HttpRequest, fn: Callable[[], object], done: str) -> bool:
    """Run one action; say what happened (its error message is already in Vietnamese)."""
    try:
        fn()
    except VanThuError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, done)
    return True


def _form_errors(request: HttpRequest, form) -> None:
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else e)


def _org_choices(ids) -> list[tuple[int, str]]:
    return list(Organization.objects.filter(id__in=ids).exclude(kind="external").order_by("name").values_list("id", "name"))


def _office_orgs(user) -> list[tuple[int, str]]:
    return _org_choices(access.office_ids(user))


# --- overview and one organisation ------------------------------------------------------------

@login_required
@page_errors
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The office sees every organisation it runs the programme for; anyone else goes to their own."""
    user, year = request.user, _year(request)
    if not access.is_office_anywhere(user):
        mine = sorted(member_org_ids(user))
        if not mine:
            raise NotFound(_("Bạn chưa thuộc tổ chức nào."))
        return redirect(reverse("programme:organization", args=[mine[0]]) + f"?year={year}")
    scope = sorted(access.office_ids(user))
    orgs = list(Organization.objects.filter(id__in=scope).exclude(kind="external").order_by("name")[:500])
    found = measures([o.id for o in orgs], year)
    rows = [{"org": o, "cells": [(label, found[o.id][s]) for s, (label, _a) in SOURCES.items()]} for o in orgs]
    return render(request, "programme/index.html", {
        "year": year, "years": range(year - 2, year + 2), "rows": rows, "sources": [label for label, _a in SOURCES.values()],
        "regulations": access.visible_regulations(user).of_year(year).filter(owner_id__in=scope).order_by("due_date")[:50],
        "courses": access.visible_courses(user).of_year(year).filter(owner_id__in=scope).order_by("starts")[:50],
        "inspections": access.visible_inspections(user).of_year(year).filter(owner_id__in=scope)
        .select_related("organization").order_by("planned_on")[:200],
    })


@login_required
@page_errors
@require_GET
def organization(request: HttpRequest, org_id: int) -> HttpResponse:
    """One organisation's programme for a year: the evidence behind each measured criterion."""
    user, year = request.user, _year(request)
    org = access.get_org(user, org_id)
    found = measures([org.id], year)[org.id]
    regs = (access.visible_regulations(user).of_year(year).filter(targets__organization_id=org.id)
            .select_related("document").order_by("due_date"))
    reg_list = list(regs[:100])
    reg_rows = [out | {"obj": r} for r, out in zip(reg_list, read.regulations_out(user, reg_list), strict=True)]
    enrolments = (Enrolment.objects.filter(organization_id=org.id, course__starts__year=year)
                  .select_related("course", "user").order_by("course__starts", "user__full_name"))
    inspections = Inspection.objects.filter(organization_id=org.id, year=year).select_related("owner").order_by("planned_on")
    recs = Recommendation.objects.filter(organization_id=org.id, inspection__year=year).select_related("inspection")
    inv = read.inventory_out(org.id, year)
    side = access.speaks_for(user, org.id)
    inv_form = forms.InventoryForm(initial={k: inv[k] for k in forms.InventoryForm.base_fields}) if side else None
    return render(request, "programme/organization.html", {
        "org": org, "year": year, "years": range(year - 2, year + 2),
        "measures": [(label, anchor, found[s]) for s, (label, anchor) in SOURCES.items()],
        "regs": reg_rows, "enrolments": enrolments, "plan": read.plan_out(org.id, year),
        "courses": access.visible_courses(user).of_year(year).filter(invitations__organization_id=org.id).order_by("starts"),
        "inspections": inspections, "recs": [read.recommendation_out(r) | {"obj": r} for r in recs.order_by("deadline")],
        "inv": inv, "inv_form": inv_form, "side": side, "office": access.is_office(user, org.id),
        "report_form": forms.ReportForm(),
    })


@login_required
@page_errors
@require_POST
def save_inventory(request: HttpRequest, org_id: int) -> HttpResponse:
    year = _year(request)
    access.get_org(request.user, org_id)
    form = forms.InventoryForm(request.POST)
    url = reverse("programme:organization", args=[org_id]) + f"?year={year}#infrastructure"
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(url)
    _attempt(request, lambda: infrastructure.save_inventory(user=request.user, organization_id=org_id, year=year, values=form.cleaned_data),
             _("Đã xác nhận số liệu hạ tầng."))
    return redirect(url)


# --- regulations ------------------------------------------------------------------------------

def _quiz_from(form) -> list[dict]:
    q = form.cleaned_data.get("question")
    lines = [line.strip() for line in (form.cleaned_data.get("options") or "").splitlines() if line.strip()]
    if not q:
        return []
    answer = next((i for i, line in enumerate(lines) if line.startswith("*")), -1)
    return [{"question": q, "options": [line.lstrip("*").strip() for line in lines], "answer": answer}]


@login_required
@page_errors
def regulation_new(request: HttpRequest) -> HttpResponse:
    if not access.is_office_anywhere(request.user):
        raise NotFound(_("Không tìm thấy trang."))
    form = forms.RegulationForm(request.POST or None)
    form.fields["target_org_ids"].choices = _office_orgs(request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            reg = actions.publish_regulation(user=request.user, title=d["title"], kind=d["kind"], year=d["due_date"].year,
                                             due_date=d["due_date"], target_org_ids=d["target_org_ids"],
                                             document_id=d.get("document_id"), quiz=_quiz_from(form))
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã ban hành và thông báo cho các tổ chức."))
            return redirect("programme:regulation", regulation_id=reg.id)
    return render(request, "programme/form.html", {"form": form, "title": _("Ban hành quy chế, quy định cần nghiên cứu"),
                                                   "submit": _("Ban hành")})


@login_required
@page_errors
def regulation(request: HttpRequest, regulation_id: int) -> HttpResponse:
    reg = access.get_regulation(request.user, regulation_id)
    url = reverse("programme:regulation", args=[reg.id])
    if request.method == "POST":
        what = request.POST.get("do")
        if what == "acknowledge":
            answers = [int(v) if v.isdigit() else -1 for v in (request.POST.get(f"q{i}", "") for i in range(len(reg.quiz)))]
            _attempt(request, lambda: actions.acknowledge_regulation(reg, user=request.user, answers=answers),
                     _("Đã ghi nhận: đồng chí đã đọc, nghiên cứu."))
        elif what == "session":
            form = forms.StudySessionForm(request.POST)
            form.fields["organization_id"].choices = _org_choices(access.side_ids(request.user))
            if form.is_valid():
                _attempt(request, lambda: actions.confirm_study_session(reg, user=request.user, **form.cleaned_data),
                         _("Đã xác nhận tổ chức quán triệt."))
            else:
                _form_errors(request, form)
        elif what == "remind":
            _attempt(request, lambda: actions.remind_laggards(reg, user=request.user), _("Đã nhắc những người chưa nghiên cứu."))
        return redirect(url)
    out = read.regulation_out(request.user, reg)
    targets = set(out["target_org_ids"])
    session_orgs = [c for c in _org_choices(access.side_ids(request.user)) if c[0] in targets]
    session_form = forms.StudySessionForm(initial={"held_on": timezone.localdate()})
    session_form.fields["organization_id"].choices = session_orgs
    return render(request, "programme/regulation.html", {
        "reg": reg, "out": out, "office": access.is_office(request.user, reg.owner_id),
        "is_target": actions.target_org_for(request.user, reg) is not None, "session_form": session_form if session_orgs else None,
        "quiz": list(enumerate(reg.quiz)),
    })


# --- training ---------------------------------------------------------------------------------

@login_required
@page_errors
def course_new(request: HttpRequest) -> HttpResponse:
    if not access.is_office_anywhere(request.user):
        raise NotFound(_("Không tìm thấy trang."))
    form = forms.CourseForm(request.POST or None)
    form.fields["invite_org_ids"].choices = _office_orgs(request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            course = training.create_course(user=request.user, title=d["title"], audience=d["audience"], starts=d["starts"], ends=d["ends"],
                                            place=d["place"], online=d["online"], trainers=d["trainers"], materials=d["materials"],
                                            quota=d["quota"], invite_org_ids=d["invite_org_ids"])
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã mở lớp và mời các tổ chức cử người."))
            return redirect("programme:course", course_id=course.id)
    return render(request, "programme/form.html", {"form": form, "title": _("Mở lớp tập huấn"), "submit": _("Mở lớp")})


def _course_post(request: HttpRequest, course: Course) -> None:
    what, user = request.POST.get("do"), request.user
    if what in ("enrol", "nominate"):
        try:
            person = int(request.POST.get("user_id", ""))
            org_id = int(request.POST.get("organization_id") or 0)
        except ValueError:
            messages.error(request, _("Hãy chọn người học."))
            return
        if what == "enrol":
            _attempt(request, lambda: training.enrol(course, user=user, person_id=person), _("Đã ghi danh."))
        else:
            _attempt(request, lambda: training.nominate(course, user=user, organization_id=org_id, person_id=person), _("Đã cử người dự lớp."))
    elif what == "result":
        form = forms.ResultForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            _attempt(request, lambda: training.record_result(course, user=user, person_id=d["user_id"], attended=d["attended"],
                                                             score=d["score"], passed=d["passed"]), _("Đã ghi kết quả."))
        else:
            _form_errors(request, form)
    elif what == "attendance":
        form = forms.AttendanceForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            _attempt(request, lambda: training.record_attendance(course, user=user, person_id=d["user_id"], day=d["day"], status=d["status"]),
                     _("Đã điểm danh."))
        else:
            _form_errors(request, form)


@login_required
@page_errors
def course(request: HttpRequest, course_id: int) -> HttpResponse:
    """The office's course page: invitations, enrolment, attendance, results and certificates."""
    c = access.get_course(request.user, course_id)
    if request.method == "POST":
        _course_post(request, c)
        return redirect("programme:course", course_id=c.id)
    office = access.is_office(request.user, c.owner_id)
    out = read.course_out(request.user, c)
    enrolled = {e["user_id"] for e in out["enrolments"]}
    side_orgs = [i for i in out["invitations"] if access.speaks_for(request.user, i["organization_id"])]
    candidates = []
    if office:
        invited = [i["organization_id"] for i in out["invitations"]] or sorted(access.office_ids(request.user))[:50]
        candidates = _people(invited, enrolled)
    nominees = _people([i["organization_id"] for i in side_orgs], enrolled)
    return render(request, "programme/course.html", {
        "c": c, "out": out, "office": office, "use": read.course_use_out(request.user, c), "candidates": candidates, "side_orgs": side_orgs, "nominees": nominees,
        "today": timezone.localdate() if c.starts <= timezone.localdate() <= c.ends else c.starts,
    })


def _people(org_ids: list[int], exclude: set[int]) -> list[tuple[int, str, int, str]]:
    rows = (Membership.objects.filter(organization_id__in=org_ids, user__is_active=True).select_related("user", "organization")
            .order_by("organization__name", "user__full_name"))
    seen, out = set(exclude), []
    for m in rows[:2000]:
        if m.user_id not in seen:
            seen.add(m.user_id)
            out.append((m.user_id, m.user.get_full_name(), m.organization_id, m.organization.name))
    return out


@login_required
@page_errors
@require_GET
def certificate(request: HttpRequest, course_id: int, enrolment_id: int) -> HttpResponse:
    """The certificate PDF as issued, for the person, their organisation, and the course's office."""
    c = access.get_course(request.user, course_id)
    orgs = access.course_org_ids(request.user, c)
    e = Enrolment.objects.filter(course=c, id=enrolment_id).select_related("user").first()
    if e is None or (orgs is not None and e.organization_id not in orgs and e.user_id != request.user.id):
        raise NotFound(_("Không tìm thấy giấy chứng nhận."))
    try:
        pdf = training.certificate_pdf(e)
    except VanThuError as exc:
        messages.error(request, exc.message)
        return redirect("programme:course", course_id=c.id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="giay-chung-nhan-{e.certificate_code}.pdf"'
    return response


# --- inspections ------------------------------------------------------------------------------

@login_required
@page_errors
def inspection_new(request: HttpRequest) -> HttpResponse:
    if not access.is_office_anywhere(request.user):
        raise NotFound(_("Không tìm thấy trang."))
    form = forms.InspectionForm(request.POST or None)
    form.fields["organization_id"].choices = _office_orgs(request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            insp = inspecting.plan_inspection(user=request.user, organization_id=d["organization_id"], year=d["planned_on"].year,
                                              planned_on=d["planned_on"], content=d["content"])
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã đưa vào kế hoạch kiểm tra và thông báo cho tổ chức."))
            return redirect("programme:inspection", inspection_id=insp.id)
    return render(request, "programme/form.html", {"form": form, "title": _("Kế hoạch kiểm tra"), "submit": _("Lưu kế hoạch")})


def _inspection_post(request: HttpRequest, insp: Inspection) -> None:
    what, user = request.POST.get("do"), request.user
    if what in ("scores", "self"):
        side = ScoreSide.INSPECTOR if what == "scores" else ScoreSide.SELF
        scores = {k[6:]: v.strip().replace(",", ".") for k, v in request.POST.items() if k.startswith("score-") and v.strip()}
        findings = request.POST.get("findings") if side == ScoreSide.INSPECTOR else None
        _attempt(request, lambda: inspecting.record_scores(insp, user=user, side=side, scores=scores, findings=findings), _("Đã lưu điểm."))
    elif what == "sign":
        form = forms.SignOffForm(request.POST)
        if form.is_valid():
            _attempt(request, lambda: inspecting.sign_off(insp, user=user, document_id=form.cleaned_data["document_id"],
                                                          findings=form.cleaned_data["findings"] or None), _("Đã ký biên bản kiểm tra."))
        else:
            _form_errors(request, form)
    elif what == "recommend":
        form = forms.RecommendationForm(request.POST)
        if form.is_valid():
            _attempt(request, lambda: inspecting.add_recommendation(insp, user=user, **form.cleaned_data), _("Đã thêm kiến nghị."))
        else:
            _form_errors(request, form)
    elif what in ("report", "close"):
        try:
            rec = access.get_recommendation(user, int(request.POST.get("recommendation_id", "")))
        except (ValueError, NotFound):
            messages.error(request, _("Không tìm thấy kiến nghị."))
            return
        if what == "close":
            _attempt(request, lambda: inspecting.close_recommendation(rec, user=user), _("Đã kết thúc kiến nghị."))
            return
        form = forms.ReportForm(request.POST)
        if form.is_valid():
            _attempt(request, lambda: inspecting.report_recommendation(rec, user=user, report=form.cleaned_data["report"]),
                     _("Đã gửi báo cáo thực hiện kiến nghị."))
        else:
            _form_errors(request, form)


@login_required
@page_errors
def inspection(request: HttpRequest, inspection_id: int) -> HttpResponse:
    """The inspection form: the checklist scored by the team beside the organisation's own, findings, recommendations."""
    insp = access.get_inspection(request.user, inspection_id)
    if request.method == "POST":
        _inspection_post(request, insp)
        if request.POST.get("next") == "org":
            return redirect(reverse("programme:organization", args=[insp.organization_id]) + f"?year={insp.year}#recommendations")
        return redirect("programme:inspection", inspection_id=insp.id)
    out = read.inspection_out(insp)
    return render(request, "programme/inspection.html", {
        "insp": insp, "out": out, "office": access.is_office(request.user, insp.owner_id),
        "side": access.speaks_for(request.user, insp.organization_id), "open": insp.status == InspectionStatus.PLANNED,
        "sign_form": forms.SignOffForm(initial={"findings": insp.findings}), "rec_form": forms.RecommendationForm(),
        "report_form": forms.ReportForm(), "pct": (Decimal(str(out["inspector_total"])) * 100 / out["max_total"]).quantize(Decimal("0.1"))
        if out["inspector_total"] is not None and out["max_total"] else None,
    })
