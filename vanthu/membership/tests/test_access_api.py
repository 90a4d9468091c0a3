"""Only records officers see members, each in their reach; every look is audited; numbers masked."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from vanthu.audit.models import AuditEntry
from vanthu.errors import Unprocessable
from vanthu.membership import actions
from vanthu.membership.exports import MEMBER_COLUMNS
from vanthu.membership.models import MemberVersion, PartyMember

from .conftest import api, member, xlsx


@pytest.fixture
def people(world):
    w = world
    an = member(w, w.a1, "Nguyễn Văn An", "10000001", id_number="001085012345", ethnicity="Kinh")
    binh = member(w, w.b, "Trần Thị Bình", "20000001", gender="female", ethnicity="Tày")
    return w, an, binh


def endpoints(an, binh, w):
    """Every endpoint of member records, as (method, url, body)."""
    return [
        ("get", "/api/v1/party-members", None),
        ("get", f"/api/v1/party-members?organization_id={w.a.id}", None),
        ("get", "/api/v1/party-members/template.xlsx", None),
        ("get", "/api/v1/party-members/export.xlsx", None),
        ("get", f"/api/v1/party-members/{an.id}", None),
        ("get", f"/api/v1/party-members/{an.id}/history", None),
        ("post", f"/api/v1/party-members/{an.id}/ranking", {"year": 2025, "grade": "good"}),
        ("post", f"/api/v1/party-members/{an.id}/transfers", {"to_organization_id": w.b.id}),
        ("get", "/api/v1/transfers", None),
        ("get", f"/api/v1/party-organizations/{w.a.id}", None),
        ("post", f"/api/v1/party-organizations/{w.a.id}/ranking", {"year": 2025, "grade": "good"}),
        ("get", "/api/v1/reports/party-members", None),
        ("get", f"/api/v1/reports/party-members?organization_id={w.a.id}", None),
        ("get", "/api/v1/reports/party-members/export?format=pdf", None),
        ("get", "/api/v1/reports/party-rankings?year=2025", None),
        ("get", "/api/v1/party-rankings/template.xlsx", None),
    ]


def call(client, method, url, body):
    if method == "get":
        return client.get(url)
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize("who", ["clerk_a", "specialist_a", "clerk_b", "admin"])
def test_document_roles_and_administrators_get_404_from_every_member_endpoint(people, who):
    w, an, binh = people
    client = api(getattr(w, who))
    for method, url, body in endpoints(an, binh, w):
        r = call(client, method, url, body)
        assert r.status_code == 404, (url, r.status_code, r.content[:200])
        assert r.json()["error"]["code"]
        assert b"Nguy" not in r.content and b"10000001" not in r.content
    for url, form in (("/api/v1/party-members/import", {}), ("/api/v1/party-rankings/import", {"year": "2025"})):
        r = client.post(url, {"file": ("x.xlsx", io.BytesIO(xlsx([]))), **form})
        assert r.status_code == 404, (url, r.content[:200])


def test_an_office_sees_its_own_subtree_and_nothing_of_another_organisation(people):
    w, an, binh = people
    office_a = api(w.office_a)
    names = [i["full_name"] for i in office_a.get("/api/v1/party-members").json()["items"]]
    assert names == ["Nguyễn Văn An"]
    assert office_a.get(f"/api/v1/party-members/{binh.id}").status_code == 404
    assert office_a.get(f"/api/v1/party-members?organization_id={w.b.id}").status_code == 404
    assert office_a.get(f"/api/v1/reports/party-members?organization_id={w.b.id}").status_code == 404
    assert office_a.post(f"/api/v1/party-members/{binh.id}/transfers", {"to_organization_id": w.a.id},
                         content_type="application/json").status_code == 404
    # The unrelated office, for A's member: 404 everywhere.
    office_b = api(w.office_b)
    for method, url, body in endpoints(an, binh, w):
        if "organization_id" in url or "/party-organizations/" in url or f"/{an.id}" in url:
            assert call(office_b, method, url, body).status_code == 404, url


def test_the_board_officer_sees_every_member_of_the_bloc(people):
    w, an, binh = people
    board = api(w.board)
    r = board.get("/api/v1/party-members")
    assert r.json()["count"] == 2
    for method, url, body in endpoints(an, binh, w):
        assert 200 <= call(board, method, url, body).status_code < 300, url


def test_a_name_is_found_without_its_diacritics(people):
    w, an, binh = people
    board = api(w.board)
    assert [i["id"] for i in board.get("/api/v1/party-members?q=nguyen van an").json()["items"]] == [an.id]
    assert [i["id"] for i in board.get("/api/v1/party-members?q=Bình").json()["items"]] == [binh.id]
    assert [i["id"] for i in board.get("/api/v1/party-members?q=2000").json()["items"]] == [binh.id]


def test_identity_numbers_are_masked_unless_asked_and_each_look_is_audited_by_name(people):
    w, an, _binh = people
    board = api(w.board)
    before = AuditEntry.objects.count()
    body = board.get(f"/api/v1/party-members/{an.id}").json()
    assert body["id_number"] == "*********345" and body["id_number_masked"]
    shown = board.get(f"/api/v1/party-members/{an.id}?reveal_id_number=true").json()
    assert shown["id_number"] == "001085012345" and not shown["id_number_masked"]
    board.get("/api/v1/party-members?q=an")
    board.get("/api/v1/party-members/export.xlsx")
    entries = list(AuditEntry.objects.order_by("seq")[before:].values_list("action", "actor_id", "object_id", "data"))
    assert [e[0] for e in entries] == ["party_member_viewed", "party_member_id_revealed", "party_members_listed", "party_members_exported"]
    assert all(e[1] == w.board.id for e in entries)
    assert entries[0][2] == str(an.id)
    text = str(entries)
    assert "001085012345" not in text and "Nguyễn" not in text and "'an'" not in text  # no field values, no search text


def test_an_export_says_who_exported_it_and_when(people):
    w, _an, _binh = people
    r = api(w.board).get("/api/v1/party-members/export.xlsx")
    assert r["Cache-Control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "Nguyễn Văn An" and "*" not in str(rows)
    assert rows[-1][0].startswith("Xuất bởi Lê Thị Tổ Chức lúc ")
    ws = load_workbook(io.BytesIO(r.content)).active
    born = ws.cell(row=2, column=MEMBER_COLUMNS.index("Ngày sinh") + 1)
    assert born.is_date and born.number_format == "dd/mm/yyyy"  # a date Excel sorts by, not text


def test_editing_keeps_who_when_and_what_was_before(people):
    w, an, _binh = people
    actions.update_member(an, user=w.office_a, values={"theory_level": "advanced", "job": "Kế toán viên"})
    v = MemberVersion.objects.filter(member=an).order_by("-id").first()
    assert v.changed_by == w.office_a and v.reason == "updated"
    assert v.changes == {"theory_level": ["elementary", "advanced"], "job": ["", "Kế toán viên"]}
    history = api(w.office_a).get(f"/api/v1/party-members/{an.id}/history").json()
    assert [h["reason"] for h in history] == ["created", "updated"]
    assert history[1]["fields"] == ["job", "theory_level"] and history[1]["changed_by"] == "Phạm Văn Phòng"


def test_bad_profile_values_are_refused_with_the_field(people):
    w, an, _binh = people
    for values, field in [({"official_on": date(2009, 1, 1)}, "official_on"), ({"admitted_on": date(2000, 1, 1)}, "admitted_on"),
                          ({"id_number": "12ab"}, "id_number"), ({"gender": "x"}, "gender")]:
        with pytest.raises(Unprocessable) as exc:
            actions.update_member(an, user=w.office_a, values=values)
        assert exc.value.details["field"] == field
    assert PartyMember.objects.get(pk=an.pk).official_on == date(2011, 5, 1)


@override_settings(VANTHU_MEMBER_RECORDS=False)
def test_an_installation_that_keeps_no_member_records_answers_404_even_to_the_board(people):
    w, an, _binh = people
    board = api(w.board)
    assert board.get("/api/v1/party-members").status_code == 404
    assert board.get(f"/api/v1/party-members/{an.id}").status_code == 404


def test_a_member_is_recorded_edited_and_closed_through_the_api(people):
    w, an, _binh = people
    office = api(w.office_a)
    body = {"organization_id": w.a1.id, "full_name": "Vũ Thị Lan", "gender": "female", "birth_date": "1990-04-30",
            "card_number": "10000009", "admitted_on": "2015-05-19", "official_on": "2016-05-19", "id_number": "001190012345"}
    r = office.post("/api/v1/party-members", body, content_type="application/json")
    assert r.status_code == 201, r.content
    lan = r.json()
    assert lan["id_number"] == "*********345" and lan["organization_id"] == w.a1.id
    assert office.post("/api/v1/party-members", {**body, "organization_id": w.b.id}, content_type="application/json").status_code == 404
    assert office.post("/api/v1/party-members", {**body, "card_number": "20000001"}, content_type="application/json").status_code == 422
    r = office.patch(f"/api/v1/party-members/{lan['id']}", {"theory_level": "intermediate"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["theory_level"] == "intermediate" and r.json()["full_name"] == "Vũ Thị Lan"
    assert office.patch(f"/api/v1/party-members/{lan['id']}", {"official_on": "2014-01-01"},
                        content_type="application/json").json()["error"]["details"]["field"] == "official_on"
    r = office.post(f"/api/v1/party-members/{lan['id']}/status", {"status": "deceased", "on": "2026-03-02"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "deceased"
    assert office.post(f"/api/v1/party-members/{lan['id']}/status", {"status": "left", "on": "2026-03-03"},
                       content_type="application/json").status_code == 409
    assert api(w.clerk_a).patch(f"/api/v1/party-members/{an.id}", {"job": "x"}, content_type="application/json").status_code == 404
