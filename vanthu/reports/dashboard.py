"""What the dashboards show, computed from the aggregates: the Bloc's ranking and one organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from vanthu.organizations.models import Organization, OrgKind

from . import access
from .evaluation import Row, evaluate
from .figures import Figures, Period, by_type, figures_for, trend, year_period
from .models import Target


@dataclass
class BlocView:
    root: Organization
    year: int
    period: Period
    rows: list[Row]
    total: Figures
    months: list[tuple[date, Figures]]
    target: Target | None


def bloc(root: Organization, year: int, *, org_ids: list[int] | None = None) -> BlocView:
    """Every organisation under `root` (cut to `org_ids`, what the viewer may see), ranked for the year."""
    period = year_period(year)
    ids = org_ids if org_ids is not None else access.subtree_ids(root.id)
    orgs = list(Organization.objects.filter(id__in=ids).exclude(kind=OrgKind.EXTERNAL))
    rows = evaluate(orgs, year, period=period)
    total = Figures()
    for r in rows:
        total.merge(r.figures)
    return BlocView(root, year, period, rows, total, trend(ids, period), Target.objects.filter(year=year).first())


@dataclass
class OrgView:
    org: Organization
    period: Period
    subtree: bool
    figures: Figures
    months: list[tuple[date, Figures]]
    types: list[dict[str, Any]]
    target: Target | None


def organization(org: Organization, period: Period, ids: list[int], *, subtree: bool) -> OrgView:
    trend_period = year_period(period.date_from.year) if period.kind != "year" and period.date_from.year == period.date_to.year else period
    return OrgView(
        org, period, subtree, figures_for(ids, period), trend(ids, trend_period), by_type(ids, period),
        Target.objects.filter(year=period.date_from.year).first(),
    )
