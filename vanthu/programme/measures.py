"""The programme's figures for the yearly evaluation: one share (0..1) per organisation, year and
source, with the numbers behind it and the page that shows the evidence. `reports` reads these
(it sits above programme); nothing here knows how they are weighted.

A share is None when there is nothing to measure (no regulation addressed to the organisation, no
signed inspection, no inventory…): the evaluation counts unknown as 0, as for document figures.

Acknowledgements are read from their tallies (`tallies.py`, kept by the acknowledging action).
Each other figure is one grouped query over all the organisations asked for (eight in all), whatever
their number. "On time" for a recommendation is decided when it is closed (`closed_on_time`, by
the local date), so that no query needs the time zone.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.accounts.models import User
from vanthu.organizations.models import Membership

from .infrastructure import gaps_for, standards
from .models import (
    AcknowledgementTally,
    ChecklistItem,
    Course,
    Enrolment,
    Inspection,
    InspectionScore,
    InspectionStatus,
    Inventory,
    Recommendation,
    RecommendationStatus,
    Regulation,
    RegulationTarget,
    ScoreSide,
    TrainingPlan,
)

REGULATIONS = "regulations_share"
TRAINING = "training_share"
INSPECTION = "inspection_score"
RECOMMENDATIONS = "recommendations_on_time"
INFRASTRUCTURE = "infrastructure_share"

# source → (label, anchor of the evidence on the organisation's programme page)
SOURCES = {
    REGULATIONS: (_("Tỷ lệ cán bộ đã nghiên cứu quy chế, quy định trong năm"), "regulations"),
    TRAINING: (_("Tỷ lệ học viên theo kế hoạch đã đạt yêu cầu tập huấn"), "training"),
    INSPECTION: (_("Điểm kiểm tra ứng dụng CNTT"), "inspections"),
    RECOMMENDATIONS: (_("Tỷ lệ kiến nghị sau kiểm tra hoàn thành đúng hạn"), "recommendations"),
    INFRASTRUCTURE: (_("Tỷ lệ đạt chuẩn tối thiểu về hạ tầng CNTT"), "infrastructure"),
}


@dataclass(frozen=True)
class Measure:
    value: float | None
    numerator: float
    denominator: float
    url: str

    def as_dict(self) -> dict:
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator, "evidence_url": self.url}


def evidence_url(org_id: int, year: int, source: str) -> str:
    return _org_page().format(org_id) + f"?year={year}#{SOURCES[source][1]}"


@functools.cache
def _org_page() -> str:
    # Resolved once: an evaluation asks for 5 links per organisation, hundreds per page.
    return reverse("programme:organization", args=[0]).replace("/0/", "/{}/")


def _share(num: float, den: float) -> float | None:
    return None if not den else min(1.0, num / den)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _by_org(rows: list[tuple]) -> dict[int, tuple]:
    return {r[0]: r[1:] for r in rows}


def _tables() -> dict[str, str]:
    qn = connection.ops.quote_name
    return {m.__name__: qn(m._meta.db_table) for m in (
        Membership, User, RegulationTarget, Regulation, AcknowledgementTally, TrainingPlan, Enrolment, Course, InspectionScore,
        Inspection, ChecklistItem, Recommendation)}


def measures(org_ids: list[int], year: int, *, today: date | None = None) -> dict[int, dict[str, Measure]]:
    """{organisation id: {source: Measure}} for the year.

    Plain grouped statements (one per figure, ids inlined as integers): the ORM's cost of building
    eight queries with a hundred ids each was most of an evaluation page's time."""
    today = today or timezone.localdate()
    ids = [int(i) for i in org_ids]
    if not ids:
        return {}
    t, inlist = _tables(), ",".join(map(str, ids))
    people = _by_org(_rows(
        f"SELECT m.organization_id, COUNT(DISTINCT m.user_id) FROM {t['Membership']} m JOIN {t['User']} u ON u.id = m.user_id"
        f" WHERE m.organization_id IN ({inlist}) AND u.is_active GROUP BY m.organization_id", []))
    regs = _by_org(_rows(
        f"SELECT rt.organization_id, COUNT(*) FROM {t['RegulationTarget']} rt JOIN {t['Regulation']} r ON r.id = rt.regulation_id"
        f" WHERE rt.organization_id IN ({inlist}) AND r.year = %s GROUP BY rt.organization_id", [year]))
    acks = _by_org(_rows(
        f"SELECT organization_id, n FROM {t['AcknowledgementTally']} WHERE organization_id IN ({inlist}) AND year = %s", [year]))
    planned = _by_org(_rows(
        f"SELECT organization_id, planned FROM {t['TrainingPlan']} WHERE organization_id IN ({inlist}) AND year = %s", [year]))
    trained = _by_org(_rows(
        f"SELECT e.organization_id, COUNT(*), SUM(CASE WHEN e.passed THEN 1 ELSE 0 END) FROM {t['Enrolment']} e"
        f" JOIN {t['Course']} c ON c.id = e.course_id WHERE e.organization_id IN ({inlist}) AND c.starts >= %s AND c.starts < %s"
        " GROUP BY e.organization_id", [date(year, 1, 1), date(year + 1, 1, 1)]))
    scored = _by_org(_rows(
        f"SELECT i.organization_id, SUM(s.score), SUM(c.max_score) FROM {t['InspectionScore']} s"
        f" JOIN {t['Inspection']} i ON i.id = s.inspection_id JOIN {t['ChecklistItem']} c ON c.id = s.item_id"
        f" WHERE i.organization_id IN ({inlist}) AND i.year = %s AND i.status = %s AND s.side = %s GROUP BY i.organization_id",
        [year, InspectionStatus.SIGNED.value, ScoreSide.INSPECTOR.value]))
    recs = _by_org(_rows(
        f"SELECT r.organization_id, SUM(CASE WHEN r.status = %s OR r.deadline < %s THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN r.closed_on_time THEN 1 ELSE 0 END) FROM {t['Recommendation']} r"
        f" JOIN {t['Inspection']} i ON i.id = r.inspection_id WHERE r.organization_id IN ({inlist}) AND i.year = %s"
        " GROUP BY r.organization_id", [RecommendationStatus.CLOSED.value, today, year]))
    rules = standards(year)
    inventories = {i.organization_id: i for i in Inventory.objects.filter(organization_id__in=ids, year=year)}
    out: dict[int, dict[str, Measure]] = defaultdict(dict)
    for oid in ids:
        need = (people.get(oid) or (0,))[0] * (regs.get(oid) or (0,))[0]
        done = (acks.get(oid) or (0,))[0]
        out[oid][REGULATIONS] = Measure(_share(done, need), done, need, evidence_url(oid, year, REGULATIONS))
        n, passed = trained.get(oid) or (0, 0)
        den = (planned.get(oid) or (0,))[0] or n
        out[oid][TRAINING] = Measure(_share(passed or 0, den), passed or 0, den, evidence_url(oid, year, TRAINING))
        got, of = (float(v or 0) for v in (scored.get(oid) or (0, 0)))
        out[oid][INSPECTION] = Measure(_share(got, of), got, of, evidence_url(oid, year, INSPECTION))
        due, on_time = (int(v or 0) for v in (recs.get(oid) or (0, 0)))
        out[oid][RECOMMENDATIONS] = Measure(_share(on_time, due), on_time, due, evidence_url(oid, year, RECOMMENDATIONS))
        g = gaps_for(inventories.get(oid), rules)
        out[oid][INFRASTRUCTURE] = Measure(g.share, len(g.met), len(rules) if g.inventory else 0, evidence_url(oid, year, INFRASTRUCTURE))
    return dict(out)
