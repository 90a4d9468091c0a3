"""The API's shapes for member records. Identity numbers go out masked unless the caller asks (audited)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from vanthu.text import Line, Text

GradeCode = Literal["excellent", "good", "done", "not_done"]


class MemberListItem(Schema):
    id: int
    full_name: str
    gender: str
    birth_date: date
    card_number: str
    admitted_on: date
    official_on: date | None
    organization_id: int
    organization_name: str
    status: str
    status_label: str


class PartyMemberList(Schema):
    items: list[MemberListItem]
    count: int


class MemberHistoryItem(Schema):
    valid_from: date
    valid_to: date | None
    reason: str
    fields: list[str]
    changed_by: str
    changed_at: datetime


class MemberRankingOut(Schema):
    member_id: int
    year: int
    grade: str
    grade_label: str


class MemberOut(MemberListItem):
    other_names: str
    birth_place: str
    ethnicity: str
    religion: str
    id_number: str
    id_number_masked: bool
    job: str
    position: str
    education: str
    qualification: str
    theory_level: str
    it_level: str
    foreign_language: str
    awards: str
    disciplines: str
    status_date: date | None
    rankings: list[MemberRankingOut]


class ProfileIn(Schema):
    """A member's profile fields; on an edit, only those sent change."""

    full_name: Line(128) | None = None
    other_names: Line(128) | None = None
    gender: Literal["male", "female"] | None = None
    birth_date: date | None = None
    birth_place: Line(255) | None = None
    ethnicity: Line(32) | None = None
    religion: Line(64) | None = None
    id_number: Line(12) | None = None
    card_number: Line(16) | None = None
    admitted_on: date | None = None
    official_on: date | None = None
    job: Line(128) | None = None
    position: Line(128) | None = None
    education: Line(16) | None = None
    qualification: Literal["none", "vocational", "college", "bachelor", "master", "doctor"] | None = None
    theory_level: Literal["none", "elementary", "intermediate", "advanced", "bachelor"] | None = None
    it_level: Line(64) | None = None
    foreign_language: Line(64) | None = None
    awards: Text(2000) | None = None
    disciplines: Text(2000) | None = None


class MemberIn(ProfileIn):
    organization_id: int
    full_name: Line(128)
    gender: Literal["male", "female"]
    birth_date: date
    card_number: Line(16)
    admitted_on: date


class StatusIn(Schema):
    status: Literal["deceased", "left"]
    on: date


class TransferIn(Schema):
    to_organization_id: int
    note: Text(2000) = ""
    # To an organisation at another installation: the letter (an outgoing document addressed to it, not yet issued).
    letter_id: int | None = None


class TransferOut(Schema):
    id: int
    member_id: int
    member_name: str
    from_organization_id: int
    from_organization_name: str
    to_organization_id: int
    to_organization_name: str
    status: str
    issued_at: datetime
    accepted_at: datetime | None
    effective_on: date | None
    letter_id: int | None = None
    answer_note: str = ""


class TransferList(Schema):
    items: list[TransferOut]
    count: int


class IncomingTransferOut(Schema):
    """A member transferred from an organisation at another installation, as its package carried them."""

    id: int
    status: str
    from_organization_id: int
    from_organization_name: str
    to_organization_id: int
    to_organization_name: str
    document_id: int
    received_at: datetime
    note: str
    member_id: int | None
    decided_at: datetime | None
    answer_note: str
    # The profile as received (the identity number masked).
    record: dict


class IncomingTransferList(Schema):
    items: list[IncomingTransferOut]
    count: int


class RefuseIn(Schema):
    reason: Text(2000)


class RankingIn(Schema):
    year: int = Field(..., ge=1930, le=2100)
    grade: GradeCode


class OrgRankingOut(Schema):
    organization_id: int
    year: int
    grade: str
    grade_label: str


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    dry_run: bool


class RankImportOut(Schema):
    ranked: int
    unchanged: int
    dry_run: bool


class SeatOut(Schema):
    role: str
    role_label: str
    full_name: str


class TermOut(Schema):
    label: str
    start: date
    end: date | None
    seats: list[SeatOut]


class OrgChangeOut(Schema):
    kind: str
    kind_label: str
    on: date
    other_organization_id: int | None
    decision: str
    note: str


class PartyOrgOut(Schema):
    organization_id: int
    name: str
    code: str
    party_kind: str | None
    founded_on: date | None
    dissolved_on: date | None
    active_members: int
    terms: list[TermOut]
    changes: list[OrgChangeOut]


class StatsRowOut(Schema):
    organization_id: int
    name: str
    depth: int
    own: dict[str, int]
    total: dict[str, int]


class StatsOut(Schema):
    as_of: date
    organization_id: int | None
    totals: dict[str, int]
    ethnicity: dict[str, int]
    rows: list[StatsRowOut]


class RankRowOut(Schema):
    organization_id: int
    name: str
    organization_grade: str | None
    members: dict[str, int]


class RankingsOut(Schema):
    year: int
    members: dict[str, int]
    organizations: dict[str, int]
    rows: list[RankRowOut]


SearchText = Line(128)
