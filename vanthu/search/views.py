"""The search results page (and the box every page shows, `search/_box.html`)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from vanthu.documents.models import DocStatus, DocumentType, Urgency
from vanthu.errors import VanThuError

from . import service
from .api import hydrate

PAGE_SIZE = 20


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    g = request.GET
    q = g.get("q", "").strip()
    page_no = max(1, _int(g.get("page"), 1) or 1)
    params = {
        "q": q, "organization_id": _int(g.get("organization_id")), "direction": g.get("direction") or None,
        "doc_type": g.get("type") or None, "status": g.get("status") or None, "urgency": g.get("urgency") or None,
        "date_from": _date(g.get("date_from")), "date_to": _date(g.get("date_to")),
        "order": g.get("order") if g.get("order") in ("relevance", "newest") else "relevance",
    }
    error, items, count = "", [], 0
    try:
        result = service.search(request.user, **params, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
        items = hydrate(result)
        for it in items:
            it["snippet"] = mark_safe(it["snippet"])  # built by snippets.highlight: escaped, <mark> only
        count = result.count
    except VanThuError as exc:
        error = exc.message
    pages = (count + PAGE_SIZE - 1) // PAGE_SIZE
    query = g.copy()
    query.pop("page", None)
    ctx = {
        "q": q, "params": params, "items": items, "count": count, "error": error,
        "page_no": page_no, "pages": pages, "first_rank": (page_no - 1) * PAGE_SIZE + 1, "has_prev": page_no > 1, "has_next": page_no < pages,
        "base_query": query.urlencode(), "types": DocumentType.objects.filter(is_active=True),
        "statuses": DocStatus.choices, "urgencies": Urgency.choices,
    }
    template = "search/_results.html" if getattr(request, "htmx", False) and request.htmx.target == "search-results" else "search/search.html"
    return render(request, template, ctx)
