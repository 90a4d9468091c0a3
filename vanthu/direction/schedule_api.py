"""The work schedule and meeting invitations in the API: what the pages do, for other programs."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from vanthu.errors import NotFound
from vanthu.organizations.access import member_org_ids
from vanthu.organizations.models import Organization
from vanthu.text import NOTE_MAX, Line, Text

from . import schedule as sched
from .models import Entry, Invitation, Meeting, Schedule

router = Router(tags=["schedule"])


class ScheduleEntryIn(Schema):
    starts_at: datetime
    ends_at: datetime | None = None
    content: Text(4000)
    place: Line(255) = ""
    chair: Line(255) = ""
    chair_user_id: int | None = None
    attendees: Text(NOTE_MAX) = ""
    attendee_user_ids: list[int] = []
    preparer: Line(255) = ""


class EntryOut(Schema):
    id: int
    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime | None
    content: str
    place: str
    chair: str
    attendees: str
    preparer: str
    cancelled: bool
    changed: bool


class ScheduleOut(Schema):
    id: int
    organization_id: int
    week_start: date
    state: str
    entries: list[EntryOut]


class ScheduleList(Schema):
    items: list[ScheduleOut]
    count: int


class WeekIn(Schema):
    organization_id: int
    week: date


class CancelIn(Schema):
    reason: Text(NOTE_MAX) = ""


class ScheduleListIn(Schema):
    week: date | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class MeetingIn(Schema):
    organization_id: int
    title: Line(500)
    starts_at: datetime
    ends_at: datetime | None = None
    place: Line(255)
    invited_ids: list[int] = []
    document_id: int | None = None


class MeetingInvitationOut(Schema):
    id: int
    organization_id: int
    state: str
    attendees: str
    note: str


class MeetingOut(Schema):
    id: int
    organization_id: int
    document_id: int | None
    title: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    invitations: list[MeetingInvitationOut]


class MeetingList(Schema):
    items: list[MeetingOut]
    count: int


class MeetingAnswerIn(Schema):
    organization_id: int
    state: Line(16)
    attendees: Text(NOTE_MAX) = ""
    note: Text(NOTE_MAX) = ""


def entry_out(e: Entry) -> dict:
    return {"id": e.id, "uid": e.uid, "sequence": e.sequence, "starts_at": e.starts_at, "ends_at": e.ends_at, "content": e.content,
            "place": e.place, "chair": e.chair, "attendees": e.attendees, "preparer": e.preparer, "cancelled": e.cancelled,
            "changed": e.changed}


def schedule_out(s: Schedule) -> dict:
    return {"id": s.id, "organization_id": s.organization_id, "week_start": s.week_start, "state": s.state,
            "entries": [entry_out(e) for e in s.entries.order_by("starts_at", "id")]}


def meeting_out(m: Meeting, user) -> dict:
    invitations = m.invitations.order_by("organization__name")
    if m.organization_id not in member_org_ids(user):
        invitations = invitations.filter(organization_id__in=member_org_ids(user))
    return {"id": m.id, "organization_id": m.organization_id, "document_id": m.document_id, "title": m.title,
            "starts_at": m.starts_at, "ends_at": m.ends_at, "place": m.place,
            "invitations": [{"id": i.id, "organization_id": i.organization_id, "state": i.state, "attendees": i.attendees,
                             "note": i.note} for i in invitations]}


def _own_org(user, org_id: int) -> Organization:
    org = Organization.objects.filter(id=org_id, id__in=member_org_ids(user)).first()
    if org is None:
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    return org


@router.get("/schedules", response=ScheduleList, summary="Lịch công tác tuần tôi được xem")
def list_schedules(request, params: Query[ScheduleListIn]):
    qs = sched.visible_schedules(request.user)
    if params.week:
        qs = qs.filter(week_start=sched.monday(params.week))
    qs = qs.order_by("-week_start", "organization_id")
    return {"items": [schedule_out(s) for s in qs.prefetch_related("entries")[params.offset:params.offset + params.limit]],
            "count": qs.count()}


@router.post("/schedules", response={201: ScheduleOut}, summary="Lập lịch công tác của một tuần (dự thảo)")
def create_schedule(request, payload: WeekIn):
    org = _own_org(request.user, payload.organization_id)
    return Status(201, schedule_out(sched.week_of(request.user, org, payload.week, create=True)))


@router.get("/schedules/{schedule_id}", response=ScheduleOut, summary="Một lịch công tác tuần")
def get_schedule(request, schedule_id: int):
    return schedule_out(sched.get_schedule(request.user, schedule_id))


@router.post("/schedules/{schedule_id}/entries", response={201: EntryOut}, summary="Thêm sự kiện vào lịch")
def add_entry(request, schedule_id: int, payload: ScheduleEntryIn):
    s = sched.get_schedule(request.user, schedule_id)
    return Status(201, entry_out(sched.add_entry(s, user=request.user, **payload.dict())))


@router.put("/schedule-entries/{entry_id}", response=EntryOut, summary="Sửa sự kiện (sau khi phát hành: đánh dấu thay đổi, báo người liên quan)")
def update_entry(request, entry_id: int, payload: ScheduleEntryIn):
    return entry_out(sched.update_entry(sched.get_entry(request.user, entry_id), user=request.user, **payload.dict()))


@router.post("/schedule-entries/{entry_id}/cancel", response=EntryOut, summary="Hủy sự kiện")
def cancel_entry(request, entry_id: int, payload: CancelIn):
    return entry_out(sched.cancel_entry(sched.get_entry(request.user, entry_id), user=request.user, reason=payload.reason))


@router.post("/schedules/{schedule_id}/approve", response=ScheduleOut, summary="Lãnh đạo duyệt lịch tuần")
def approve(request, schedule_id: int):
    return schedule_out(sched.approve_schedule(sched.get_schedule(request.user, schedule_id), user=request.user))


@router.post("/schedules/{schedule_id}/publish", response=ScheduleOut, summary="Phát hành lịch tuần")
def publish(request, schedule_id: int):
    return schedule_out(sched.publish_schedule(sched.get_schedule(request.user, schedule_id), user=request.user))


@router.get("/meetings", response=MeetingList, summary="Cuộc họp đơn vị tổ chức hoặc được mời")
def list_meetings(request, params: Query[ScheduleListIn]):
    qs = sched.visible_meetings(request.user).order_by("-starts_at", "-id")
    items = [meeting_out(m, request.user) for m in qs[params.offset:params.offset + params.limit]]
    return {"items": items, "count": qs.count()}


@router.post("/meetings", response={201: MeetingOut}, summary="Mời họp (kèm giấy mời đã ban hành, nếu có)")
def create_meeting(request, payload: MeetingIn):
    org = _own_org(request.user, payload.organization_id)
    m = sched.create_meeting(user=request.user, organization=org, title=payload.title, starts_at=payload.starts_at,
                             ends_at=payload.ends_at, place=payload.place, invited_ids=payload.invited_ids,
                             document_id=payload.document_id)
    return Status(201, meeting_out(m, request.user))


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="Một cuộc họp và danh sách tham dự")
def get_meeting(request, meeting_id: int):
    return meeting_out(sched.get_meeting(request.user, meeting_id), request.user)


@router.post("/meetings/{meeting_id}/answer", response=MeetingInvitationOut, summary="Đơn vị được mời xác nhận tham dự")
def answer(request, meeting_id: int, payload: MeetingAnswerIn):
    m = sched.get_meeting(request.user, meeting_id)
    if not Invitation.objects.filter(meeting=m, organization_id__in=member_org_ids(request.user)).filter(
            organization_id=payload.organization_id).exists():
        raise NotFound(_("Đơn vị không được mời họp này."), code="invitation_not_found")
    i = sched.answer_invitation(m, user=request.user, organization_id=payload.organization_id, state=payload.state,
                                attendees=payload.attendees, note=payload.note)
    return {"id": i.id, "organization_id": i.organization_id, "state": i.state, "attendees": i.attendees, "note": i.note}
