"""The standard tables of party members as of a date, per organisation and rolled up the tree.

Every figure comes from the versions valid on that date (`MemberVersion.as_of`), so a member who has
since moved, died or had a degree added counts as they were then. Three grouped queries whatever the
number of members (per organisation: the fixed categories by conditional counts, then ethnicity,
then the year's movements), and the roll-up is done in Python over the organisation tree.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from vanthu.organizations.models import Organization

from .models import (
    Gender,
    Grade,
    MemberRanking,
    MemberStatus,
    MemberVersion,
    OrgRanking,
    Qualification,
    TheoryLevel,
    Transfer,
)
from .profile import years_after

AGE_BANDS = (("to_30", _("Đến 30 tuổi"), 0, 30), ("31_40", _("Từ 31 đến 40"), 31, 40), ("41_50", _("Từ 41 đến 50"), 41, 50),
             ("51_60", _("Từ 51 đến 60"), 51, 60), ("over_60", _("Trên 60 tuổi"), 61, None))
CATEGORIES = {
    "gender": Gender,
    "qualification": Qualification,
    "theory_level": TheoryLevel,
}
MOVEMENTS = ("admitted_this_year", "transferred_in", "transferred_out", "deceased")
MAJORITY = "Kinh"


def _age_filter(as_of: date, low: int, high: int | None) -> Q:
    """Age in whole years on `as_of` between low and high: born after (as_of - (high+1) years), on or before (as_of - low years)."""
    q = Q(birth_date__lte=years_after(as_of, -low))
    if high is not None:
        q &= Q(birth_date__gt=years_after(as_of, -(high + 1)))
    return q


@functools.cache
def counters() -> tuple[str, ...]:
    """Every figure's key, in order (the same for every organisation)."""
    keys = ["total"]
    for name, choices in CATEGORIES.items():
        keys += [f"{name}.{v}" for v in choices.values]
    keys += [f"age.{key}" for key, *_rest in AGE_BANDS]
    return (*keys, *MOVEMENTS)


@dataclass
class Row:
    organization_id: int
    name: str
    parent_id: int | None
    depth: int
    own: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    ethnicity_own: dict[str, int] = field(default_factory=dict)
    ethnicity_total: dict[str, int] = field(default_factory=dict)


@dataclass
class Statistics:
    as_of: date
    root_ids: list[int]
    rows: list[Row]

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for r in self.rows:
            if r.organization_id in self.root_ids:
                for k, v in r.total.items():
                    out[k] += v
        return dict(out)

    def ethnicity(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for r in self.rows:
            if r.organization_id in self.root_ids:
                for k, v in r.ethnicity_total.items():
                    out[k] += v
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def compute(org_ids: set[int], as_of: date) -> Statistics:
    """The tables for the organisations `org_ids` (a set closed under children) as of the end of `as_of`."""
    year_start = date(as_of.year, 1, 1)
    versions = MemberVersion.objects.as_of(as_of).filter(status=MemberStatus.ACTIVE, organization_id__in=org_ids)
    aggregates = {"total": Count("id")}
    for name, choices in CATEGORIES.items():
        for value in choices.values:
            aggregates[f"{name}.{value}"] = Count("id", filter=Q(**{name: value}))
    for key, _label, low, high in AGE_BANDS:
        aggregates[f"age.{key}"] = Count("id", filter=_age_filter(as_of, low, high))
    aggregates["admitted_this_year"] = Count("id", filter=Q(admitted_on__gte=year_start, admitted_on__lte=as_of))
    keys = counters()
    own: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(keys, 0))
    # Aliases may not contain dots: the query names them by position.
    safe = {f"c{i}": agg for i, agg in enumerate(aggregates.values())}
    names = list(aggregates)
    for row in versions.order_by().values("organization_id").annotate(**safe):
        target = own[row["organization_id"]]
        for i, name in enumerate(names):
            target[name] = row[f"c{i}"]
    # Nine in ten members are Kinh: the other ethnicities are grouped, Kinh is what remains of the total.
    ethnicity: dict[int, dict[str, int]] = defaultdict(dict)
    for row in versions.exclude(ethnicity=MAJORITY).order_by().values("organization_id", "ethnicity").annotate(n=Count("id")):
        ethnicity[row["organization_id"]][row["ethnicity"]] = row["n"]
    for org_id, counts in own.items():
        rest = counts["total"] - sum(ethnicity[org_id].values())
        if rest:
            ethnicity[org_id][MAJORITY] = rest
    moved = Transfer.objects.filter(status="accepted", effective_on__gte=year_start, effective_on__lte=as_of)
    for row in moved.filter(to_org_id__in=org_ids).order_by().values("to_org_id").annotate(n=Count("id")):
        own[row["to_org_id"]]["transferred_in"] = row["n"]
    for row in moved.filter(from_org_id__in=org_ids).order_by().values("from_org_id").annotate(n=Count("id")):
        own[row["from_org_id"]]["transferred_out"] = row["n"]
    deaths = MemberVersion.objects.filter(status=MemberStatus.DECEASED, reason="status", valid_from__gte=year_start,
                                          valid_from__lte=as_of, organization_id__in=org_ids)
    for row in deaths.order_by().values("organization_id").annotate(n=Count("member", distinct=True)):
        own[row["organization_id"]]["deceased"] = row["n"]
    return _roll_up(org_ids, own, ethnicity, as_of)


def _roll_up(org_ids: set[int], own: dict, ethnicity: dict, as_of: date) -> Statistics:
    orgs = list(Organization.objects.filter(id__in=org_ids).values("id", "name", "parent_id"))
    children: dict[int | None, list[dict]] = defaultdict(list)
    for o in orgs:
        children[o["parent_id"] if o["parent_id"] in org_ids else None].append(o)
    rows: list[Row] = []
    zero = dict.fromkeys(counters(), 0)

    def walk(o: dict, depth: int) -> Row:
        row = Row(o["id"], o["name"], o["parent_id"], depth, own=dict(own.get(o["id"], zero)),
                  ethnicity_own=dict(ethnicity.get(o["id"], {})))
        rows.append(row)
        total, eth = dict(row.own), dict(row.ethnicity_own)
        for child in sorted(children.get(o["id"], []), key=lambda c: c["name"]):
            sub = walk(child, depth + 1)
            for k, v in sub.total.items():
                total[k] += v
            for k, v in sub.ethnicity_total.items():
                eth[k] = eth.get(k, 0) + v
        row.total, row.ethnicity_total = total, eth
        return row

    roots = sorted(children.get(None, []), key=lambda c: c["name"])
    for o in roots:
        walk(o, 0)
    return Statistics(as_of=as_of, root_ids=[o["id"] for o in roots], rows=rows)


def ranking_distribution(org_ids: set[int], year: int) -> dict:
    """How members and organisations were ranked in `year`: per organisation, and over all."""
    members: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Grade.values, 0))
    for row in (MemberRanking.objects.filter(year=year, organization_id__in=org_ids).order_by()
                .values("organization_id", "grade").annotate(n=Count("id"))):
        members[row["organization_id"]][row["grade"]] = row["n"]
    org_grades = dict(OrgRanking.objects.filter(year=year, organization_id__in=org_ids).values_list("organization_id", "grade"))
    names = dict(Organization.objects.filter(id__in=org_ids).values_list("id", "name"))
    rows = [{"organization_id": oid, "name": names[oid], "organization_grade": org_grades.get(oid),
             "members": dict(members.get(oid, dict.fromkeys(Grade.values, 0)))}
            for oid in sorted(org_ids, key=lambda i: names.get(i, ""))]
    overall = dict.fromkeys(Grade.values, 0)
    for counts in members.values():
        for g, n in counts.items():
            overall[g] += n
    orgs_overall = dict.fromkeys(Grade.values, 0)
    for g in org_grades.values():
        orgs_overall[g] += 1
    return {"year": year, "members": overall, "organizations": orgs_overall, "rows": rows}
