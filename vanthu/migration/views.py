"""The pages of legacy records (list, one record as Notes showed it, its files)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanthu.documents.storage import path_for
from vanthu.errors import NotAllowed, NotFound, VanThuError
from vanthu.organizations.access import member_org_ids
from vanthu.organizations.models import Organization
from vanthu.ui.forms import apply_error
from vanthu.ui.shortcuts import page_errors, paginate

from . import access, actions
from .api import html_with_pictures, records_matching
from .forms import UploadForm
from .models import ImportRun, RunStatus
from .report import summary_rows, to_pdf, to_xlsx

SAFE_INLINE = {"image/gif", "image/jpeg", "image/png"}


@login_required
@page_errors
def records_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    form = request.GET.get("form", "")[:128]
    try:
        org_id = int(request.GET.get("organization_id") or 0) or None
    except ValueError:
        org_id = None
    page = paginate(request, records_matching(request.user, organization_id=org_id, form=form, q=q).select_related("organization"))
    orgs = Organization.objects.filter(id__in=member_org_ids(request.user)).order_by("name")
    return render(request, "migration/records.html", {"page": page, "q": q, "form": form, "org_id": org_id, "orgs": orgs})


@login_required
@page_errors
def record_page(request: HttpRequest, record_id: int) -> HttpResponse:
    rec = access.get_record(request.user, record_id)
    atts = list(rec.attachments.all())
    # The HTML was built by dxl.richtext from an allow-list with every text escaped.
    html = mark_safe(html_with_pictures(rec, atts))  # noqa: S308
    items = [i for i in rec.items if i["type"] != "richtext"]
    return render(request, "migration/record.html", {
        "rec": rec, "items": items, "html": html, "files": [a for a in atts if a.kind == "file"],
        "versions": rec.versions.all()})


@login_required
@page_errors
def attachment(request: HttpRequest, record_id: int, attachment_id: int) -> HttpResponse:
    att = access.get_attachment(request.user, record_id, attachment_id)
    inline = att.kind == "picture" and att.content_type in SAFE_INLINE
    # Anything but a picture is a download no page can run.
    resp = FileResponse(open(path_for(att.sha256), "rb"), content_type=att.content_type if inline else "application/octet-stream",
                        as_attachment=not inline, filename=att.name)
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, max-age=3600"
    return resp


# --- the administrator's pages: upload, progress, report -------------------------------------------

def _admin(request: HttpRequest) -> None:
    if not access.may_migrate(request.user):
        raise NotAllowed(_("Chỉ quản trị hệ thống mới được chuyển dữ liệu từ Lotus Notes."))


@login_required
@page_errors
def runs_page(request: HttpRequest) -> HttpResponse:
    _admin(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run = actions.queue_import(user=request.user, organization=form.cleaned_data["organization"],
                                           upload=form.cleaned_data["file"], mapping_text=form.cleaned_data["mapping"],
                                           dry_run=form.cleaned_data["dry_run"])
            except VanThuError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Đã nhận tệp; hệ thống đang nhập trong nền."))
                return redirect("migration:run", run.id)
        status = 422
    runs = ImportRun.objects.select_related("organization", "started_by")[:50]
    return render(request, "migration/runs.html", {"form": form, "runs": runs}, status=status)


@login_required
@page_errors
def run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access.get_run(request.user, run_id)
    template = "migration/_progress.html" if request.htmx else "migration/run.html"
    return render(request, template, {"run": run, "report": run.report or {}, "summary": summary_rows(run.report or {}),
                                      "running": run.status in (RunStatus.QUEUED, RunStatus.RUNNING)})


@login_required
@require_POST
@page_errors
def verify_page(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access.get_run(request.user, run_id)
    try:
        actions.queue_verification(run, user=request.user)
    except VanThuError as exc:
        messages.error(request, exc.message)
    return redirect("migration:run", run.id)


@login_required
@page_errors
def run_report(request: HttpRequest, run_id: int, fmt: str) -> HttpResponse:
    run = access.get_run(request.user, run_id)
    stem = f"bao-cao-chuyen-du-lieu-{run.id}"
    if fmt == "json":
        resp = HttpResponse(json.dumps(run.report or {}, ensure_ascii=False, indent=2), content_type="application/json")
        resp["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    elif fmt == "xlsx":
        resp = HttpResponse(to_xlsx(run), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    elif fmt == "pdf":
        resp = HttpResponse(to_pdf(run), content_type="application/pdf")
        resp["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
    else:
        raise NotFound(_("Không có định dạng này."), code="unknown_format")
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
