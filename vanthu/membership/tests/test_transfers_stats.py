"""Transfers inside one installation; statistics as of a date against counts made here from the rows."""

from __future__ import annotations

import io
import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from vanthu.membership import actions
from vanthu.membership.models import MemberVersion, PartyMember, Transfer
from vanthu.notifications.models import Notification
from vanthu.testing import factories as f

from .conftest import api, member, xlsx

A1, B = "000.00.12.H26", "000.00.13.H26"


def test_a_member_moves_only_when_the_receiver_accepts(world):
    w = world
    an = member(w, w.a1, "Nguyễn Văn An", "10000001")
    r = api(w.office_a).post(f"/api/v1/party-members/{an.id}/transfers", {"to_organization_id": w.b.id, "note": "Chuyển công tác"},
                             content_type="application/json")
    assert r.status_code == 201, r.content
    t = r.json()
    assert t["status"] == "issued" and PartyMember.objects.get(pk=an.pk).organization_id == w.a1.id
    # The receiver sees it among its transfers; the sender cannot accept for it; a second issue is refused.
    assert [i["id"] for i in api(w.office_b).get("/api/v1/transfers?status=issued").json()["items"]] == [t["id"]]
    assert api(w.office_a).post(f"/api/v1/transfers/{t['id']}/accept").status_code == 404
    again = api(w.office_a).post(f"/api/v1/party-members/{an.id}/transfers", {"to_organization_id": w.b.id}, content_type="application/json")
    assert again.status_code == 409
    # The receiver's office cannot read the member's record before accepting.
    assert api(w.office_b).get(f"/api/v1/party-members/{an.id}").status_code == 404
    done = api(w.office_b).post(f"/api/v1/transfers/{t['id']}/accept")
    assert done.status_code == 200 and done.json()["status"] == "accepted"
    assert PartyMember.objects.get(pk=an.pk).organization_id == w.b.id
    assert api(w.office_b).get(f"/api/v1/party-members/{an.id}").status_code == 200
    assert api(w.office_a).get(f"/api/v1/party-members/{an.id}").status_code == 404
    assert api(w.office_b).post(f"/api/v1/transfers/{t['id']}/accept").status_code == 409
    # Each side's officers were told, without the member's name (notices may be mailed).
    told = {n.user_id: n.notice.title for n in Notification.objects.select_related("notice")}
    assert set(told) == {w.office_b.id, w.board.id, w.office_a.id}
    assert "Nguyễn" not in " ".join(told.values())
    # One member, one record, history in both places.
    assert PartyMember.objects.filter(card_number="10000001").count() == 1
    versions = list(MemberVersion.objects.filter(member=an).order_by("id").values_list("organization_id", "reason", "valid_to"))
    today = timezone.localdate()
    assert versions == [(w.a1.id, "created", today), (w.b.id, "transfer", None)]


def test_a_transfer_to_another_installation_is_refused_before_it_could_wait_forever(world):
    w = world
    an = member(w, w.a1, "Nguyễn Văn An", "10000001")
    city = f.make_org("Thành ủy Hà Nội", code="000.00.00.H26", kind="external")
    r = api(w.office_a).post(f"/api/v1/party-members/{an.id}/transfers", {"to_organization_id": city.id}, content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "to_organization_id"
    assert not Transfer.objects.exists()


def test_a_transfer_not_yet_accepted_can_be_withdrawn_by_the_sender_only(world):
    w = world
    an = member(w, w.a1, "Nguyễn Văn An", "10000001")
    t = actions.issue_transfer(an, user=w.office_a, to_organization_id=w.b.id)
    assert api(w.office_b).post(f"/api/v1/transfers/{t.id}/cancel").status_code == 403
    assert api(w.office_a).post(f"/api/v1/transfers/{t.id}/cancel").json()["status"] == "cancelled"
    assert api(w.office_b).post(f"/api/v1/transfers/{t.id}/accept").status_code == 409
    assert Transfer.objects.get(pk=t.pk).status == "cancelled"


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _band(age: int) -> str:
    return "to_30" if age <= 30 else "31_40" if age <= 40 else "41_50" if age <= 50 else "51_60" if age <= 60 else "over_60"


@pytest.fixture
def imported(world):
    """300 members imported into A1 and B with admission dates spread over 40 years."""
    rnd = random.Random(11)
    rows = []
    for i in range(300):
        born = date(1945 + rnd.randrange(55), 1 + rnd.randrange(12), 1 + rnd.randrange(28))
        admitted = min(date(born.year + 19 + rnd.randrange(30), 1 + rnd.randrange(12), 1 + rnd.randrange(28)), date(2025, 12, 1))
        rows.append(dict(name=f"Đảng viên {i}", born=born, gender=rnd.choice(["Nam", "Nữ"]), card=f"6{i:07d}", admitted=admitted,
                         org=rnd.choice([A1, B]), eth=rnd.choice(["Kinh", "Kinh", "Tày", "Mường"]),
                         qual=rnd.choice(["Đại học", "Thạc sĩ", "Tiến sĩ"]), theory=rnd.choice(["Sơ cấp", "Trung cấp", "Cao cấp"])))
    data = xlsx([[r["name"], r["born"].strftime("%d/%m/%Y"), r["gender"], r["card"], r["admitted"].strftime("%d/%m/%Y"), "",
                  r["org"], r["eth"], r["qual"], r["theory"]] for r in rows])
    assert api(world.board).post("/api/v1/party-members/import", {"file": ("d.xlsx", io.BytesIO(data))}).status_code == 200
    return rows


def test_statistics_as_of_two_dates_match_counts_made_from_the_imported_rows(world, imported):
    w, rows = world, imported
    board = api(w.board)
    for as_of in (date(2005, 6, 30), date(2025, 12, 31)):
        stats = board.get(f"/api/v1/reports/party-members?as_of={as_of}").json()
        live = [r for r in rows if r["admitted"] <= as_of]
        totals = stats["totals"]
        assert totals["total"] == len(live)
        assert totals["gender.male"] == sum(r["gender"] == "Nam" for r in live)
        assert totals["gender.female"] == sum(r["gender"] == "Nữ" for r in live)
        ages = Counter(_band(_age(r["born"], as_of)) for r in live)
        assert {k: totals[f"age.{k}"] for k in ("to_30", "31_40", "41_50", "51_60", "over_60")} == {
            k: ages.get(k, 0) for k in ("to_30", "31_40", "41_50", "51_60", "over_60")}
        assert totals["theory_level.advanced"] == sum(r["theory"] == "Cao cấp" for r in live)
        assert totals["qualification.doctor"] == sum(r["qual"] == "Tiến sĩ" for r in live)
        assert totals["admitted_this_year"] == sum(date(as_of.year, 1, 1) <= r["admitted"] <= as_of for r in live)
        assert stats["ethnicity"] == dict(Counter(r["eth"] for r in live))
        by_org = {row["organization_id"]: row for row in stats["rows"]}
        assert by_org[w.a1.id]["own"]["total"] == sum(r["org"] == A1 for r in live)
        # Rolled up the tree: A holds A1's members, the Bloc holds everyone.
        assert by_org[w.a.id]["total"]["total"] == by_org[w.a1.id]["total"]["total"]
        assert by_org[w.bloc.id]["total"]["total"] == len(live)


def test_statistics_of_a_past_date_count_members_as_they_were_then(world, imported):
    w = world
    mover = PartyMember.objects.filter(organization=w.a1).order_by("id").first()
    died = PartyMember.objects.filter(organization=w.b).order_by("id").first()
    today = timezone.localdate()
    t = actions.issue_transfer(mover, user=w.office_a, to_organization_id=w.b.id)
    actions.accept_transfer(t, user=w.office_b)
    actions.set_status(died, user=w.office_b, status="deceased", on=today)
    board = api(w.board)
    yesterday = board.get(f"/api/v1/reports/party-members?as_of={today - timedelta(days=1)}").json()
    now = board.get(f"/api/v1/reports/party-members?as_of={today}").json()
    rows_then = {r["organization_id"]: r["own"] for r in yesterday["rows"]}
    rows_now = {r["organization_id"]: r["own"] for r in now["rows"]}
    assert rows_now[w.a1.id]["total"] == rows_then[w.a1.id]["total"] - 1
    assert rows_now[w.b.id]["total"] == rows_then[w.b.id]["total"] + 1 - 1
    assert rows_now[w.b.id]["transferred_in"] == 1 and rows_now[w.a1.id]["transferred_out"] == 1
    assert rows_now[w.b.id]["deceased"] == 1 and rows_then[w.b.id]["deceased"] == 0
    assert now["totals"]["total"] == yesterday["totals"]["total"] - 1


def test_rankings_are_entered_and_the_bloc_sees_the_distribution(world, imported):
    w = world
    year = timezone.localdate().year - 1
    members = list(PartyMember.objects.filter(organization=w.a1).order_by("id")[:4])
    for m, grade in zip(members, ["excellent", "good", "good", "not_done"], strict=True):
        assert api(w.office_a).post(f"/api/v1/party-members/{m.id}/ranking", {"year": year, "grade": grade},
                                    content_type="application/json").status_code == 200
    assert api(w.office_a).post(f"/api/v1/party-organizations/{w.a1.id}/ranking", {"year": year, "grade": "good"},
                                content_type="application/json").status_code == 200
    dist = api(w.board).get(f"/api/v1/reports/party-rankings?year={year}").json()
    assert dist["members"] == {"excellent": 1, "good": 2, "done": 0, "not_done": 1}
    assert dist["organizations"]["good"] == 1
    a1 = next(r for r in dist["rows"] if r["organization_id"] == w.a1.id)
    assert a1["organization_grade"] == "good" and a1["members"]["good"] == 2


def test_statistics_export_in_xlsx_and_pdf_name_who_exported(world, imported):
    board = api(world.board)
    x = board.get("/api/v1/reports/party-members/export?format=xlsx")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True))
    assert rows[1][0].startswith("Xuất bởi Lê Thị Tổ Chức")
    # "Chưa qua đào tạo" is both a qualification and a level of theory: each column sits under its group.
    groups, heads = rows[2], rows[3]
    untrained = [i for i, h in enumerate(heads) if h == "Chưa qua đào tạo"]
    assert len(untrained) == 2
    group_of = lambda i: next(g for g in reversed(groups[:i + 1]) if g)  # noqa: E731 - a merged cell holds its value at its start
    assert [group_of(i) for i in untrained] == ["Trình độ chuyên môn", "Lý luận chính trị"]
    assert isinstance(rows[4][1], int)
    p = board.get("/api/v1/reports/party-members/export?format=pdf")
    assert p.status_code == 200 and p.content.startswith(b"%PDF")
    text = " ".join(PdfReader(io.BytesIO(p.content)).pages[0].extract_text().split())
    assert "Trình độ chuyên môn: Chưa qua đào tạo:" in text and "Lý luận chính trị: Chưa qua đào tạo:" in text



@pytest.mark.django_db(transaction=True)
def test_the_refresh_after_an_import_runs_outside_a_transaction_as_the_worker_runs_it():
    # PostgreSQL: VACUUM (ANALYZE), which marks the pages all-visible for index-only scans and
    # cannot run in a transaction; SQLite: ANALYZE.
    from vanthu.membership.tasks import refresh_planner_statistics

    assert refresh_planner_statistics.call() == ("vacuumed" if connection.vendor == "postgresql" else "analyzed")
