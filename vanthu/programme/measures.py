"""The programme's figures for the yearly evaluation: one share (0..1) per organisation, year and
source, with the numbers behind it and the page that shows the evidence. `reports` reads these
(it sits above programme); nothing here knows how they are weighted.

A share is None when there is nothing to measure (no regulation addressed to the organisation, no
signed inspection, no inventory…): the evaluation counts unknown as 0, as for document figures.

Each source is one grouped query over all the organisations asked for (five in all), whatever
their number.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.organizations.models import Membership

from .infrastructure import gaps_for, standards
from .models import (
    Acknowledgement,
    Enrolment,
    InspectionScore,
    InspectionStatus,
    Inventory,
    Recommendation,
    RecommendationStatus,
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


def _grouped(qs, key: str, **aggregates) -> dict[int, dict]:
    return {row[key]: row for row in qs.values(key).annotate(**aggregates).order_by()}


def measures(org_ids: list[int], year: int, *, today: date | None = None) -> dict[int, dict[str, Measure]]:
    """{organisation id: {source: Measure}} for the year."""
    today = today or timezone.localdate()
    ids = list(org_ids)
    people = _grouped(Membership.objects.filter(organization_id__in=ids, user__is_active=True), "organization_id",
                      n=Count("user_id", distinct=True))
    regs = _grouped(RegulationTarget.objects.filter(organization_id__in=ids, regulation__year=year), "organization_id", n=Count("id"))
    acks = _grouped(Acknowledgement.objects.filter(organization_id__in=ids, regulation__year=year), "organization_id", n=Count("id"))
    planned = dict(TrainingPlan.objects.filter(organization_id__in=ids, year=year).values_list("organization_id", "planned"))
    trained = _grouped(Enrolment.objects.filter(organization_id__in=ids, course__starts__year=year), "organization_id",
                       n=Count("id"), passed=Count("id", filter=Q(passed=True)))
    scored = _grouped(InspectionScore.objects.filter(
        side=ScoreSide.INSPECTOR, inspection__year=year, inspection__status=InspectionStatus.SIGNED,
        inspection__organization_id__in=ids), "inspection__organization_id", s=Sum("score"), m=Sum("item__max_score"))
    recs = _grouped(Recommendation.objects.filter(organization_id__in=ids, inspection__year=year).annotate(closed_day=TruncDate("closed_at")),
                    "organization_id",
                    due=Count("id", filter=Q(status=RecommendationStatus.CLOSED) | Q(deadline__lt=today)),
                    on_time=Count("id", filter=Q(status=RecommendationStatus.CLOSED, closed_day__lte=F("deadline"))))
    rules = standards(year)
    inventories = {i.organization_id: i for i in Inventory.objects.filter(organization_id__in=ids, year=year)}
    out: dict[int, dict[str, Measure]] = defaultdict(dict)
    for oid in ids:
        need = people.get(oid, {}).get("n", 0) * regs.get(oid, {}).get("n", 0)
        done = acks.get(oid, {}).get("n", 0)
        out[oid][REGULATIONS] = Measure(_share(done, need), done, need, evidence_url(oid, year, REGULATIONS))
        t = trained.get(oid, {})
        den = planned.get(oid) or t.get("n", 0)
        out[oid][TRAINING] = Measure(_share(t.get("passed", 0), den), t.get("passed", 0), den, evidence_url(oid, year, TRAINING))
        s = scored.get(oid, {})
        got, of = float(s.get("s") or 0), float(s.get("m") or 0)
        out[oid][INSPECTION] = Measure(_share(got, of), got, of, evidence_url(oid, year, INSPECTION))
        r = recs.get(oid, {})
        out[oid][RECOMMENDATIONS] = Measure(_share(r.get("on_time", 0), r.get("due", 0)), r.get("on_time", 0), r.get("due", 0),
                                            evidence_url(oid, year, RECOMMENDATIONS))
        g = gaps_for(inventories.get(oid), rules)
        out[oid][INFRASTRUCTURE] = Measure(g.share, len(g.met), len(rules) if g.inventory else 0, evidence_url(oid, year, INFRASTRUCTURE))
    return dict(out)
