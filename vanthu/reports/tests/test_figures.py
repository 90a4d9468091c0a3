"""Every figure pinned on a hand-built history, including the edge cases."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from vanthu.documents import actions
from vanthu.documents.models import Delivery, Document
from vanthu.reports import aggregates, records
from vanthu.reports.figures import figures_for, make_period, month_period, quarter_period
from vanthu.signatures import actions as sig_actions
from vanthu.signatures.models import SignatureReport
from vanthu.testing import factories as f

from .history import HCM, Clock, accept, assign, finish, paper, send

pytestmark = pytest.mark.django_db


def approx_hours(value: float | None, exact: float) -> bool:
    """Durations come from histogram buckets: within ±7.3% (exactly 0 for under a minute)."""
    return value is not None and abs(value - exact) <= 0.073 * exact + 1e-9


@pytest.fixture
def history(world, monkeypatch):
    clock = Clock(monkeypatch, datetime(2026, 3, 2, 8, 0, tzinfo=HCM))
    w = world
    doc1 = send(w, [w.b, w.c])                        # 2 March, 08:00
    clock.at(2026, 3, 2, 10, 0)
    d1b = accept(w.b, doc1)                          # accepted after 2 h
    d1b = assign(w.b, d1b, date(2026, 3, 5))
    clock.at(2026, 3, 2, 8, 30)
    d1c = accept(w.c, doc1)                          # accepted after 30 min
    assign(w.c, d1c, date(2026, 3, 3))
    clock.at(2026, 3, 4, 10, 0)
    finish(w.b, f.delivery_to(doc1, w.b.org))        # done after 50 h, on time
    clock.at(2026, 3, 6, 8, 0)
    finish(w.c, f.delivery_to(doc1, w.c.org))        # done after 96 h, after the deadline of 3 March
    clock.at(2026, 3, 10, 9, 0)
    send(w, [w.b], doc_type="NQ", urgency="khan")      # b never opens it: stays at 01
    clock.at(2026, 3, 11, 9, 0)
    paper(w.b, due=date(2026, 3, 12))                 # paper, open past its deadline
    clock.at(2026, 4, 2, 9, 0)
    doc3 = send(w, [w.c])
    clock.at(2026, 4, 2, 11, 0)
    actions.reject_delivery(f.delivery_to(doc3, w.c.org), user=w.c.clerk, reason="Gửi nhầm đơn vị")
    clock.at(2026, 4, 10, 9, 0)                       # "today"
    return w


def test_recipient_figures_for_a_month(history):
    fig = figures_for([history.b.org.id], month_period(2026, 3)).as_dict()
    assert fig["received"] == 3
    assert fig["received_electronic"] == 2 and fig["received_paper"] == 1
    assert fig["electronic_share"] == pytest.approx(2 / 3)
    # The test documents carry no valid signature: verified, and not authenticated.
    assert fig["authenticated_share"] == 0.0
    assert fig["received_authenticated"] == 0 and fig["received_authentication_unknown"] == 0
    assert fig["accepted"] == 2 and fig["done"] == 1 and fig["rejected"] == 0
    assert fig["never_past_arrived"] == 1 and fig["never_past_arrived_share"] == pytest.approx(1 / 3)
    # Deadlines: doc1 done on time; the paper one is open past 12 March, so late as of today.
    assert fig["with_deadline"] == 2 and fig["late_done"] == 0 and fig["late_open"] == 1
    assert fig["late_share"] == pytest.approx(0.5) and fig["on_time_share"] == pytest.approx(0.5)
    # Accept durations: 0 h (paper) and 2 h. Median by nearest rank: 0; p90: 2 h.
    assert fig["median_hours_to_accept"] == 0.0
    assert approx_hours(fig["p90_hours_to_accept"], 2.0)
    assert approx_hours(fig["median_hours_to_done"], 50.0)
    assert approx_hours(fig["p90_hours_to_done"], 50.0)
    assert fig["sent"] == 0


def test_late_done_and_rejected(history):
    march = figures_for([history.c.org.id], month_period(2026, 3)).as_dict()
    assert march["received"] == 1 and march["done"] == 1
    assert march["with_deadline"] == 1 and march["late_done"] == 1 and march["late_share"] == 1.0
    assert approx_hours(march["median_hours_to_accept"], 0.5)
    assert approx_hours(march["median_hours_to_done"], 96.0)
    april = figures_for([history.c.org.id], month_period(2026, 4)).as_dict()
    assert april["received"] == 1 and april["rejected"] == 1 and april["accepted"] == 0
    assert april["with_deadline"] == 0 and april["late_share"] is None
    assert april["median_hours_to_accept"] is None and april["median_hours_to_done"] is None


def test_sender_figures(history):
    a = history.a.org.id
    march = figures_for([a], month_period(2026, 3)).as_dict()
    assert march["sent"] == 2 and march["received"] == 0
    assert march["electronic_share"] is None and march["late_share"] is None
    assert march["sent_deliveries"] == 3 and march["sent_recipients_never_past_arrived"] == 1
    assert march["sent_recipients_never_past_arrived_share"] == pytest.approx(1 / 3)
    assert figures_for([a], quarter_period(2026, 2)).sent == 1
    assert figures_for([a], make_period(year=2026)).sent == 3


def test_subtree_and_custom_periods_add_up(history):
    w = history
    ids = [w.bloc.id, w.a.org.id, w.b.org.id, w.c.org.id, w.outsider.org.id]
    year = figures_for(ids, make_period(year=2026))
    assert (year.sent, year.received, year.received_paper) == (3, 5, 1)
    # A custom period that cuts months: 5 March to 2 April counts day by day.
    custom = figures_for(ids, make_period(date(2026, 3, 5), date(2026, 4, 2)))
    assert custom.sent == 2 and custom.received == 3  # doc2 → b, paper → b, doc3 → c
    assert custom.late_open == 1
    # Before the paper's deadline it was not late yet: "as of now" moves with today.
    earlier = figures_for([w.b.org.id], month_period(2026, 3), today=date(2026, 3, 12))
    assert earlier.late_open == 0 and earlier.late_share == 0.0


def test_no_documents_gives_zero_counts_and_null_shares(history):
    fig = figures_for([history.outsider.org.id], make_period(year=2026)).as_dict()
    assert fig["sent"] == 0 and fig["received"] == 0
    for key in ("electronic_share", "authenticated_share", "late_share", "on_time_share", "never_past_arrived_share",
                "median_hours_to_accept", "p90_hours_to_accept", "median_hours_to_done", "p90_hours_to_done"):
        assert fig[key] is None, key


def test_all_paper_is_zero_electronic_and_zero_authenticated(world, monkeypatch):
    Clock(monkeypatch, datetime(2026, 5, 4, 9, 0, tzinfo=HCM))
    paper(world.outsider)
    paper(world.outsider, doc_type="TB")
    fig = figures_for([world.outsider.org.id], month_period(2026, 5)).as_dict()
    assert fig["received"] == 2 and fig["received_paper"] == 2
    assert fig["electronic_share"] == 0.0
    assert fig["authenticated_share"] == 0.0  # paper is known not to be authenticated
    assert fig["median_hours_to_accept"] == 0.0


def test_rebuild_reproduces_the_maintained_aggregates(history):
    maintained = aggregates.snapshot()
    assert maintained == aggregates.expected()
    aggregates.rebuild()
    assert aggregates.snapshot() == maintained


def test_documents_behind_each_number_match_the_number(history):

    w = history
    for org in (w.a.org, w.b.org, w.c.org):
        for period in (month_period(2026, 3), month_period(2026, 4), make_period(year=2026)):
            fig = figures_for([org.id], period)
            assert records.deliveries_for("received", [org.id], period).count() == fig.received
            assert records.deliveries_for("paper", [org.id], period).count() == fig.received_paper
            assert records.deliveries_for("electronic", [org.id], period).count() == fig.received_electronic
            assert records.deliveries_for("never_past_arrived", [org.id], period).count() == fig.at_arrived
            assert records.deliveries_for("late", [org.id], period).count() == fig.late
            assert records.deliveries_for("done", [org.id], period).count() == fig.done
            assert records.sent([org.id], period).count() == fig.sent


def test_no_signature_verdict_makes_the_authenticated_share_unknown(history):

    b = history.b.org.id
    electronic = list(Delivery.objects.filter(recipient_id=b, source="electronic"))
    SignatureReport.objects.filter(document_id__in=[d.document_id for d in electronic]).delete()
    aggregates.deliveries_changed(list(Delivery.objects.filter(document_id__in=[d.document_id for d in electronic])))
    fig = figures_for([b], month_period(2026, 3))
    assert fig.auth_unknown == 2 and fig.authenticated_share is None  # unknown is never "yes"
    assert aggregates.snapshot() == aggregates.expected()


def test_verifying_again_updates_the_statistics_at_once(history):

    b = history.b.org.id
    doc_ids = set(Delivery.objects.filter(recipient_id=b, source="electronic").values_list("document_id", flat=True))
    SignatureReport.objects.filter(document_id__in=doc_ids).delete()
    aggregates.deliveries_changed(list(Delivery.objects.filter(document_id__in=doc_ids)))
    assert figures_for([b], month_period(2026, 3)).auth_unknown == 2
    for doc in Document.objects.filter(id__in=doc_ids):
        sig_actions.verify_document(doc, user=history.b.clerk)  # no delivery moves
    assert figures_for([b], month_period(2026, 3)).auth_unknown == 0
    assert aggregates.snapshot() == aggregates.expected()
