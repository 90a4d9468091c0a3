"""The directives' and tasks' API schemas (the contract other tools use: keep it, add freely)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from vanthu.organizations.schemas import OrgRef
from vanthu.text import NOTE_MAX, Line, Text


class TaskIn(Schema):
    organization_id: int
    content: Text(20000)
    due: date | None = None
    # Instead of a date: the deadline is this many working days after the directive's date.
    working_days: int | None = None
    cycle: str = "once"
    cooperating_ids: list[int] = []


class DirectiveIn(Schema):
    title: Line(500)
    content: Text(20000) = ""
    tasks: list[TaskIn]
    # The directing organisation; may be left out by a person who directs in one organisation only.
    organization_id: int | None = None
    kind: Line(16) = "directive"
    leader_name: Line(128) = ""
    source_document_id: int | None = None
    issued_on: date | None = None


class TaskOut(Schema):
    id: int
    directive_id: int
    directive_title: str
    organization: OrgRef
    cooperating_ids: list[int]
    content: str
    due: date
    cycle: str
    state: str
    state_label: str
    extended: bool
    overdue: bool
    progress: int
    last_report_at: datetime | None
    done_on: date | None


class TaskList(Schema):
    items: list[TaskOut]
    count: int


class DirectiveOut(Schema):
    id: int
    organization: OrgRef
    kind: str
    title: str
    content: str
    leader_name: str
    source_document_id: int | None
    issued_on: date
    created_at: datetime
    task_count: int
    done_count: int
    overdue_count: int
    tasks: list[TaskOut]


class DirectiveListItem(Schema):
    id: int
    organization: OrgRef
    kind: str
    title: str
    issued_on: date
    task_count: int
    done_count: int
    overdue_count: int
    progress: int
    open_due: date | None


class DirectiveList(Schema):
    items: list[DirectiveListItem]
    count: int


class TaskReportIn(Schema):
    progress: int = Field(ge=0, le=100)
    content: Text(20000)
    done: bool = False
    document_id: int | None = None


class ReportOut(Schema):
    id: int
    kind: str
    kind_label: str
    progress: int | None
    content: str
    document_id: int | None
    due_before: date | None
    due_after: date | None
    author_name: str
    organization_id: int
    created_at: datetime


class ExtensionOut(Schema):
    id: int
    task_id: int
    requested_due: date
    reason: str
    state: str
    note: str


class TaskDetail(TaskOut):
    reports: list[ReportOut]
    pending_extension: ExtensionOut | None


class ExtensionIn(Schema):
    due: date
    reason: Text(NOTE_MAX)


class DecisionIn(Schema):
    grant: bool
    due: date | None = None
    note: Text(NOTE_MAX) = ""


class ReviewNoteIn(Schema):
    note: Text(NOTE_MAX) = ""

