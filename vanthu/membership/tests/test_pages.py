"""The member pages: 404 for document roles, the list, the record, the transfer flow, import errors, statistics."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from vanthu.audit.models import AuditEntry
from vanthu.membership.models import PartyMember, RecordsOfficer, Transfer
from vanthu.testing import factories as f
from vanthu.web.i18n import compile_all, parse_po

from .conftest import member, xlsx

PAGES = ["/members/", "/members/new/", "/members/transfers/", "/members/import/", "/members/statistics/", "/members/rankings/"]


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def an(world):
    return member(world, world.a1, "Nguyễn Văn An", "10000001", id_number="001085012345")


@pytest.mark.parametrize("who", ["clerk_a", "specialist_a", "admin"])
def test_document_roles_get_404_from_every_member_page_and_see_no_link(world, an, who):
    c = signed_in(getattr(world, who))
    for url in [*PAGES, f"/members/{an.id}/", f"/members/{an.id}/edit/"]:
        assert c.get(url).status_code == 404, url
    assert c.post(f"/members/{an.id}/transfer/", {"to_organization": world.b.id}).status_code == 404
    assert 'href="/members/"' not in c.get("/notifications/").content.decode()


def test_every_page_opens_for_an_officer_and_the_nav_shows_the_link(world, an):
    c = signed_in(world.office_a)
    for url in PAGES:
        r = c.get(url)
        assert r.status_code == 200, url
        assert r["Cache-Control"].startswith("max-age=0") or "no-store" in r["Cache-Control"] or "no-cache" in r["Cache-Control"]
    assert 'href="/members/"' in c.get("/notifications/").content.decode()


def test_the_list_filters_by_name_without_diacritics_and_pages(world, an):
    for i in range(60):
        member(world, world.a1, f"Trần Thị Hoa {i:02d}", f"1100{i:04d}", gender="female")
    c = signed_in(world.office_a)
    html = c.get("/members/?name=nguyen van").content.decode()
    assert "Nguyễn Văn An" in html and "Trần Thị Hoa" not in html
    first = c.get("/members/?name=hoa").content.decode()
    assert "Trang 1/2" in first and "Trần Thị Hoa 00" in first and "Trần Thị Hoa 59" not in first
    assert "Trần Thị Hoa 59" in c.get("/members/?name=hoa&page=2").content.decode()
    # The export link carries the same filter, under the API's names.
    page = c.get(f"/members/?name=hoa&organization={world.a1.id}").content.decode()
    assert f"/api/v1/party-members/export.xlsx?organization_id={world.a1.id}&amp;q=hoa" in page
    assert 'value="hoa"' in page and 'name="q" value="hoa"' not in page


def test_the_record_masks_the_identity_number_until_asked_and_audits_each_look(world, an):
    c = signed_in(world.office_a)
    html = c.get(f"/members/{an.id}/").content.decode()
    assert "*********345" in html and "001085012345" not in html
    assert "001085012345" in c.get(f"/members/{an.id}/?reveal=1").content.decode()
    actions = list(AuditEntry.objects.filter(actor=world.office_a).values_list("action", flat=True))
    assert actions[-2:] == ["party_member_viewed", "party_member_id_revealed"]


def test_edit_keeps_history_and_a_bad_date_is_said_next_to_its_field(world, an):
    c = signed_in(world.office_a)
    form = {"full_name": "Nguyễn Văn An", "gender": "male", "birth_date": "15/03/1985", "ethnicity": "Kinh", "card_number": "10000001",
            "admitted_on": "19/05/2010", "official_on": "01/01/2009", "qualification": "master", "theory_level": "elementary",
            "id_number": "001085012345"}
    r = c.post(f"/members/{an.id}/edit/", form)
    assert r.status_code == 422 and "Ngày chính thức trước ngày vào Đảng" in r.content.decode()
    form["official_on"] = "19/05/2011"
    r = c.post(f"/members/{an.id}/edit/", form)
    assert r.status_code == 302
    assert PartyMember.objects.get(pk=an.pk).qualification == "master"
    html = c.get(f"/members/{an.id}/").content.decode()
    assert "trình độ chuyên môn: Đại học" in html  # what it was before


def test_transfer_flow_through_the_pages(world, an):
    sender, receiver = signed_in(world.office_a), signed_in(world.office_b)
    r = sender.post(f"/members/{an.id}/transfer/", {"to_organization": world.b.id, "note": "Chuyển công tác về Sở Y tế"})
    assert r.status_code == 302
    t = Transfer.objects.get(member=an)
    listing = receiver.get("/members/transfers/").content.decode()
    assert "Nguyễn Văn An" in listing and f"/members/transfers/{t.id}/accept/" in listing
    assert receiver.post(f"/members/transfers/{t.id}/accept/").status_code == 302
    assert PartyMember.objects.get(pk=an.pk).organization_id == world.b.id
    assert receiver.get(f"/members/{an.id}/").status_code == 200
    assert sender.get(f"/members/{an.id}/").status_code == 404


def test_the_import_page_lists_each_bad_row_and_writes_nothing(world):
    c = signed_in(world.board)
    data = xlsx([["Lê Văn Tốt", "01/01/1980", "Nam", "70000001", "01/01/2005", "", "000.00.12.H26", "Kinh", "Đại học", "Sơ cấp"],
                 ["Lê Văn Sai", "01/01/1980", "Nam", "70000002", "01/01/2005", "01/01/2004", "000.00.12.H26", "Kinh", "Đại học", "Sơ cấp"],
                 ["Lê Văn Trẻ", "01/01/2000", "Nam", "70000003", "01/01/2010", "", "000.00.12.H26", "Kinh", "Đại học", "Sơ cấp"]])
    r = c.post("/members/import/", {"file": io.BytesIO(data)})
    html = r.content.decode()
    assert r.status_code == 422 and 'id="import-errors"' in html
    assert "Ngày chính thức trước ngày vào Đảng" in html and "chưa đủ 18 tuổi" in html
    assert PartyMember.objects.count() == 0


def test_the_statistics_page_shows_the_figures_as_of_the_date_asked(world, an):
    member(world, world.b, "Trần Thị Bình", "20000001", gender="female", admitted=date(2020, 1, 10))
    c = signed_in(world.board)
    html = c.get("/members/statistics/?as_of=31/12/2015").content.decode()
    assert 'data-figure="total">1<' in html
    html = c.get("/members/statistics/").content.decode()
    assert 'data-figure="total">2<' in html and "Đảng bộ Sở Y tế" in html


def test_the_pages_speak_english_from_the_apps_own_catalogue(world, an):
    compile_all(force=True)
    po = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"
    untranslated = [k for k, v in parse_po(po.read_text(encoding="utf-8")).items() if k and not v.replace("\x00", "")]
    assert not untranslated
    c = signed_in(world.office_a)
    c.post("/i18n/setlang/", {"language": "en", "next": "/members/"})
    html = c.get(f"/members/{an.id}/").content.decode()
    assert "Record history" in html and "Party card number" in html and "Lịch sử hồ sơ" not in html
    # The menu names the list, not one member (the audit log's "Đảng viên" is "Party member").
    assert '/members/">Party members</a>' in html.replace("\n", "")


def test_an_organisations_party_record_terms_history_and_grade_through_the_page(world, an):
    c = signed_in(world.office_a)
    assert "Chi bộ Phòng Ngân sách" in c.get("/members/organizations/").content.decode()
    url = f"/members/organizations/{world.a1.id}/"
    assert c.post(url, {"form": "kind", "party_kind": "chi_bo_truc_thuoc", "founded_on": "03/02/1998"}).status_code == 302
    r = c.post(url, {"form": "term", "label": "2025-2030", "start": "01/10/2025", "secretary": "Nguyễn Văn Bí Thư",
                     "deputies": "Trần Thị Phó", "members": "Lê Văn Một\nPhạm Thị Hai"})
    assert r.status_code == 302
    assert c.post(url, {"form": "rank", "year": "2025", "grade": "excellent"}).status_code == 302
    # Dissolving while a member is still active is refused, and the organisation stays.
    r = c.post(url, {"form": "change", "kind": "dissolved", "on": "01/06/2026"})
    assert r.status_code == 409 and "còn đảng viên đang sinh hoạt" in r.content.decode()
    html = c.get(url).content.decode()
    assert "Chi bộ trực thuộc" in html and "Bí thư: Nguyễn Văn Bí Thư" in html and "Cấp ủy viên: Phạm Thị Hai" in html
    assert "2025: Hoàn thành xuất sắc nhiệm vụ" in html
    assert signed_in(world.office_b).get(url).status_code == 404
    assert signed_in(world.clerk_a).get(url).status_code == 404


def test_the_rankings_page_imports_a_years_grades_and_shows_the_distribution(world, an):
    c = signed_in(world.office_a)
    data = xlsx([["10000001", "Nguyễn Văn An", "HTXSNV"]], header=("Số thẻ đảng viên", "Họ và tên", "Xếp loại"))
    r = c.post("/members/rankings/?year=2025", {"year": "2025", "file": io.BytesIO(data)})
    html = r.content.decode()
    assert r.status_code == 200 and 'id="rank-import-result"' in html and 'id="rank-figures"' in html
    assert "Nguyễn Văn An" not in html  # the distribution names organisations, not members
    bad = xlsx([["10000001", "Nguyễn Văn Bình", "HTXSNV"]], header=("Số thẻ đảng viên", "Họ và tên", "Xếp loại"))
    r = c.post("/members/rankings/?year=2025", {"year": "2025", "file": io.BytesIO(bad)})
    assert r.status_code == 422 and "Họ và tên không khớp" in r.content.decode()


def test_an_organisations_administrator_names_and_removes_its_records_officers(world):
    a_admin = f.make_user(world.a, "admin", full_name="Quản trị Sở Tài chính")
    c = signed_in(a_admin)
    assert c.get("/members/").status_code == 404  # administering is not seeing members
    r = c.post("/members/officers/", {"username": world.specialist_a.username, "organization": world.a.id, "kind": "office"})
    assert r.status_code == 302
    assert signed_in(world.specialist_a).get("/members/").status_code == 200
    # Not beyond the administrator's reach: B's organisation is not offered, B's people are unknown.
    r = c.post("/members/officers/", {"username": world.clerk_b.username, "organization": world.a.id, "kind": "office"})
    assert r.status_code == 422
    r = c.post("/members/officers/", {"username": world.specialist_a.username, "organization": world.b.id, "kind": "office"})
    assert r.status_code == 422
    officer = RecordsOfficer.objects.get(user=world.specialist_a)
    assert c.post("/members/officers/", {"revoke": RecordsOfficer.objects.get(user=world.office_b).id}).status_code == 404
    assert c.post("/members/officers/", {"revoke": officer.id}).status_code == 302
    assert signed_in(world.specialist_a).get("/members/").status_code == 404
    assert signed_in(world.clerk_a).get("/members/officers/").status_code == 404
    assert list(AuditEntry.objects.filter(action__startswith="records_role").values_list("action", flat=True))[-2:] == [
        "records_role_granted", "records_role_revoked"]
