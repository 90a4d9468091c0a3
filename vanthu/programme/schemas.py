"""The programme's API shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from vanthu.text import Line, Text

AudienceCode = Literal["leaders", "it_staff", "clerks", "all_members"]
RegulationKindCode = Literal["quy_che", "quy_dinh", "huong_dan"]
AttendanceCode = Literal["present", "excused", "absent"]
BackupCode = Literal["none", "manual", "regular", "offsite"]
Year = Field(ge=2000, le=2100)


# --- regulations ----------------------------------------------------------------------------

class QuizQuestionIn(Schema):
    question: Line(1000)
    options: list[Line(500)] = Field(min_length=2, max_length=8)
    answer: int = Field(ge=0, le=7)


class RegulationIn(Schema):
    title: Line(500)
    kind: RegulationKindCode = "quy_che"
    year: int = Year
    due_date: date
    target_org_ids: list[int] = Field(min_length=1, max_length=2000)
    organization_id: int | None = None  # the office that publishes it (default: the person's own)
    document_id: int | None = None
    quiz: list[QuizQuestionIn] = Field(default_factory=list, max_length=20)
    pass_mark: float | None = Field(None, ge=0, le=1)


class QuizQuestionOut(Schema):
    question: str
    options: list[str]


class CompletionOut(Schema):
    organization_id: int
    organization_name: str
    people: int
    acknowledged: int
    session_held_on: date | None
    session_attendees: int | None


class RegulationOut(Schema):
    id: int
    title: str
    kind: str
    year: int
    due_date: date
    owner_id: int
    document_id: int | None
    target_org_ids: list[int]
    quiz: list[QuizQuestionOut]
    pass_mark: float
    my_acknowledged_at: datetime | None
    completion: list[CompletionOut]


class RegulationList(Schema):
    items: list[RegulationOut]
    count: int


class AcknowledgeIn(Schema):
    answers: list[int] = Field(default_factory=list, max_length=20)


class AcknowledgementOut(Schema):
    regulation_id: int
    organization_id: int
    acknowledged_at: datetime
    quiz_score: float | None


class StudySessionIn(Schema):
    organization_id: int
    held_on: date
    attendees: int = Field(ge=1, le=100000)


class StudySessionOut(Schema):
    regulation_id: int
    organization_id: int
    held_on: date
    attendees: int


class RemindedOut(Schema):
    reminded: int


# --- training -------------------------------------------------------------------------------

class CourseIn(Schema):
    title: Line(500)
    audience: AudienceCode
    starts: date
    ends: date
    organization_id: int | None = None  # the office that runs it (default: the person's own)
    place: Line(255) = ""
    online: bool = False
    trainers: Line(500) = ""
    materials: Text(4000) = ""
    quota: int = Field(5, ge=0, le=10000)
    pass_score: float = Field(5, ge=0, le=10)
    invite_org_ids: list[int] = Field(default_factory=list, max_length=2000)


class InvitationIn(Schema):
    organization_id: int
    quota: int = Field(ge=0, le=10000)


class InvitationOut(Schema):
    organization_id: int
    organization_name: str
    quota: int
    taken: int


class AttendanceOut(Schema):
    day: date
    status: str


class EnrolmentOut(Schema):
    id: int
    course_id: int
    user_id: int
    user_name: str
    organization_id: int
    nominated: bool
    attendance: list[AttendanceOut]
    attended: bool | None
    score: float | None
    passed: bool | None
    certificate_code: str | None


class CourseOut(Schema):
    id: int
    title: str
    audience: str
    starts: date
    ends: date
    place: str
    online: bool
    trainers: str
    materials: str
    owner_id: int
    quota: int
    pass_score: float
    invitations: list[InvitationOut]
    enrolments: list[EnrolmentOut]


class CourseBrief(Schema):
    id: int
    title: str
    audience: str
    starts: date
    ends: date
    place: str
    online: bool
    owner_id: int


class CourseList(Schema):
    items: list[CourseBrief]
    count: int


class EnrolIn(Schema):
    user_id: int


class NominateIn(Schema):
    organization_id: int
    user_id: int


class AttendanceIn(Schema):
    user_id: int
    day: date
    status: AttendanceCode


class ResultIn(Schema):
    user_id: int
    attended: bool
    score: float = Field(ge=0, le=10)
    passed: bool


class TrainingCertificateOut(Schema):
    code: str
    person: str
    organization: str
    course: str
    course_starts: date
    course_ends: date
    date: date
    score: float
    passed: bool
    sha256: str


class UseOut(Schema):
    handled: int
    drafted: int
    median_hours_to_complete: float | None
    active: bool


class TraineeUseOut(Schema):
    user_id: int
    user_name: str
    organization_id: int
    passed: bool | None
    before: UseOut
    after: UseOut


class CourseUseOut(Schema):
    course_id: int
    window_days: int
    items: list[TraineeUseOut]
    count: int
    passed: int
    active_after: int
    active_after_share: float | None


class PlanIn(Schema):
    organization_id: int
    year: int = Year
    planned: int = Field(ge=0, le=100000)


class PlanOut(Schema):
    organization_id: int
    year: int
    planned: int | None
    enrolled: int
    passed: int
    fulfilment: float | None


# --- inspections ----------------------------------------------------------------------------

class ChecklistItemOut(Schema):
    code: str
    area: str
    title: str
    max_score: int


class ChecklistOut(Schema):
    year: int
    items: list[ChecklistItemOut]
    count: int


class InspectionIn(Schema):
    organization_id: int
    year: int = Year
    planned_on: date
    content: Line(1000)
    team_ids: list[int] = Field(default_factory=list, max_length=50)


class ScoreRowOut(Schema):
    code: str
    area: str
    title: str
    max_score: int
    inspector: float | None
    self_assessed: float | None


class RecommendationOut(Schema):
    id: int
    inspection_id: int
    organization_id: int
    text: str
    deadline: date
    status: str
    report: str
    reported_at: datetime | None
    closed_at: datetime | None
    late: bool


class InspectionOut(Schema):
    id: int
    owner_id: int
    organization_id: int
    year: int
    planned_on: date
    content: str
    status: str
    findings: str
    report_document_id: int | None
    signed_at: datetime | None
    scores: list[ScoreRowOut]
    inspector_total: float | None
    self_total: float | None
    max_total: int
    recommendations: list[RecommendationOut]


class InspectionBrief(Schema):
    id: int
    owner_id: int
    organization_id: int
    year: int
    planned_on: date
    content: str
    status: str


class InspectionList(Schema):
    items: list[InspectionBrief]
    count: int


class ScoresIn(Schema):
    scores: dict[str, float]
    findings: Text(8000) | None = None


class SignOffIn(Schema):
    document_id: int | None = None
    findings: Text(8000) | None = None


class RecommendationIn(Schema):
    text: Text(2000)
    deadline: date


class RecommendationReportIn(Schema):
    report: Text(4000)


# --- infrastructure -------------------------------------------------------------------------

class StandardOut(Schema):
    metric: str
    label: str
    threshold: int


class StandardList(Schema):
    year: int
    items: list[StandardOut]
    count: int


class GapOut(Schema):
    metric: str
    label: str
    met: bool


class InventoryIn(Schema):
    year: int = Year
    computers_under_5: int | None = Field(None, ge=0, le=100000)
    computers_5_to_8: int | None = Field(None, ge=0, le=100000)
    computers_over_8: int | None = Field(None, ge=0, le=100000)
    clerks: int | None = Field(None, ge=0, le=100000)
    wan_connected: bool | None = None
    wan_speed_mbps: int | None = Field(None, ge=0, le=100000)
    security_software: bool | None = None
    backup: BackupCode | None = None
    it_staff_dedicated: int | None = Field(None, ge=0, le=10000)
    it_staff_part_time: int | None = Field(None, ge=0, le=10000)
    it_staff_trained: int | None = Field(None, ge=0, le=10000)
    software: Text(4000) | None = None


class InventoryOut(Schema):
    organization_id: int
    year: int
    confirmed: bool
    confirmed_at: datetime | None
    computers_under_5: int
    computers_5_to_8: int
    computers_over_8: int
    clerks: int
    wan_connected: bool
    wan_speed_mbps: int
    security_software: bool
    backup: str
    it_staff_dedicated: int
    it_staff_part_time: int
    it_staff_trained: int
    software: str
    gaps: list[GapOut]
    standard_share: float | None


class ReviewIn(Schema):
    organization_id: int
    year: int = Year
    due_date: date


class ReviewOut(Schema):
    owner_id: int
    year: int
    due_date: date


class MeasureOut(Schema):
    value: float | None
    numerator: float
    denominator: float
    evidence_url: str


class MeasuresOut(Schema):
    organization_id: int
    year: int
    measures: dict[str, MeasureOut]
