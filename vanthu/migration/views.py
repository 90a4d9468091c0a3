"""The pages of legacy records (list, one record as Notes showed it, its files)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from vanthu.documents.storage import path_for
from vanthu.organizations.access import member_org_ids
from vanthu.organizations.models import Organization
from vanthu.ui.shortcuts import page_errors, paginate

from . import access
from .api import html_with_pictures, records_matching

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
