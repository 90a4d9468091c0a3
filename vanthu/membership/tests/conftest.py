"""A small Bloc for member records: the Bloc's board officer, each committee's office, and their
document roles (clerk, specialist) that must see nothing of members."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from openpyxl import Workbook

from vanthu.accounts.actions import issue_api_token
from vanthu.accounts.models import User
from vanthu.membership import actions
from vanthu.membership.importing import COLUMNS
from vanthu.organizations.models import Organization, OrgKind
from vanthu.testing import factories as f


@dataclass
class Bloc:
    bloc: Organization
    a: Organization
    a1: Organization
    b: Organization
    board: User  # Ban Tổ chức of the Bloc: every member
    office_a: User  # the office of A's committee: A and A1
    office_b: User
    clerk_a: User  # document roles only
    specialist_a: User
    clerk_b: User
    admin: User  # installation administrator: names the officers, sees no member


def token(user: User) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user=user)[0]}"}


def api(user: User) -> Client:
    c = Client(headers=token(user))
    return c


def xlsx(rows: list[list], header: tuple = COLUMNS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def world(db) -> Bloc:
    bloc = f.make_org("Đảng bộ Khối các cơ quan Thành phố", code="000.00.10.H26", kind=OrgKind.BLOC_COMMITTEE)
    a = f.make_org("Đảng bộ Sở Tài chính", code="000.00.11.H26", parent=bloc)
    a1 = f.make_org("Chi bộ Phòng Ngân sách", code="000.00.12.H26", parent=a, kind=OrgKind.SUB_CELL)
    b = f.make_org("Đảng bộ Sở Y tế", code="000.00.13.H26", parent=bloc)
    admin = f.make_installation_admin(bloc)
    w = Bloc(bloc=bloc, a=a, a1=a1, b=b,
             board=f.make_user(bloc, "specialist", full_name="Lê Thị Tổ Chức"),
             office_a=f.make_user(a, "clerk", full_name="Phạm Văn Phòng"),
             office_b=f.make_user(b, "clerk", full_name="Hoàng Thị Văn"),
             clerk_a=f.make_user(a, "clerk", full_name="Văn thư Sở Tài chính"),
             specialist_a=f.make_user(a, "specialist", full_name="Chuyên viên Sở Tài chính"),
             clerk_b=f.make_user(b, "clerk", "leader", "admin", full_name="Văn thư Sở Y tế"),
             admin=admin)
    actions.grant_records_role(user=admin, person=w.board, organization=bloc, kind="board")
    actions.grant_records_role(user=admin, person=w.office_a, organization=a, kind="office")
    actions.grant_records_role(user=admin, person=w.office_b, organization=b, kind="office")
    return w


def member(w: Bloc, org: Organization, name: str, card: str, *, born: date = date(1985, 3, 15),
           admitted: date = date(2010, 5, 19), gender: str = "male", **extra):
    return actions.create_member(user=w.board, organization=org, values={
        "full_name": name, "gender": gender, "birth_date": born, "card_number": card, "admitted_on": admitted,
        "official_on": extra.pop("official_on", date(admitted.year + 1, admitted.month, 1)), **extra})
