"""Search quality over the demo's 2,000 documents: the judged set (`judged.py`) as the Bloc's
clerk types it, measured by precision@10 and nDCG@10, with floors the ranking must not fall
below (the figures are in the README). Run with `-s` to see every query's figures."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Q

from vanthu.accounts.models import User
from vanthu.demo.seed import seed_demo
from vanthu.demo.world import BLOC_SLUG
from vanthu.documents import actions
from vanthu.documents.models import Delivery, Document, Signatory
from vanthu.documents.pdfgen import make_pdf
from vanthu.organizations.access import member_org_ids
from vanthu.organizations.models import Organization, OrgKind
from vanthu.search import indexing, service
from vanthu.testing import factories as f

from .judged import JUDGED, PLANTED, Doc, K, expand, gains, ndcg_at_k, precision_at_k

# Measured on both engines when the set was made (see the README); a change that ranks worse fails.
FLOOR_PRECISION = 0.95
FLOOR_NDCG = 0.95


def _letterhead(subject: str, paragraph: str) -> list[str]:
    return [
        "ĐẢNG BỘ THÀNH PHỐ HÀ NỘI", "ĐẢNG ỦY KHỐI CÁC CƠ QUAN THÀNH PHỐ HÀ NỘI", "*", "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số      -CV/ĐUK", "Hà Nội, ngày     tháng     năm 2026", "", subject, "", paragraph, "",
        "Nơi nhận:", "- Như trên,", "- Lưu Văn phòng.",
    ]


def _plant() -> dict[str, int]:
    """The documents the judged set names, issued by the Bloc today (the newest of all)."""
    specialist, leader, clerk = (User.objects.get(username=f"{role}.{BLOC_SLUG}") for role in ("cv1", "bt", "vt"))
    bloc = clerk.memberships.first().organization
    recipients = list(Organization.objects.filter(parent=bloc, kind__in=[OrgKind.GRASSROOTS_COMMITTEE]).order_by("id")[:5])
    out = {}
    for key, (doc_type, subject, paragraph) in PLANTED.items():
        doc = actions.create_draft(
            user=specialist, organization=bloc, doc_type=doc_type, subject=subject,
            recipient_ids=[o.id for o in recipients], main_file=f.upload(data=make_pdf(_letterhead(subject, paragraph))),
            signatory_id=Signatory.objects.get(organization=bloc, user=leader).id,
        )
        actions.submit_document(doc, user=specialist)
        actions.approve_document(doc, user=leader)
        doc = actions.issue_document(doc, user=clerk)
        out[key] = doc.id
    indexing.index_documents(out.values())
    return out


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo seeded once for the module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(password="demo", documents=2000)
        planted = _plant()
        yield planted
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _db(db):
    """Every test reads the seeded database."""


def _visible_docs(user) -> list[Doc]:
    orgs = member_org_ids(user)
    received = Delivery.objects.filter(recipient_id__in=orgs).values("document_id")
    qs = Document.objects.filter(Q(issuer_id__in=orgs) | Q(id__in=received)).select_related("issuer")
    return [Doc(id=d.id, subject=d.subject, symbol=d.symbol, issuer=d.issuer_name) for d in qs]


def evaluate(user, planted: dict[str, int]) -> list[dict]:
    docs = _visible_docs(user)
    symbol = Document.objects.get(id=planted["de_an"]).symbol
    rows = []
    for j in JUDGED:
        q = expand(j.query, symbol)
        ranked = [h.document_id for h in service.search(user, q=q, limit=K).items]
        gain = gains(j, docs, planted)
        rows.append({
            "q": q, "why": j.why, "relevant": len(gain), "p10": precision_at_k(ranked, gain),
            "ndcg10": ndcg_at_k(ranked, gain), "missing": [i for i, g in gain.items() if g == 2 and i not in ranked],
        })
    return rows


def test_judged_set_precision_and_ndcg_stay_above_their_floors(demo):
    user = User.objects.get(username=f"vt.{BLOC_SLUG}")
    rows = evaluate(user, demo)
    assert len(rows) >= 50 and all(r["relevant"] for r in rows)  # every query has something to find
    p10 = sum(r["p10"] for r in rows) / len(rows)
    ndcg = sum(r["ndcg10"] for r in rows) / len(rows)
    for r in rows:
        print(f"{r['p10']:.2f} {r['ndcg10']:.2f} {r['relevant']:4d}  {r['q']}  ({r['why']})")
    print(f"queries {len(rows)}  precision@10 {p10:.3f}  nDCG@10 {ndcg:.3f}")
    # The documents planted for a query (the issue's "Đề án … đợt 4321" among them) are in its first ten.
    assert [(r["q"], r["missing"]) for r in rows if r["missing"]] == []
    assert p10 >= FLOOR_PRECISION and ndcg >= FLOOR_NDCG, (p10, ndcg)


def test_a_subject_holding_the_phrase_outranks_letterheads_holding_its_words(demo):
    """The issue's example: `Đảng bộ Khối` and `dang bo khoi` put the new "Đề án … đợt 4321"
    first among thousands of documents whose letterheads hold the three words."""
    user = User.objects.get(username=f"vt.{BLOC_SLUG}")
    for q in ["Đảng bộ Khối", "dang bo khoi"]:
        page = service.search(user, q=q, limit=10)
        assert not page.count_exact  # thousands match the words
        top = [h.document_id for h in page.items]
        assert top[0] == demo["de_an"], q
        subjects = Document.objects.in_bulk(top)
        assert all("đảng bộ khối" in subjects[i].subject.lower() for i in top), q


def test_typed_diacritics_rank_above_folded_matches(demo):
    user = User.objects.get(username=f"vt.{BLOC_SLUG}")
    page = service.search(user, q="bão", limit=10)
    assert page.items[0].document_id == demo["bao"] and page.items[0].exact
    assert not any(h.exact for h in page.items[1:])  # "báo cáo" after the one that says "bão"
