"""Targets standing and the weighted IT-use evaluation, pinned on a small history."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from vanthu.direction.actions import TaskSpec, create_directive
from vanthu.direction.models import Task
from vanthu.reports.evaluation import evaluate
from vanthu.reports.models import (
    Criterion,
    CriterionSource,
    EvaluationSettings,
    ManualScore,
    Target,
)
from vanthu.testing import factories as f

from .history import HCM, Clock, accept, paper, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(world, monkeypatch):
    Clock(monkeypatch, datetime(2026, 2, 3, 9, 0, tzinfo=HCM))
    doc = send(world, [world.b, world.c])
    accept(world.b, doc)
    paper(world.b)
    return world


def test_seeded_targets_and_criteria():
    assert Target.objects.get(year=2026).electronic_share == Decimal("0.95")
    t2 = Target.objects.get(year=2027)
    assert (t2.electronic_share, t2.authenticated_share) == (Decimal("1"), Decimal("1"))
    assert {c.source: c.weight for c in Criterion.objects.filter(is_active=True)} == {
        "electronic_share": Decimal("40"), "authenticated_share": Decimal("30"), "on_time_share": Decimal("30")}


def test_scores_rank_and_standing(year):
    w = year
    rows = {r.organization.id: r for r in evaluate([w.b.org, w.c.org, w.outsider.org], 2026)}
    # c: 100% electronic (40 points); authenticated unknown and no deadlines count 0.
    assert rows[w.c.org.id].score == 40.0 and rows[w.c.org.id].met == "met" and rows[w.c.org.id].rank == 1
    # b: half electronic → 20 points, below the 95% target.
    assert rows[w.b.org.id].score == 20.0 and rows[w.b.org.id].met == "not_met" and rows[w.b.org.id].rank == 2
    assert rows[w.outsider.org.id].score == 0.0 and rows[w.outsider.org.id].met == "unknown"
    assert not any(r.proposed for r in rows.values())  # nobody reaches the default 90 points


def test_second_year_needs_authentication_and_manual_criteria_count(year):
    w = year
    Target.objects.filter(year=2026).update(authenticated_share=Decimal("1"))
    rows = {r.organization.id: r for r in evaluate([w.b.org, w.c.org], 2026)}
    # c is fully electronic but its documents are not signed: the second target is missed.
    assert rows[w.c.org.id].standing == {"electronic_share": "met", "authenticated_share": "not_met"}
    assert rows[w.c.org.id].met == "not_met"
    training = Criterion.objects.create(code="tap-huan-2", name="Tập huấn", source=CriterionSource.MANUAL, weight=Decimal("100"))
    ManualScore.objects.create(criterion=training, organization=w.b.org, year=2026, value=Decimal("1"))
    EvaluationSettings.objects.create(year=2026, commendation_min_score=Decimal("50"), commendation_max_count=1)
    rows = {r.organization.id: r for r in evaluate([w.b.org, w.c.org], 2026)}
    # b: (40×0.5 + 100×1) / 200 = 60; c: 40×1 / 200 = 20.
    assert rows[w.b.org.id].score == 60.0 and rows[w.c.org.id].score == 20.0
    assert rows[w.b.org.id].proposed is False  # proposals need the targets not missed
    Target.objects.filter(year=2026).update(electronic_share=Decimal("0.5"), authenticated_share=None)
    rows = {r.organization.id: r for r in evaluate([w.b.org, w.c.org], 2026)}
    assert rows[w.b.org.id].proposed is True and rows[w.c.org.id].proposed is False


def test_leaders_tasks_done_on_time_count_in_the_evaluation(world):
    """The Bloc's directives are a criterion once it is active: a task done by its deadline earns
    the points, one still open past it earns none, and the value links to the follow-up page."""
    w = world
    leader = f.make_user(w.bloc, "leader", full_name="Bí thư Đảng ủy Khối")
    today = timezone.localdate()
    directive = create_directive(user=leader, organization=w.bloc, title="Kết luận về chuyển đổi số", tasks=[
        TaskSpec(organization_id=w.b.org.id, content="Rà soát hạ tầng.", due=today + timedelta(days=5)),
        TaskSpec(organization_id=w.c.org.id, content="Rà soát hạ tầng.", due=today + timedelta(days=5))])
    past = today - timedelta(days=2)
    Task.objects.filter(directive=directive, organization=w.b.org).update(due=past, state="done", reported_done_on=past, done_on=past)
    Task.objects.filter(directive=directive, organization=w.c.org).update(due=past)  # still open: late
    tasks = Criterion.objects.get(source=CriterionSource.DIRECTED_TASKS)
    assert not tasks.is_active  # seeded off: the Bloc turns it on
    Criterion.objects.filter(is_active=True).update(is_active=False)
    Criterion.objects.filter(id=tasks.id).update(is_active=True)
    rows = {r.organization.id: r for r in evaluate([w.b.org, w.c.org, w.outsider.org], today.year)}
    assert rows[w.b.org.id].values == {tasks.code: 1.0} and rows[w.b.org.id].score == 100.0
    assert rows[w.c.org.id].values == {tasks.code: 0.0} and rows[w.c.org.id].score == 0.0
    assert rows[w.outsider.org.id].values == {tasks.code: None}  # no task: unknown, counts 0
    assert rows[w.b.org.id].evidence[tasks.code].endswith(f"?organization={w.b.org.id}")
