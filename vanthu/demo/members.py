"""The demo's party members: every grassroots organisation's members, its committee, a year of rankings.

Members are written in bulk (a few thousand rows), with their first version valid from their
admission, as an import would; the year's transfers and deaths then go through the real actions,
so the statistics of a past date and of today differ as they would in a lived-in installation.
Records officers: `tc.bantochuc` for the whole Bloc (Ban Tổ chức), `tc.<unit>` for each committee.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.audit.chain import record
from vanthu.membership import actions as membership
from vanthu.membership.models import (
    CommitteeSeat,
    CommitteeTerm,
    Grade,
    MemberRanking,
    MemberStatus,
    MemberVersion,
    OfficerKind,
    OrgChange,
    OrgRanking,
    PartyMember,
    PartyOrganization,
    PartyOrgKind,
    RecordsOfficer,
    SeatRole,
)
from vanthu.membership.profile import years_after
from vanthu.organizations.models import Membership, Organization, OrgKind, Role
from vanthu.rows import insert_rows
from vanthu.search.fold import fold

from . import data
from .world import World

PARTY_KIND = {OrgKind.GRASSROOTS_COMMITTEE: PartyOrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL: PartyOrgKind.GRASSROOTS_CELL,
              OrgKind.SUB_CELL: PartyOrgKind.SUB_CELL}
ETHNICITIES = [("Kinh", 90), ("Tày", 3), ("Mường", 3), ("Thái", 1), ("Nùng", 1), ("Dao", 1), ("Hoa", 1)]
QUALIFICATIONS = [("bachelor", 55), ("master", 28), ("doctor", 5), ("college", 6), ("vocational", 5), ("none", 1)]
THEORY = [("elementary", 35), ("intermediate", 40), ("advanced", 15), ("bachelor", 3), ("none", 7)]
BIRTH_PLACES = ["Hà Nội", "Nam Định", "Thái Bình", "Hà Nam", "Ninh Bình", "Hải Dương", "Hưng Yên", "Bắc Ninh", "Phú Thọ",
                "Thanh Hóa", "Nghệ An", "Vĩnh Phúc", "Tuyên Quang", "Lạng Sơn", "Hòa Bình", "Quảng Ninh"]
JOBS = [("Công chức", "Chuyên viên"), ("Công chức", "Chuyên viên chính"), ("Công chức", "Phó Trưởng phòng"),
        ("Công chức", "Trưởng phòng"), ("Viên chức", "Kế toán viên"), ("Viên chức", "Bác sĩ"), ("Viên chức", "Giáo viên"),
        ("Viên chức", "Kỹ sư"), ("Viên chức", "Biên tập viên"), ("Người lao động", "Nhân viên")]
AWARDS = ["Giấy khen của Đảng ủy Khối năm {y}", "Bằng khen của UBND Thành phố năm {y}", "Chiến sĩ thi đua cơ sở năm {y}",
          "Đảng viên hoàn thành xuất sắc nhiệm vụ 5 năm liền ({a}–{y})"]
GRADES = [(Grade.EXCELLENT, 15), (Grade.GOOD, 70), (Grade.DONE, 13), (Grade.NOT_DONE, 2)]


def _pick(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max(1, (end - start).days)))


def _name(rng: random.Random, female: bool) -> str:
    if female:
        return f"{rng.choice(data.FAMILY_NAMES)} {rng.choice(data.MIDDLE_FEMALE)} {rng.choice(data.GIVEN_FEMALE)}"
    return f"{rng.choice(data.FAMILY_NAMES)} {rng.choice(data.MIDDLE_MALE)} {rng.choice(data.GIVEN_MALE)}"


def _officers(world: World) -> tuple[User, dict[int, User]]:
    """The Bloc's organisation board officer and one committee-office officer per grassroots organisation."""
    pw = world.admin.password
    board_office = world.offices["bantochuc"].org
    board = User.objects.create(username="tc.bantochuc", full_name="Trịnh Thị Thanh Huyền", password=pw, is_active=True)
    Membership.objects.create(user=board, organization=board_office, role=Role.SPECIALIST, position="Phó Trưởng Ban Tổ chức")
    offices = {}
    rng = random.Random(31)
    for unit in world.grassroots:
        u = User.objects.create(username=f"tc.{unit.slug}", full_name=_name(rng, rng.random() < 0.6), password=pw, is_active=True)
        Membership.objects.create(user=u, organization=unit.org, role=Role.SPECIALIST,
                                  position="Cán bộ Văn phòng cấp ủy phụ trách công tác đảng viên")
        offices[unit.org.id] = u
    RecordsOfficer.objects.bulk_create(
        [RecordsOfficer(user=board, organization=world.bloc.org, kind=OfficerKind.BOARD, granted_by=world.admin)]
        + [RecordsOfficer(user=u, organization_id=oid, kind=OfficerKind.OFFICE, granted_by=world.admin) for oid, u in offices.items()])
    return board, offices


def _org_records(world: World, rng: random.Random, orgs: list[Organization]) -> None:
    PartyOrganization.objects.bulk_create([
        PartyOrganization(organization=o, party_kind=PARTY_KIND[o.kind], founded_on=_day(rng, date(1955, 1, 1), date(2010, 12, 31)))
        for o in orgs])
    terms = []
    for o in orgs:
        terms.append(CommitteeTerm(organization=o, label="2020-2025", start=date(2020, 6, 15), end=date(2025, 9, 30)))
        terms.append(CommitteeTerm(organization=o, label="2025-2030", start=date(2025, 10, 1), end=None))
    CommitteeTerm.objects.bulk_create(terms)
    terms = list(CommitteeTerm.objects.filter(organization__in=orgs))
    leaders = {u.org.id: u.leaders[0].full_name for u in world.grassroots}
    seats = []
    for t in terms:
        secretary = leaders.get(t.organization_id) if t.label == "2025-2030" else None
        seats.append(CommitteeSeat(term=t, role=SeatRole.SECRETARY, full_name=secretary or _name(rng, rng.random() < 0.3)))
        seats.append(CommitteeSeat(term=t, role=SeatRole.DEPUTY, full_name=_name(rng, rng.random() < 0.4)))
        seats += [CommitteeSeat(term=t, role=SeatRole.MEMBER, full_name=_name(rng, rng.random() < 0.4)) for _ in range(rng.randint(1, 5))]
    CommitteeSeat.objects.bulk_create(seats)


def _members(rng: random.Random, orgs: list[Organization], today: date) -> list[int]:
    """A spread of ages, admission years and degrees; about one in seven still on probation or admitted this year."""
    rows, vrows, now = [], [], timezone.now()
    card = 1_000_000
    for o in orgs:
        count = rng.randint(12, 30) if o.kind == OrgKind.SUB_CELL else rng.randint(20, 70)
        for _ in range(count):
            card += rng.randint(1, 40)
            female = rng.random() < 0.48
            born = _day(rng, date(1962, 1, 1), date(2002, 12, 31))
            earliest = date(born.year + 19, born.month, 1)
            admitted = _day(rng, earliest, min(today - timedelta(days=20), date(born.year + 45, 12, 31)))
            official = years_after(admitted, 1) if years_after(admitted, 1) <= today else None
            job, position = rng.choice(JOBS)
            awards = ""
            if rng.random() < 0.3:
                y = rng.randint(max(admitted.year + 1, 2015), today.year - 1) if admitted.year < today.year - 1 else today.year - 1
                awards = rng.choice(AWARDS).format(y=y, a=y - 4)
            name = _name(rng, female)
            rows.append((name, fold(name), "female" if female else "male", born, rng.choice(BIRTH_PLACES), _pick(rng, ETHNICITIES),
                         "12/12", f"{card:08d}", admitted, official, o.id, job, position, _pick(rng, QUALIFICATIONS), _pick(rng, THEORY),
                         rng.choice(["Cơ bản", "Ứng dụng CNTT cơ bản", "Nâng cao"]), rng.choice(["Tiếng Anh B1", "Tiếng Anh B2", "Tiếng Pháp B1", "Tiếng Anh C1"]),
                         awards, MemberStatus.ACTIVE, now, now))
    names = ("full_name", "name_folded", "gender", "birth_date", "birth_place", "ethnicity", "education", "card_number", "admitted_on",
             "official_on", "organization", "job", "position", "qualification", "theory_level", "it_level", "foreign_language",
             "awards", "status", "created_at", "updated_at")
    ids = insert_rows(PartyMember, names, rows, returning_ids=True)
    for mid, r in zip(ids, rows, strict=True):
        vrows.append((mid, r[8], r[10], MemberStatus.ACTIVE, r[2], r[3], r[5], r[13], r[14], r[8], "imported", {}, None, now))
    insert_rows(MemberVersion, ("member", "valid_from", "organization", "status", "gender", "birth_date", "ethnicity", "qualification",
                                "theory_level", "admitted_on", "reason", "changes", "changed_by", "changed_at"), vrows)
    return ids


def _rankings(rng: random.Random, world: World, orgs: list[Organization], year: int, board: User) -> None:
    members = PartyMember.objects.filter(admitted_on__lt=date(year, 10, 1)).values_list("id", "organization_id")
    MemberRanking.objects.bulk_create([MemberRanking(member_id=m, organization_id=o, year=year, grade=_pick(rng, GRADES), entered_by=board)
                                       for m, o in members], batch_size=2000)
    OrgRanking.objects.bulk_create([OrgRanking(organization=o, year=year, grade=_pick(rng, GRADES[:3]), entered_by=board) for o in orgs])


def seed_members(world: World, *, seed: int = 20251002) -> None:
    """Party records for every grassroots organisation and its sub-cells, and their records officers."""
    rng = random.Random(seed)
    today = timezone.localdate()
    orgs = list(Organization.objects.filter(kind__in=list(PARTY_KIND)).order_by("code"))
    board, offices = _officers(world)
    _org_records(world, rng, orgs)
    ids = _members(rng, orgs, today)
    _rankings(rng, world, orgs, today.year - 1, board)
    # The year's movements, through the real actions: transfers between organisations, and deaths.
    movers = rng.sample(ids, min(12, len(ids)))
    for mid in movers[:8]:
        m = PartyMember.objects.get(pk=mid)
        target = rng.choice([o for o in orgs if o.id != m.organization_id])
        t = membership.issue_transfer(m, user=board, to_organization_id=target.id, note="Chuyển công tác theo quyết định điều động")
        if mid != movers[0]:
            membership.accept_transfer(t, user=board, on=_day(rng, date(today.year, 1, 2), today))
    for mid in movers[8:10]:
        membership.set_status(PartyMember.objects.get(pk=mid), user=board, status=MemberStatus.DECEASED,
                              on=_day(rng, date(today.year, 1, 2), today))
    merged = next((o for o in orgs if o.kind == OrgKind.SUB_CELL), None)
    if merged is not None:
        OrgChange.objects.create(organization=merged, kind="founded", on=date(2012, 3, 1), decision="Quyết định số 245-QĐ/ĐU",
                                 note="Thành lập trên cơ sở tách từ Chi bộ Văn phòng", recorded_by=board)
    record("demo_members_seeded", actor=world.admin, data={"members": len(ids), "organizations": len(orgs), "officers": len(offices) + 1})


def login_lines() -> list[str]:
    """The records officers `vanthu demo` prints."""
    return ["tc.bantochuc — cán bộ Ban Tổ chức Đảng ủy Khối: hồ sơ, thống kê, xếp loại đảng viên toàn Khối",
            f"tc.{data.SHOWCASE_ORG} — cán bộ Văn phòng cấp ủy phụ trách đảng viên của đảng bộ (mỗi đơn vị có tc.<đơn vị>)"]
