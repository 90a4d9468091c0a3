"""Statistics over the API: one organisation's figures for a period, and the yearly ranking."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router

from vanthu.organizations.models import Organization

from . import access
from .evaluation import evaluate
from .figures import by_type, figures_for, make_period

router = Router(tags=["reports"])


@router.get("/reports/summary")
def summary(request: HttpRequest, organization_id: int, date_from: date | None = None, date_to: date | None = None,
            year: int | None = None, quarter: int | None = None, month: int | None = None,
            subtree: bool = False, breakdown: bool = False) -> dict:
    """An organisation's figures for a period (dates, or a year/quarter/month), optionally with its subtree.

    Shares are fractions 0..1, null when there is nothing to divide (or, for the authenticated
    share, while signatures are not verified). Hours are medians/p90 read from histograms
    (within ±7.3%). Figures are as of now.
    """
    org = access.get_org(request.auth, organization_id)
    period = make_period(date_from, date_to, year=year, quarter=quarter, month=month)
    ids = access.visible_subtree(request.auth, org) if subtree else [org.id]
    fig = figures_for(ids, period)
    out = {
        "organization_id": org.id, "organization_name": org.name, "subtree": subtree,
        "organizations": len(ids), "date_from": period.date_from, "date_to": period.date_to,
        "period_label": period.label, **fig.as_dict(),
    }
    if breakdown:
        out["by_type"] = by_type(ids, period)
    return out


@router.get("/reports/ranking")
def ranking(request: HttpRequest, year: int, organization_id: int | None = None) -> dict:
    """Every organisation the person may see under `organization_id` (default: their scope), ranked by score."""
    make_period(year=year)  # validates the year
    if organization_id is not None:
        root = access.get_org(request.auth, organization_id)
        ids = access.visible_subtree(request.auth, root)
    else:
        ids = sorted(access.scope_ids(request.auth))
    orgs = list(Organization.objects.filter(id__in=ids).exclude(kind="external"))
    rows = evaluate(orgs, year)
    return {"year": year, "items": [r.as_dict() for r in rows], "count": len(rows)}
