"""Dashboard pages: the Bloc ranked against the targets, one organisation, the documents behind a
number, the yearly evaluation, and exports (direct for small files, background for large ones)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vanthu.errors import NotFound, Unprocessable
from vanthu.organizations.access import member_org_ids
from vanthu.ui import formatting
from vanthu.ui.formatting import number
from vanthu.ui.forms import parse_day
from vanthu.ui.shortcuts import page_errors

from . import access, actions, dashboard, records
from .evaluation import MET, NOT_MET, UNKNOWN, standing
from .exports import CONTENT_TYPES, EXPORT_PARAMS, KINDS, WRITERS, build_table
from .figures import Period, make_period
from .models import Criterion, ExportJob, ExportStatus
from .svg import Bar, share_bars, trend_chart
from .tasks import export_dir
from .templatetags.reports_ui import standing_label

# Above this many rows an export is written in the background.
SYNC_EXPORT_MAX_ROWS = 2000
# Bars of the Bloc's per-organisation chart before "show all".
CHART_ROWS = 20
ATTENTION = {NOT_MET: 0, UNKNOWN: 1, MET: 2}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _period(request: HttpRequest) -> Period:
    g = request.GET
    try:
        return make_period(
            parse_day(g.get("date_from")), parse_day(g.get("date_to")),
            year=_int(g.get("year")), quarter=_int(g.get("quarter")), month=_int(g.get("month")),
        )
    except Unprocessable as exc:
        messages.error(request, exc.message)
        return make_period()
    except ValueError as exc:  # a date that is no date (parse_day says so), or a year that is no number
        messages.error(request, str(exc) if g.get("date_from") or g.get("date_to") else _("Khoảng thời gian không hợp lệ."))
        return make_period()


def _year(request: HttpRequest) -> int:
    y = _int(request.GET.get("year")) or timezone.localdate().year
    return y if 2000 <= y <= 2100 else timezone.localdate().year


def _target_of(target, name: str) -> float | None:
    value = getattr(target, name, None) if target else None
    return None if value is None else float(value)


@login_required
@page_errors
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Inspectors start at the Bloc view of their scope; clerks and leaders at their organisation."""
    roots = access.inspector_roots(request.user)
    if roots:
        return redirect("reports:bloc", org_id=sorted(roots)[0])
    org = access.default_org(request.user)
    if org is None:
        raise NotFound(_("Bạn chưa được xem thống kê của tổ chức nào."))
    return redirect("reports:organization", org_id=org.id)


@login_required
@page_errors
@require_GET
def bloc(request: HttpRequest, org_id: int) -> HttpResponse:
    root = access.get_org(request.user, org_id)
    year = _year(request)
    view = dashboard.bloc(root, year, org_ids=access.visible_subtree(request.user, root))
    el_target = _target_of(view.target, "electronic_share")
    # Those that need attention first: not met, then not known, then met; the lowest share first
    # within each. The chart shows the first CHART_ROWS unless all are asked for: a hundred bars
    # would make the page thousands of pixels tall, and the best ones need no looking at.
    ordered = sorted(view.rows, key=lambda r: (ATTENTION.get(r.standing.get("electronic_share", UNKNOWN) if view.target else UNKNOWN, 1),
                                               -1 if r.figures.electronic_share is None else r.figures.electronic_share,
                                               r.organization.name))
    show_all = request.GET.get("chart") == "all"
    shown = ordered if show_all else ordered[:CHART_ROWS]
    bars = [Bar(r.organization.name, r.figures.electronic_share,
                r.standing.get("electronic_share", UNKNOWN) if view.target else UNKNOWN,
                reverse("reports:organization", args=[r.organization.id]) + f"?year={year}")
            for r in shown]
    months = [(f"{m.month}", f.received, f.electronic_share) for m, f in view.months]
    org_url = reverse("reports:organization", args=[0]).replace("/0/", "/{}/")
    docs_url = reverse("reports:documents", args=[0]).replace("/0/", "/{}/")
    # Rows prepared here rather than in the template: a hundred rows × ten cells stay cheap.
    table = [{
        "rank": r.rank, "name": r.organization.name, "sent": number(r.figures.sent), "received": number(r.figures.received),
        "org_href": org_url.format(r.organization.id) + f"?year={year}",
        "received_href": docs_url.format(r.organization.id) + f"?year={year}&metric=received",
        "late_href": docs_url.format(r.organization.id) + f"?year={year}&metric=late",
        "electronic": formatting.percent(r.figures.electronic_share), "authenticated": formatting.percent(r.figures.authenticated_share),
        "late": formatting.percent(r.figures.late_share), "accept": formatting.hours(r.figures.hours(0, 0.5)),
        "met": r.met, "met_label": standing_label(r.met), "score": number(r.score, 2),
        "el_missed": r.standing.get("electronic_share") == NOT_MET, "auth_missed": r.standing.get("authenticated_share") == NOT_MET,
    } for r in view.rows]
    return render(request, "reports/bloc.html", {
        "chart_shown": len(shown), "chart_total": len(ordered), "chart_all": show_all, "chart_shown_limit": CHART_ROWS,
        "table": table,
        "root": root, "year": year, "years": range(year - 3, year + 2), "view": view, "rows": view.rows,
        "total": view.total, "met_count": sum(r.met == MET for r in view.rows),
        "not_met_count": sum(r.met == NOT_MET for r in view.rows),
        "share_chart": share_bars(bars, target=el_target, title=_("Tỷ lệ văn bản điện tử theo tổ chức, năm %(y)s") % {"y": year}),
        "trend_chart": trend_chart(months, target=el_target, title=_("Diễn biến theo tháng")),
        "export_query": f"organization_id={root.id}&year={year}",
        "export_links": [("ranking", _("Bảng xếp hạng"))],
    })


@login_required
@page_errors
@require_GET
def organization(request: HttpRequest, org_id: int) -> HttpResponse:
    org = access.get_org(request.user, org_id)
    period = _period(request)
    subtree = request.GET.get("subtree") == "1"
    ids = access.visible_subtree(request.user, org) if subtree else [org.id]
    view = dashboard.organization(org, period, ids, subtree=subtree)
    el_target = _target_of(view.target, "electronic_share")
    short = len(view.months) <= 12  # one year: month numbers suffice
    months = [(f"{m.month}" if short else f"{m.month}/{m.year % 100}", f.received, f.electronic_share) for m, f in view.months]
    late = records.late(records.received(ids, period)).select_related("document__issuer", "recipient").order_by("deadline")[:10]
    stuck = records.stuck(records.received(ids, period)).select_related("document__issuer", "recipient").order_by("updated_at")[:10]
    q = period.query() + ("&subtree=1" if subtree else "")
    stand = standing(view.figures, view.target)
    return render(request, "reports/organization.html", {
        "el_missed": stand.get("electronic_share") == NOT_MET, "auth_missed": stand.get("authenticated_share") == NOT_MET,
        "org": org, "period": period, "subtree": subtree, "view": view, "fig": view.figures, "f": view.figures.as_dict(),
        "types": view.types, "late": late, "stuck": stuck, "q": q, "target": view.target,
        "export_q": f"organization_id={org.id}&{q}",
        "trend_chart": trend_chart(months, target=el_target, title=_("Diễn biến theo tháng")),
        "is_inspector_view": bool(access.inspector_roots(request.user)),
        "member_orgs": member_org_ids(request.user),
        "export_links": [("types", _("Bảng theo loại")), ("register_in", _("Sổ văn bản đến")), ("register_out", _("Sổ văn bản đi"))],
    })


@login_required
@page_errors
@require_GET
def documents(request: HttpRequest, org_id: int) -> HttpResponse:
    """The documents behind one number of an organisation's dashboard."""
    org = access.get_org(request.user, org_id)
    period = _period(request)
    subtree = request.GET.get("subtree") == "1"
    ids = access.visible_subtree(request.user, org) if subtree else [org.id]
    metric = request.GET.get("metric", "received")
    if metric not in records.METRICS:
        raise NotFound(_("Không có chỉ số này."))
    qs = records.sent(ids, period) if metric == "sent" else records.deliveries_for(metric, ids, period)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    labels = {
        "received": _("Văn bản đến"), "electronic": _("Văn bản đến dạng điện tử"), "paper": _("Văn bản đến từ bản giấy"),
        "never_past_arrived": _("Văn bản đến chưa được tiếp nhận (trạng thái 01)"), "late": _("Văn bản xử lý trễ hạn"),
        "stuck": _("Văn bản tồn đọng (không cập nhật quá %(n)s ngày)") % {"n": records.STUCK_DAYS},
        "done": _("Văn bản đã hoàn thành"), "sent": _("Văn bản đi"),
    }
    return render(request, "reports/documents.html", {
        "org": org, "period": period, "metric": metric, "label": labels[metric], "page": page,
        "is_sent": metric == "sent", "member_orgs": member_org_ids(request.user),
        "q": period.query() + ("&subtree=1" if subtree else "") + f"&metric={metric}",
        "back_q": period.query() + ("&subtree=1" if subtree else ""),
    })


def _criteria_cells(criteria: list[Criterion], row, title: str) -> str:
    """A row's criterion cells as HTML, each value linked to its evidence where there is one."""
    cells = []
    for c in criteria:
        value, url = formatting.percent(row.values.get(c.code)), row.evidence.get(c.code)
        inner = format_html('<a class="evidence" href="{}" title="{}">{}</a>', url, title, value) if url else value
        cells.append(format_html('<td data-label="{}">{}</td>', c.name, inner))
    return mark_safe("".join(cells))  # noqa: S308 - every part went through format_html


@login_required
@page_errors
@require_GET
def evaluation(request: HttpRequest, org_id: int) -> HttpResponse:
    root = access.get_org(request.user, org_id)
    year = _year(request)
    view = dashboard.bloc(root, year, org_ids=access.visible_subtree(request.user, root))
    criteria = list(Criterion.objects.filter(is_active=True, weight__gt=0))
    evidence_title = _("Xem căn cứ")
    org_url = reverse("reports:organization", args=[0]).replace("/0/", "/{}/")
    # Cells prepared here, as on the Bloc page: a hundred rows × a dozen criteria, each with the
    # link to its evidence, would cost the template engine most of the page's time.
    table = [{
        "rank": r.rank, "name": r.organization.name, "href": org_url.format(r.organization.id) + f"?year={year}",
        "proposed": r.proposed, "met": r.met, "met_label": standing_label(r.met), "score": number(r.score, 2),
        "bar": f"{r.score:.0f}", "cells": _criteria_cells(criteria, r, evidence_title),
    } for r in view.rows]
    return render(request, "reports/evaluation.html", {
        "root": root, "year": year, "years": range(year - 3, year + 2), "rows": view.rows, "table": table,
        "criteria": criteria,
        "proposals": [r for r in view.rows if r.proposed], "export_query": f"organization_id={root.id}&year={year}",
        "export_links": [("ranking", _("Bảng xếp hạng")), ("criteria", _("Điểm theo từng tiêu chí")),
                         ("proposals", _("Danh sách đề nghị khen thưởng"))],
    })


@login_required
@page_errors
@require_GET
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A register or dashboard table as XLSX or PDF: at once when small, else in the background."""
    if kind not in KINDS or fmt not in WRITERS:
        raise Http404
    params = {k: v for k, v in request.GET.items() if k in EXPORT_PARAMS}
    try:
        table = build_table(request.user, kind, params)
    except (ValueError, Unprocessable) as exc:
        messages.error(request, getattr(exc, "message", _("Tham số không hợp lệ.")))
        return redirect("reports:index")
    if table.total > SYNC_EXPORT_MAX_ROWS or request.GET.get("background") == "1":
        job = actions.request_export(user=request.user, kind=kind, fmt=fmt, params={**params, "lang": get_language()})
        return redirect("reports:job", job_id=job.id)
    buf = io.BytesIO()
    WRITERS[fmt](table, buf)
    buf.seek(0)
    return FileResponse(buf, as_attachment=True, filename=f"{table.file_stem()}.{fmt}", content_type=CONTENT_TYPES[fmt])


def _my_job(request: HttpRequest, job_id: int) -> ExportJob:
    try:
        return ExportJob.objects.get(id=job_id, user=request.user)
    except ExportJob.DoesNotExist:
        raise NotFound(_("Không tìm thấy tệp xuất.")) from None


@login_required
@page_errors
@require_GET
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    """Progress of a background export; refreshes itself until the file is ready."""
    j = _my_job(request, job_id)
    return render(request, "reports/job.html", {"job": j, "refresh": j.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)})


@login_required
@page_errors
@require_GET
def download(request: HttpRequest, job_id: int) -> HttpResponse:
    j = _my_job(request, job_id)
    if j.status != ExportStatus.DONE or not j.file_name:
        raise NotFound(_("Tệp chưa sẵn sàng."))
    path = export_dir() / j.file_name
    return FileResponse(open(path, "rb"), as_attachment=True, filename=j.file_name.split("-", 1)[1], content_type=CONTENT_TYPES[j.fmt])
