"""The search results page (and the box every page shows, `search/_box.html`)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from vanthu.documents.models import DocStatus, DocumentType, Urgency
from vanthu.errors import VanThuError
from vanthu.ui.forms import parse_day

from . import service
from .api import hydrate

PAGE_SIZE = 20


def _date(value: str | None, bad: list[str]) -> date | None:
    """A date typed in the page's date box (dd/mm/yyyy); a wrong one is noted in `bad`."""
    try:
        return parse_day(value)
    except ValueError as exc:
        bad.append(str(exc))
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
    bad_dates: list[str] = []
    page_no = max(1, _int(g.get("page"), 1) or 1)
    params = {
        "q": q, "organization_id": _int(g.get("organization_id")), "direction": g.get("direction") or None,
        "doc_type": g.get("type") or None, "status": g.get("status") or None, "urgency": g.get("urgency") or None,
        "date_from": _date(g.get("date_from"), bad_dates), "date_to": _date(g.get("date_to"), bad_dates),
        "order": g.get("order") if g.get("order") in ("relevance", "newest") else "relevance",
    }
    offset = (page_no - 1) * PAGE_SIZE
    error, items, count, exact, corrected, others = "", [], 0, True, "", []
    try:
        result = service.search(request.user, **params, limit=PAGE_SIZE, offset=offset)
        items = hydrate(result)
        for it in items:
            it["snippet"] = mark_safe(it["snippet"])  # built by snippets.highlight: escaped, <mark> only
        count, exact, corrected = result.count, result.count_exact, result.corrected_q
        others = [(g, [(h, mark_safe(h.snippet)) for h in g.items]) for g in result.others]  # snippets as above
    except VanThuError as exc:
        error = exc.message
    if bad_dates:  # said before the results, which ignore the wrong date
        error = " ".join(filter(None, [bad_dates[0], error]))
    if exact:
        pages = (count + PAGE_SIZE - 1) // PAGE_SIZE
        has_next = page_no < pages
    else:  # more than count: page on while pages are full, up to the deepest offset allowed
        pages = 0
        has_next = len(items) == PAGE_SIZE and offset + PAGE_SIZE <= service.MAX_OFFSET
    query = g.copy()
    query.pop("page", None)
    ctx = {
        "q": q, "corrected_q": corrected, "params": params, "items": items, "others": others, "count": count, "count_exact": exact, "error": error,
        "page_no": page_no, "pages": pages, "first_rank": offset + 1, "has_prev": page_no > 1, "has_next": has_next,
        "base_query": query.urlencode(), "types": DocumentType.objects.filter(is_active=True),
        "statuses": DocStatus.choices, "urgencies": Urgency.choices,
        # The boxes show what was typed, a wrong date too, so that it can be corrected.
        "date_from_text": g.get("date_from", "")[:10], "date_to_text": g.get("date_to", "")[:10],
    }
    template = "search/_results.html" if getattr(request, "htmx", False) and request.htmx.target == "search-results" else "search/search.html"
    return render(request, template, ctx)
