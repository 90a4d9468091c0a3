"""Browsing and exporting the audit log: administrators only."""

from __future__ import annotations

import csv
from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from vanthu.organizations.access import is_installation_admin
from vanthu.text import without_refused
from vanthu.ui.forms import parse_day

from . import sentences
from .models import AuditEntry
from .tasks import latest_break

EXPORT_LIMIT = 200_000


def _filtered(request: HttpRequest) -> tuple[QuerySet, dict]:
    q = request.GET
    # Filters match stored text, which never holds refused characters: they are dropped, not sent
    # to the database (PostgreSQL refuses a NUL in a query).
    f = {k: without_refused(q.get(k, "")).strip()[:100] for k in ("action", "actor", "object_type", "object_id", "date_from", "date_to")}
    qs = AuditEntry.objects.all()
    if f["action"]:
        qs = qs.filter(action=f["action"])
    if f["actor"]:
        qs = qs.filter(actor_name__icontains=f["actor"])
    if f["object_type"]:
        qs = qs.filter(object_type=f["object_type"])
    if f["object_id"]:
        qs = qs.filter(object_id=f["object_id"])
    for key, lookup, at in (("date_from", "at__gte", time.min), ("date_to", "at__lte", time.max)):
        if f[key]:
            try:
                day = parse_day(f[key])
            except ValueError:
                f[key] = ""
                continue
            qs = qs.filter(**{lookup: timezone.make_aware(datetime.combine(day, at))})
    return qs.order_by("-seq"), f


def _admin_only(request: HttpRequest) -> None:
    if not is_installation_admin(request.user):  # the whole log is installation-wide
        raise PermissionDenied


def browse(request: HttpRequest) -> HttpResponse:
    """The log, newest first, filtered by action, person, object and dates."""
    _admin_only(request)
    qs, filters = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    codes = AuditEntry.objects.order_by().values_list("action", flat=True).distinct()
    # The filter lists actions by their sentence; the code stays the value, as stored.
    actions = sorted(((code, sentences.action_sentence(code)) for code in codes), key=lambda pair: pair[1])
    for entry in page:
        entry.sentence = sentences.action_sentence(entry.action)
        entry.details = sentences.details(entry.data)
        entry.object_label = sentences.object_label(entry.object_type, entry.object_id)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/browse.html", {
        "page": page, "filters": filters, "actions": actions, "query": query.urlencode(),
        "chain_break": latest_break(),
    })


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe_cell(value: str) -> str:
    # A cell starting with = + - @ would be a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as CSV (UTF-8 with BOM so that Excel shows Vietnamese correctly)."""
    _admin_only(request)
    qs, _f = _filtered(request)
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"
        yield writer.writerow(["seq", "at", "actor", "action", "object_type", "object_id", "data", "hash"])
        for e in qs[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield writer.writerow([
                e.seq, timezone.localtime(e.at).isoformat(), _safe_cell(e.actor_name), e.action, e.object_type,
                _safe_cell(e.object_id), _safe_cell(str(e.data)), e.hash,
            ])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="nhat-ky-kiem-toan.csv"'
    return response
