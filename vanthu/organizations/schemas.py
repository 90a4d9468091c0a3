from __future__ import annotations

from datetime import date

from ninja import Schema


class OrgRef(Schema):
    id: int
    code: str
    name: str
    short_name: str


class OrgOut(OrgRef):
    kind: str
    parent_id: int | None
    term_label: str
    term_start: date | None
    term_end: date | None
    numbering_style: str


class MemberOut(Schema):
    user_id: int
    username: str
    full_name: str
    roles: list[str]
