"""Targets standing and the yearly IT-use evaluation: weighted criteria, score, ranking, proposals.

Score = Σ weight × value / Σ weight × 100, over the active criteria with a positive weight.
A criterion's value is a share from 0 to 1; an unknown share (nothing to divide, or signatures
not verified) counts as 0 — an organisation earns points only for what is proven.

Sources: the document figures (aggregates), the programme's measures (regulations studied,
training, inspections, recommendations, infrastructure: `vanthu.programme.measures`), the share of
leaders' tasks done on time (`vanthu.direction.followup`), or a manual score. Each value carries the page that shows its evidence (`Row.evidence`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse

from vanthu.direction.followup import on_time_shares
from vanthu.organizations.models import Organization
from vanthu.programme.measures import SOURCES as PROGRAMME_SOURCES
from vanthu.programme.measures import Measure, measures

from .figures import Figures, Period, per_org, year_period
from .models import Criterion, CriterionSource, EvaluationSettings, ManualScore, Target

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"


def standing(fig: Figures, target: Target | None) -> dict[str, str]:
    """Each target figure: met, not met, or unknown (nothing received, or no verdict yet)."""
    out: dict[str, str] = {}
    if target is None:
        return out
    for name in ("electronic_share", "authenticated_share"):
        goal = getattr(target, name)
        if goal is None:
            continue
        value = getattr(fig, name)
        out[name] = UNKNOWN if value is None else (MET if Decimal(str(round(value, 6))) >= goal else NOT_MET)
    return out


def overall(stand: dict[str, str]) -> str:
    if not stand:
        return UNKNOWN
    if NOT_MET in stand.values():
        return NOT_MET
    if UNKNOWN in stand.values():
        return UNKNOWN
    return MET


@dataclass
class Row:
    organization: Organization
    figures: Figures
    values: dict[str, float | None]
    score: float
    standing: dict[str, str]
    met: str
    rank: int = 0
    proposed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)  # criterion code → the page behind its value

    def as_dict(self) -> dict[str, Any]:
        f = self.figures
        return {
            "rank": self.rank, "organization": {"id": self.organization.id, "name": self.organization.name, "code": self.organization.code},
            "score": self.score, "target": self.met, "standing": self.standing, "criteria": self.values,
            "proposed_for_commendation": self.proposed,
            "sent": f.sent, "received": f.received, "received_electronic": f.received_electronic,
            "received_paper": f.received_paper, "electronic_share": f.electronic_share,
            "authenticated_share": f.authenticated_share, "late_share": f.late_share,
            "on_time_share": f.on_time_share, "evidence": self.evidence,
        }


# Where a document figure's evidence is: the organisation's documents behind the number.
DOCUMENT_EVIDENCE = {"electronic_share": "electronic", "authenticated_share": "received", "on_time_share": "late"}


def criterion_value(c: Criterion, fig: Figures, manual: dict[tuple[int, int], Decimal], org_id: int,
                    programme: dict[str, Measure] | None = None, tasks: dict[int, float | None] | None = None) -> float | None:
    if c.source == CriterionSource.MANUAL:
        v = manual.get((c.id, org_id))
        return None if v is None else float(v)
    if c.source == CriterionSource.DIRECTED_TASKS:
        return (tasks or {}).get(org_id)
    if c.source in PROGRAMME_SOURCES:
        return programme[c.source].value if programme else None
    return getattr(fig, c.source)


def evidence_url(c: Criterion, org_id: int, year: int, programme: dict[str, Measure] | None) -> str:
    if c.source == CriterionSource.DIRECTED_TASKS:
        return _followup_page() + f"?organization={org_id}"
    if c.source in PROGRAMME_SOURCES:
        return programme[c.source].url if programme else ""
    if c.source in DOCUMENT_EVIDENCE:
        return _documents_page().format(org_id) + f"?year={year}&metric={DOCUMENT_EVIDENCE[c.source]}"
    return ""


@functools.cache
def _documents_page() -> str:
    # Resolved once: a ranking asks for a link per organisation and criterion.
    return reverse("reports:documents", args=[0]).replace("/0/", "/{}/")


@functools.cache
def _followup_page() -> str:
    return reverse("direction:followup")


def evaluate(orgs: list[Organization], year: int, *, period: Period | None = None) -> list[Row]:
    """Every organisation's score for the year, ranked (1 = best)."""
    period = period or year_period(year)
    figs = per_org([o.id for o in orgs], period)
    target = Target.objects.filter(year=year).first()
    criteria = [c for c in Criterion.objects.filter(is_active=True) if c.weight > 0]
    total_weight = sum(float(c.weight) for c in criteria)
    manual = {(m.criterion_id, m.organization_id): m.value for m in ManualScore.objects.filter(year=year, organization__in=orgs)}
    measured = measures([o.id for o in orgs], year) if any(c.source in PROGRAMME_SOURCES for c in criteria) else {}
    tasks = (on_time_shares([o.id for o in orgs], period.date_from, period.date_to)
             if any(c.source == CriterionSource.DIRECTED_TASKS for c in criteria) else {})
    rows = []
    for org in orgs:
        fig = figs[org.id]
        prog = measured.get(org.id)
        values = {c.code: criterion_value(c, fig, manual, org.id, prog, tasks) for c in criteria}
        points = sum(float(c.weight) * (values[c.code] or 0.0) for c in criteria)
        score = round(100 * points / total_weight, 2) if total_weight else 0.0
        st = standing(fig, target)
        row = Row(org, fig, values, score, st, overall(st))
        row.evidence = {c.code: url for c in criteria if (url := evidence_url(c, org.id, year, prog))}
        rows.append(row)
    rows.sort(key=lambda r: (-r.score, -(r.figures.electronic_share or 0), r.organization.name))
    settings_row = EvaluationSettings.objects.filter(year=year).first()
    min_score = float(settings_row.commendation_min_score) if settings_row else 90.0
    max_count = settings_row.commendation_max_count if settings_row else 10
    proposed = 0
    for i, r in enumerate(rows, start=1):
        r.rank = i
        if proposed < max_count and r.score >= min_score and r.met != NOT_MET and r.figures.received:
            r.proposed = True
            proposed += 1
    return rows
