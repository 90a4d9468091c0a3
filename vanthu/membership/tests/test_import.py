"""Excel import: every row checked first, nothing half-written, the same file twice changes nothing."""

from __future__ import annotations

import io
import random
from datetime import date, datetime

from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from vanthu.audit.models import AuditEntry
from vanthu.membership.importing import COLUMNS
from vanthu.membership.models import MemberRanking, MemberVersion, PartyMember
from vanthu.membership.tasks import refresh_planner_statistics

from .conftest import api, member, xlsx

A1 = "000.00.12.H26"
B = "000.00.13.H26"


def good_rows() -> list[list]:
    return [
        ["Nguyễn Văn Hùng", "15/03/1985", "Nam", "30000001", "19/05/2010", "19/05/2011", A1, "Kinh", "Đại học", "Trung cấp"],
        ["Đỗ Thị Mai", datetime(1990, 7, 2), "Nữ", 30000002, datetime(2015, 9, 1), "", A1, "Mường", "Thạc sĩ", "Sơ cấp"],
        ["Lò Văn Pả", "1/1/1970", "nam", "30000003", "03/02/1995", "03/02/1996", B, "Thái", "Cao đẳng", "Cao cấp"],
    ]


def post(client, data: bytes, **form):
    return client.post("/api/v1/party-members/import", {"file": ("dangvien.xlsx", io.BytesIO(data)), **form})


def test_the_template_has_the_columns_in_order(world):
    r = api(world.board).get("/api/v1/party-members/template.xlsx")
    assert r.status_code == 200
    header = next(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert header == COLUMNS


def test_a_clean_file_imports_every_row_and_the_same_file_again_changes_nothing(world):
    board = api(world.board)
    r = post(board, xlsx(good_rows()))
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 3, "updated": 0, "unchanged": 0, "dry_run": False}
    mai = PartyMember.objects.get(card_number="30000002")
    assert (mai.full_name, mai.birth_date, mai.gender, mai.admitted_on, mai.official_on, mai.ethnicity, mai.qualification,
            mai.theory_level, mai.organization_id) == ("Đỗ Thị Mai", date(1990, 7, 2), "female", date(2015, 9, 1), None, "Mường",
                                                        "master", "elementary", world.a1.id)
    assert MemberVersion.objects.filter(member=mai, valid_from=date(2015, 9, 1), valid_to=None).exists()
    versions, audit = MemberVersion.objects.count(), AuditEntry.objects.filter(action="party_members_imported").count()
    again = post(board, xlsx(good_rows()))
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 3, "dry_run": False}
    assert MemberVersion.objects.count() == versions and PartyMember.objects.count() == 3
    assert AuditEntry.objects.filter(action="party_members_imported").count() == audit + 1


def test_a_corrected_row_updates_the_record_and_keeps_the_history(world):
    board = api(world.board)
    post(board, xlsx(good_rows()))
    rows = good_rows()
    rows[0][9] = "Cao cấp"
    r = post(board, xlsx(rows))
    assert r.json() == {"created": 0, "updated": 1, "unchanged": 2, "dry_run": False}
    hung = PartyMember.objects.get(card_number="30000001")
    assert hung.theory_level == "advanced"
    assert MemberVersion.objects.filter(member=hung).latest("id").changes == {"theory_level": ["intermediate", "advanced"]}


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_error(world):
    member(world, world.b, "Phan Văn Cũ", "40000009")
    rows = good_rows() + [
        ["Trần Văn Sai Ngày", "31/02/1980", "Nam", "30000010", "19/05/2010", "", A1, "Kinh", "Đại học", "Sơ cấp"],
        ["Trần Văn Chính Thức", "01/01/1980", "Nam", "30000011", "19/05/2010", "01/01/2009", A1, "Kinh", "Đại học", "Sơ cấp"],
        ["Trần Văn Trẻ", "01/01/2000", "Nam", "30000012", "01/06/2017", "", A1, "Kinh", "Đại học", "Sơ cấp"],
        ["Trần Văn Trùng", "01/01/1980", "Nam", "30000001", "19/05/2010", "", A1, "Kinh", "Đại học", "Sơ cấp"],
        ["Trần Văn Đã Có", "01/01/1980", "Nam", "40000009", "19/05/2010", "", B, "Kinh", "Đại học", "Sơ cấp"],
        ["Trần Văn Lạ", "01/01/1980", "Nam", "30000014", "19/05/2010", "", "999.99.99.H26", "Kinh", "Đại học", "Sơ cấp"],
        ["", "01/01/1980", "Nam", "30000015", "", "", A1, "Kinh", "Đại học", "Sơ cấp"],
        ["Trần Văn Bậc", "01/01/1980", "Không rõ", "30000016", "19/05/2010", "", A1, "Kinh", "Đại học", "Sơ cấp"],
    ]
    before = (PartyMember.objects.count(), MemberVersion.objects.count())
    r = post(api(world.board), xlsx(rows))
    assert r.status_code == 422
    errors = [(e["row"], e["column"]) for e in r.json()["errors"]]
    assert errors == [(5, "Ngày sinh"), (6, "Ngày chính thức"), (7, "Ngày vào Đảng"), (8, "Số thẻ đảng viên"), (9, "Số thẻ đảng viên"),
                      (10, "Mã tổ chức"), (11, "Họ và tên"), (11, "Ngày vào Đảng"), (12, "Giới tính")]
    messages = " ".join(e["message"] for e in r.json()["errors"])
    assert "trước ngày vào Đảng" in messages and "18 tuổi" in messages and "dòng 2" in messages
    assert "31/02" not in messages and "999.99" not in messages  # values are never repeated
    assert r.json()["error"]["code"] == "import_rejected"
    assert (PartyMember.objects.count(), MemberVersion.objects.count()) == before


def test_a_dry_run_checks_and_writes_nothing(world):
    r = post(api(world.board), xlsx(good_rows()), dry_run="true")
    assert r.json() == {"created": 3, "updated": 0, "unchanged": 0, "dry_run": True}
    assert PartyMember.objects.count() == 0


def test_an_office_imports_only_into_its_own_subtree(world):
    r = post(api(world.office_a), xlsx(good_rows()))
    assert r.status_code == 422
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(4, "Mã tổ chức")]
    assert post(api(world.office_a), xlsx(good_rows()), organization_id=str(world.b.id)).status_code == 404


def test_a_file_that_is_not_the_template_is_refused_clearly(world):
    board = api(world.board)
    r = post(board, xlsx(good_rows(), header=("Tên", *COLUMNS[1:])))
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 1
    r = post(board, b"not a workbook")
    assert r.status_code == 422 and "Excel" in r.json()["errors"][0]["message"]


def test_twenty_thousand_rows_in_one_go(world):
    rnd = random.Random(7)
    rows = []
    for i in range(20_000):
        born = date(1950 + rnd.randrange(45), 1 + rnd.randrange(12), 1 + rnd.randrange(28))
        admitted = date(born.year + 19 + rnd.randrange(10), 1 + rnd.randrange(12), 1 + rnd.randrange(28))
        rows.append([f"Đảng viên số {i}", born.strftime("%d/%m/%Y"), rnd.choice(["Nam", "Nữ"]), f"5{i:07d}",
                     datetime(admitted.year, admitted.month, admitted.day), "", rnd.choice([A1, B]), "Kinh", "Đại học", "Sơ cấp"])
    r = post(api(world.board), xlsx(rows))
    assert r.status_code == 200, r.json()["errors"][:3]
    assert r.json()["created"] == 20_000
    assert PartyMember.objects.count() == 20_000 and MemberVersion.objects.count() == 20_000
    assert PartyMember.objects.filter(organization=world.a1).count() == sum(1 for r in rows if r[6] == A1)
    # A large import leaves the planner's figures to the worker, queued with it.
    queued = DBTaskResult.objects.filter(task_path="vanthu.membership.tasks.refresh_planner_statistics")
    assert queued.count() == 1
    assert refresh_planner_statistics.call() == "analyzed"  # inside the test's transaction: no VACUUM


def test_a_small_import_queues_no_refresh(world):
    r = post(api(world.board), xlsx(good_rows()))
    assert r.status_code == 200 and r.json()["created"] == 3
    assert not DBTaskResult.objects.filter(task_path="vanthu.membership.tasks.refresh_planner_statistics").exists()


def rank_file(rows) -> bytes:
    return xlsx(rows, header=("Số thẻ đảng viên", "Họ và tên", "Xếp loại"))


def test_a_years_rankings_from_excel_all_or_nothing_and_repeatable(world):
    board = api(world.board)
    post(board, xlsx(good_rows()))
    year = date.today().year - 1
    good = [["30000001", "Nguyễn Văn Hùng", "Hoàn thành xuất sắc nhiệm vụ"], ["30000002", "Đỗ Thị Mai", "HTTNV"],
            ["30000003", "lo van pa", "hoàn thành nhiệm vụ"]]
    bad = good + [["30000002", "Đỗ Thị Mai", "Tốt"], ["99999999", "Không Có Ai", "HTNV"], ["30000001", "Nguyễn Văn Khác", "HTNV"]]
    r = board.post("/api/v1/party-rankings/import", {"file": ("xl.xlsx", io.BytesIO(rank_file(bad))), "year": str(year)})
    assert r.status_code == 422
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [
        (5, "Số thẻ đảng viên"), (5, "Xếp loại"), (6, "Số thẻ đảng viên"), (7, "Số thẻ đảng viên")]
    assert not MemberRanking.objects.exists()
    r = board.post("/api/v1/party-rankings/import", {"file": ("xl.xlsx", io.BytesIO(rank_file(good))), "year": str(year)})
    assert r.json() == {"ranked": 3, "unchanged": 0, "dry_run": False}
    assert dict(MemberRanking.objects.values_list("member__card_number", "grade")) == {
        "30000001": "excellent", "30000002": "good", "30000003": "done"}
    again = board.post("/api/v1/party-rankings/import", {"file": ("xl.xlsx", io.BytesIO(rank_file(good))), "year": str(year)})
    assert again.json() == {"ranked": 0, "unchanged": 3, "dry_run": False}
    # An office ranks only its own members: B's member is unknown to A's office.
    r = api(world.office_a).post("/api/v1/party-rankings/import", {"file": ("xl.xlsx", io.BytesIO(rank_file(good))), "year": str(year)})
    assert r.status_code == 422 and [e["row"] for e in r.json()["errors"]] == [4]


def test_a_name_that_does_not_match_the_card_is_refused(world):
    board = api(world.board)
    post(board, xlsx(good_rows()))
    r = board.post("/api/v1/party-rankings/import", {"file": ("xl.xlsx", io.BytesIO(rank_file([["30000001", "Trần Văn Khác", "HTNV"]]))),
                                                      "year": str(date.today().year - 1)})
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "Họ và tên"
