"""The demo's organisation tree and its people, created in bulk."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.hashers import make_password

from vanthu.accounts.models import User
from vanthu.audit.chain import record
from vanthu.documents.models import Signatory
from vanthu.organizations.models import Membership, NumberingStyle, Organization, OrgKind, Role

from . import data

TERM = {"term_label": "2025-2030", "term_start": date(2025, 10, 1), "term_end": date(2030, 9, 30)}
BLOC_SLUG = "dukhoi"


@dataclass
class Unit:
    """An organisation with the people who work its documents."""

    org: Organization
    slug: str
    clerk: User
    leaders: list[User]
    specialists: list[User]
    signer_authority: str
    signer_position: str
    is_grassroots: bool = False
    # Each leader's signing authority (user id → row): the first signs for the committee, a
    # deputy "K/T" for the secretary.
    signatories: dict[int, Signatory] = field(default_factory=dict)


@dataclass
class World:
    admin: User
    bloc: Unit
    offices: dict[str, Unit]
    grassroots: list[Unit]
    units: list[Unit] = field(default_factory=list)
    by_org: dict[int, Unit] = field(default_factory=dict)




class _Names:
    """Vietnamese full names, composed from common family, middle and given names."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self) -> str:
        r = self.rng
        for _ in range(20):
            if r.random() < 0.5:
                name = f"{r.choice(data.FAMILY_NAMES)} {r.choice(data.MIDDLE_MALE)} {r.choice(data.GIVEN_MALE)}"
            else:
                name = f"{r.choice(data.FAMILY_NAMES)} {r.choice(data.MIDDLE_FEMALE)} {r.choice(data.GIVEN_FEMALE)}"
            if name not in self.used:
                break
        self.used.add(name)
        return name


def _signatories(world: World) -> None:
    """Who signs for each organisation: its first leader with the unit's authority, a deputy as K/T."""
    rows = []
    for unit in world.units:
        form, _sep, whom = unit.signer_authority.partition(" ")
        for i, leader in enumerate(unit.leaders):
            if i == 0:
                row = Signatory(organization=unit.org, user=leader, form=form, on_behalf_of=whom, position=unit.signer_position, sort_order=1)
            else:
                row = Signatory(organization=unit.org, user=leader, form="K/T", on_behalf_of="BÍ THƯ", position="PHÓ BÍ THƯ", sort_order=2)
            unit.signatories[leader.id] = row
            rows.append(row)
    Signatory.objects.bulk_create(rows, batch_size=500)
    if any(r.pk is None for r in rows):  # a backend that does not return ids
        ids = {(o, u): i for i, o, u in Signatory.objects.values_list("id", "organization_id", "user_id")}
        for r in rows:
            r.pk = r.id = ids[(r.organization_id, r.user_id)]


def build_world(password: str, rng: random.Random) -> World:
    # One hash for every demo account: they all share the demo password, and argon2 costs
    # ~50 ms per hash by design, which would be half a minute for five hundred people.
    pw_hash = make_password(password)
    names = _Names(rng)

    city = Organization.objects.create(kind=OrgKind.CITY_COMMITTEE, numbering_style=NumberingStyle.PARTY, **data.CITY, **TERM)
    bloc = Organization.objects.create(kind=OrgKind.BLOC_COMMITTEE, parent=city, numbering_style=NumberingStyle.PARTY, **data.BLOC, **TERM)
    offices = Organization.objects.bulk_create([
        Organization(kind=OrgKind.OFFICE, parent=bloc, name=name, short_name=short, code=code, **TERM)
        for _slug, name, short, code, _pos in data.BLOC_OFFICES
    ])
    grassroots = Organization.objects.bulk_create([
        Organization(
            kind=OrgKind.GRASSROOTS_COMMITTEE if kind == data.C else OrgKind.GRASSROOTS_CELL, parent=bloc,
            name=("Đảng bộ " if kind == data.C else "Chi bộ ") + name, short_name="ĐU" if kind == data.C else "CB",
            code=f"{i:03d}.10.31.H26", **TERM,
        )
        for i, (_slug, kind, name) in enumerate(data.GRASSROOTS, start=1)
    ])
    by_slug = {slug: org for (slug, _k, _n), org in zip(data.GRASSROOTS, grassroots, strict=True)}
    Organization.objects.bulk_create([
        Organization(kind=OrgKind.SUB_CELL, parent=by_slug[parent], name=name, short_name="CB",
                     code=f"{j:03d}.{list(by_slug).index(parent) + 1:03d}.31.H26", **TERM)
        for j, (parent, name) in enumerate(data.SUB_CELLS, start=1)
    ])

    people: list[tuple[User, list[tuple[Organization, str, str]]]] = []

    def person(username: str, memberships: list[tuple[Organization, str, str]], full_name: str | None = None, **extra) -> User:
        user = User(username=username, full_name=full_name or names(), password=pw_hash, is_active=True, **extra)
        people.append((user, memberships))
        return user

    admin = person("admin", [(bloc, Role.ADMIN, "Quản trị hệ thống")], full_name="Quản trị hệ thống", is_superuser=True, is_staff=True)
    bloc_unit = Unit(
        org=bloc, slug=BLOC_SLUG,
        clerk=person(f"vt.{BLOC_SLUG}", [(bloc, Role.CLERK, "Văn thư Đảng ủy Khối")]),
        leaders=[person(f"bt.{BLOC_SLUG}", [(bloc, Role.LEADER, "Bí thư Đảng ủy Khối")]),
                 person(f"pbt.{BLOC_SLUG}", [(bloc, Role.LEADER, "Phó Bí thư Thường trực Đảng ủy Khối")])],
        specialists=[person(f"cv{k}.{BLOC_SLUG}", [(bloc, Role.SPECIALIST, "Chuyên viên")]) for k in (1, 2)],
        signer_authority="T/M BAN THƯỜNG VỤ", signer_position="BÍ THƯ",
    )
    person(f"kt.{BLOC_SLUG}", [(bloc, Role.INSPECTOR, "Ủy viên Ủy ban Kiểm tra Đảng ủy Khối")])

    office_units: dict[str, Unit] = {}
    authority = {"vanphong": ("T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG"), "bantochuc": ("", "TRƯỞNG BAN"),
                 "ubkt": ("T/M ỦY BAN KIỂM TRA", "CHỦ NHIỆM"), "bantuyengiao": ("", "TRƯỞNG BAN")}
    for (slug, _name, _short, _code, position), org in zip(data.BLOC_OFFICES, offices, strict=True):
        office_units[slug] = Unit(
            org=org, slug=slug,
            clerk=person(f"vt.{slug}", [(org, Role.CLERK, "Văn thư")]),
            leaders=[person(f"ld.{slug}", [(org, Role.LEADER, position)])],
            specialists=[person(f"cv{k}.{slug}", [(org, Role.SPECIALIST, "Chuyên viên")]) for k in (1, 2)],
            signer_authority=authority[slug][0], signer_position=authority[slug][1],
        )

    grassroots_units: list[Unit] = []
    for (slug, kind, _name), org in zip(data.GRASSROOTS, grassroots, strict=True):
        committee = kind == data.C
        leader_memberships = [(org, Role.LEADER, "Bí thư Đảng ủy" if committee else "Bí thư Chi bộ")]
        if slug == data.DUAL_ROLE_ORG:
            leader_memberships.append((bloc, Role.LEADER, "Ủy viên Ban Thường vụ Đảng ủy Khối"))
        grassroots_units.append(Unit(
            org=org, slug=slug, is_grassroots=True,
            clerk=person(f"vt.{slug}", [(org, Role.CLERK, "Văn thư cấp ủy")]),
            leaders=[person(f"bt.{slug}", leader_memberships)],
            specialists=[person(f"cv{k}.{slug}", [(org, Role.SPECIALIST, "Chuyên viên")]) for k in (1, 2)],
            signer_authority="T/M ĐẢNG ỦY" if committee else "T/M CHI BỘ", signer_position="BÍ THƯ",
        ))

    User.objects.bulk_create([u for u, _m in people], batch_size=500)
    if any(u.pk is None for u, _m in people):  # a backend that does not return ids
        ids = dict(User.objects.filter(username__in=[u.username for u, _m in people]).values_list("username", "id"))
        for u, _m in people:
            u.pk = u.id = ids[u.username]
    Membership.objects.bulk_create(
        [Membership(user=u, organization=org, role=role, position=pos) for u, ms in people for org, role, pos in ms],
        batch_size=1000,
    )
    world = World(admin=admin, bloc=bloc_unit, offices=office_units, grassroots=grassroots_units)
    world.units = [bloc_unit, *office_units.values(), *grassroots_units]
    world.by_org = {u.org.id: u for u in world.units}
    _signatories(world)
    record("demo_organizations_created", actor=admin, obj=bloc, data={
        "organizations": len(world.units) + 2 + len(data.SUB_CELLS), "users": len(people),
    })
    return world


