"""The weekly work schedule and meeting invitations: who sees them, and every change to them.

A schedule belongs to an organisation (the Bloc: its office keeps the leaders' week). Its office
(clerks) and leaders draft it, a leader approves it, and it is published: then the people of the
organisation and of every organisation under it see it, and each person sees the events they chair
or attend on their own page and in their calendar feed. A change after publishing (an event added,
moved, cancelled) is marked as a change, raises the event's SEQUENCE, and tells the people it
concerns. A change to an approved schedule not yet published sends it back to draft.

A meeting is invited to with a document issued as any other (the giấy mời), or without one; each
invited organisation answers who attends (or who attends instead, or that nobody can). The meeting
is put on the inviting organisation's schedule of its week.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanthu.audit.chain import record
from vanthu.documents.access import get_document
from vanthu.errors import InvalidState, NotFound, Unprocessable
from vanthu.notifications import kinds
from vanthu.notifications.actions import notify
from vanthu.notifications.kinds import Channel
from vanthu.organizations.access import has_role, member_org_ids, subtree_ids
from vanthu.organizations.models import Membership, Organization, Role
from vanthu.text import NOTE_MAX, clean_text

from .access import require
from .models import (
    AttendanceState,
    Entry,
    FeedToken,
    Invitation,
    Meeting,
    Schedule,
    ScheduleState,
)

KEEPERS = (Role.CLERK, Role.LEADER)


def register_kinds() -> None:
    kinds.register("schedule_published", gettext_lazy("Lịch công tác tuần được phát hành"))
    kinds.register("schedule_changed", gettext_lazy("Lịch công tác có thay đổi liên quan đến tôi"), default=Channel.EMAIL)
    kinds.register("meeting_invitation", gettext_lazy("Giấy mời họp gửi đơn vị"), default=Channel.EMAIL)
    kinds.register("meeting_answered", gettext_lazy("Đơn vị xác nhận tham dự cuộc họp"))


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _dm_hm(dt: datetime) -> str:
    return timezone.localtime(dt).strftime("%H:%M %d/%m/%Y")


# --- who sees what -------------------------------------------------------------------------------

def _ancestors_and_self(org_ids: set[int]) -> set[int]:
    out = set(org_ids)
    for org in Organization.objects.filter(id__in=org_ids):
        out.update(org.ancestor_ids())
    return out


def visible_schedules(user) -> QuerySet[Schedule]:
    """Drafts to the organisation's own people; published ones also to the organisations under it."""
    mine = member_org_ids(user)
    return Schedule.objects.filter(Q(organization_id__in=mine)
                                   | Q(organization_id__in=_ancestors_and_self(mine), state=ScheduleState.PUBLISHED))


def schedule_orgs(user) -> list[Organization]:
    """The organisations whose schedules the person may read (their own, and those above them)."""
    mine = member_org_ids(user)
    return list(Organization.objects.filter(id__in=_ancestors_and_self(mine)).order_by("name"))


def may_keep(user, org_id: int) -> bool:
    return has_role(user, org_id, *KEEPERS)


def get_schedule(user, schedule_id: int) -> Schedule:
    try:
        return visible_schedules(user).select_related("organization").get(id=schedule_id)
    except Schedule.DoesNotExist:
        raise NotFound(_("Không tìm thấy lịch công tác."), code="schedule_not_found") from None


def get_entry(user, entry_id: int) -> Entry:
    try:
        return Entry.objects.select_related("schedule__organization").get(id=entry_id, schedule__in=visible_schedules(user))
    except Entry.DoesNotExist:
        raise NotFound(_("Không tìm thấy sự kiện trong lịch."), code="entry_not_found") from None


def visible_meetings(user) -> QuerySet[Meeting]:
    mine = member_org_ids(user)
    invited = Invitation.objects.filter(organization_id__in=mine).values("meeting_id")
    return Meeting.objects.filter(Q(organization_id__in=mine) | Q(id__in=invited))


def get_meeting(user, meeting_id: int) -> Meeting:
    try:
        return visible_meetings(user).select_related("organization", "document").get(id=meeting_id)
    except Meeting.DoesNotExist:
        raise NotFound(_("Không tìm thấy cuộc họp."), code="meeting_not_found") from None


# --- the schedule ----------------------------------------------------------------------------------

def week_of(user, org: Organization, week_start: date, *, create: bool = False) -> Schedule | None:
    """The organisation's schedule of the week (made, as a draft, when a keeper asks)."""
    week_start = monday(week_start)
    found = visible_schedules(user).filter(organization=org, week_start=week_start).first()
    if found is None and create:
        require(may_keep(user, org.id), _("Chỉ văn phòng hoặc lãnh đạo của đơn vị được lập lịch công tác."))
        found, _made = Schedule.objects.get_or_create(organization=org, week_start=week_start)
    return found


def _people_in_reach(schedule: Schedule, ids: Iterable[int]) -> list[int]:
    ids = sorted(set(ids))
    if not ids:
        return []
    reach = subtree_ids({schedule.organization_id})
    found = set(Membership.objects.filter(user_id__in=ids, organization_id__in=reach).values_list("user_id", flat=True))
    missing = sorted(set(ids) - found)
    if missing:
        raise Unprocessable(_("Người tham dự không thuộc đơn vị: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
                            code="unknown_person", details={"field": "attendee_user_ids", "ids": missing})
    return ids


def _check_times(schedule: Schedule, starts_at: datetime, ends_at: datetime | None) -> None:
    day = timezone.localtime(starts_at).date()
    if not schedule.week_start <= day <= schedule.week_start + timedelta(days=6):
        raise Unprocessable(_("Sự kiện phải nằm trong tuần của lịch (%(a)s–%(b)s).") % {
            "a": schedule.week_start.strftime("%d/%m/%Y"), "b": (schedule.week_start + timedelta(days=6)).strftime("%d/%m/%Y")},
            code="outside_week", details={"field": "starts_at"})
    if ends_at is not None and ends_at <= starts_at:
        raise Unprocessable(_("Giờ kết thúc phải sau giờ bắt đầu."), code="ends_before_start", details={"field": "ends_at"})


def _concerned(entry: Entry) -> set[int]:
    ids = set(entry.attendee_users.values_list("id", flat=True))
    if entry.chair_user_id:
        ids.add(entry.chair_user_id)
    return ids


def schedule_url(schedule: Schedule) -> str:
    return reverse("direction:schedule") + f"?org={schedule.organization_id}&week={schedule.week_start.isoformat()}"


def _after_change(entry: Entry, *, user, before: set[int], what: str) -> None:
    """A change to a published schedule is marked and told; to an approved one, it needs approving again."""
    schedule = entry.schedule
    if schedule.state == ScheduleState.PUBLISHED:
        Entry.objects.filter(pk=entry.pk).update(changed=True)
        entry.changed = True
        people = (before | _concerned(entry)) - {user.id}
        notify(people, kind="schedule_changed", title=_("Lịch công tác thay đổi: %(what)s") % {"what": what},
               body=_("%(when)s — %(content)s") % {"when": _dm_hm(entry.starts_at), "content": entry.content[:500]},
               url=schedule_url(schedule), obj=entry, org=schedule.organization_id)
    elif schedule.state == ScheduleState.APPROVED:
        Schedule.objects.filter(pk=schedule.pk).update(state=ScheduleState.DRAFT, approved_by=None, approved_at=None)
        schedule.state = ScheduleState.DRAFT


def _entry_fields(*, place: str, content: str, chair: str, attendees: str, preparer: str) -> dict:
    content = clean_text(content, field="content", max_length=4000, multiline=True, label=_("Nội dung"))
    if not content:
        raise Unprocessable(_("Chưa nhập nội dung sự kiện."), code="content_required", details={"field": "content"})
    return {
        "place": clean_text(place, field="place", max_length=255, label=_("Địa điểm")),
        "content": content,
        "chair": clean_text(chair, field="chair", max_length=255, label=_("Chủ trì")),
        "attendees": clean_text(attendees, field="attendees", max_length=NOTE_MAX, multiline=True, label=_("Thành phần")),
        "preparer": clean_text(preparer, field="preparer", max_length=255, label=_("Chuẩn bị")),
    }


def add_entry(schedule: Schedule, *, user, starts_at: datetime, ends_at: datetime | None = None, place: str = "",
              content: str, chair: str = "", chair_user_id: int | None = None, attendees: str = "",
              attendee_user_ids: Sequence[int] = (), preparer: str = "", meeting: Meeting | None = None) -> Entry:
    require(may_keep(user, schedule.organization_id), _("Chỉ văn phòng hoặc lãnh đạo của đơn vị được sửa lịch công tác."))
    fields = _entry_fields(place=place, content=content, chair=chair, attendees=attendees, preparer=preparer)
    _check_times(schedule, starts_at, ends_at)
    people = _people_in_reach(schedule, [*attendee_user_ids, *([chair_user_id] if chair_user_id else [])])
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
        entry = Entry.objects.create(schedule=schedule, starts_at=starts_at, ends_at=ends_at, chair_user_id=chair_user_id,
                                     uid=f"{uuid.uuid4()}@vanthu", meeting=meeting, **fields)
        entry.attendee_users.set([p for p in people if p != chair_user_id or p in attendee_user_ids])
        record("schedule_entry_added", actor=user, obj=entry, data={"schedule": schedule.id, "content": fields["content"]})
        _after_change(entry, user=user, before=set(), what=_("thêm sự kiện"))
    return entry


def update_entry(entry: Entry, *, user, starts_at: datetime, ends_at: datetime | None = None, place: str = "", content: str,
                 chair: str = "", chair_user_id: int | None = None, attendees: str = "",
                 attendee_user_ids: Sequence[int] = (), preparer: str = "") -> Entry:
    schedule = entry.schedule
    require(may_keep(user, schedule.organization_id), _("Chỉ văn phòng hoặc lãnh đạo của đơn vị được sửa lịch công tác."))
    fields = _entry_fields(place=place, content=content, chair=chair, attendees=attendees, preparer=preparer)
    _check_times(schedule, starts_at, ends_at)
    people = _people_in_reach(schedule, [*attendee_user_ids, *([chair_user_id] if chair_user_id else [])])
    with transaction.atomic():
        Schedule.objects.select_for_update().filter(pk=schedule.pk).first()
        entry = Entry.objects.select_for_update().select_related("schedule").get(pk=entry.pk)
        if entry.cancelled:
            raise InvalidState(_("Sự kiện đã hủy, không sửa được."), code="entry_cancelled")
        before = _concerned(entry)
        for k, v in {**fields, "starts_at": starts_at, "ends_at": ends_at, "chair_user_id": chair_user_id}.items():
            setattr(entry, k, v)
        entry.sequence += 1
        entry.updated_at = timezone.now()
        entry.save()
        entry.attendee_users.set([p for p in people if p != chair_user_id or p in attendee_user_ids])
        record("schedule_entry_changed", actor=user, obj=entry, data={"sequence": entry.sequence, "content": fields["content"],
                                                                       "starts_at": starts_at})
        _after_change(entry, user=user, before=before, what=_("sửa sự kiện"))
    return entry


def cancel_entry(entry: Entry, *, user, reason: str = "") -> Entry:
    schedule = entry.schedule
    require(may_keep(user, schedule.organization_id), _("Chỉ văn phòng hoặc lãnh đạo của đơn vị được sửa lịch công tác."))
    reason = clean_text(reason, field="reason", max_length=NOTE_MAX, multiline=True, label=_("Lý do"))
    with transaction.atomic():
        Schedule.objects.select_for_update().filter(pk=schedule.pk).first()
        entry = Entry.objects.select_for_update().select_related("schedule").get(pk=entry.pk)
        if entry.cancelled:
            raise InvalidState(_("Sự kiện đã hủy."), code="entry_cancelled")
        entry.cancelled, entry.sequence, entry.updated_at = True, entry.sequence + 1, timezone.now()
        entry.save(update_fields=["cancelled", "sequence", "updated_at"])
        record("schedule_entry_cancelled", actor=user, obj=entry, data={"reason": reason})
        _after_change(entry, user=user, before=set(), what=_("hủy sự kiện"))
    return entry


def approve_schedule(schedule: Schedule, *, user) -> Schedule:
    require(has_role(user, schedule.organization_id, Role.LEADER), _("Chỉ lãnh đạo được duyệt lịch công tác."))
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
        if schedule.state != ScheduleState.DRAFT:
            raise InvalidState(_("Chỉ duyệt được lịch đang là dự thảo."), code="schedule_not_draft")
        if not schedule.entries.exists():
            raise Unprocessable(_("Lịch tuần chưa có sự kiện nào."), code="schedule_empty")
        schedule.state, schedule.approved_by, schedule.approved_at = ScheduleState.APPROVED, user, timezone.now()
        schedule.save(update_fields=["state", "approved_by", "approved_at"])
        record("schedule_approved", actor=user, obj=schedule, data={"week": schedule.week_start})
    return schedule


def publish_schedule(schedule: Schedule, *, user) -> Schedule:
    """Published to the organisations under it; the people in its events and those organisations' leaders and clerks are told."""
    require(may_keep(user, schedule.organization_id), _("Chỉ văn phòng hoặc lãnh đạo của đơn vị được phát hành lịch."))
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().select_related("organization").get(pk=schedule.pk)
        if schedule.state != ScheduleState.APPROVED:
            raise InvalidState(_("Lịch phải được lãnh đạo duyệt trước khi phát hành."), code="schedule_not_approved")
        schedule.state, schedule.published_at = ScheduleState.PUBLISHED, timezone.now()
        schedule.save(update_fields=["state", "published_at"])
        record("schedule_published", actor=user, obj=schedule, data={"week": schedule.week_start})
        people = set(Membership.objects.filter(
            organization_id__in=subtree_ids({schedule.organization_id}), role__in=KEEPERS).values_list("user_id", flat=True))
        for entry in schedule.entries.all():
            people |= _concerned(entry)
        end = schedule.week_start + timedelta(days=6)
        notify(people - {user.id}, kind="schedule_published",
               title=_("Lịch công tác tuần %(a)s–%(b)s của %(org)s") % {
                   "a": schedule.week_start.strftime("%d/%m"), "b": end.strftime("%d/%m/%Y"), "org": schedule.organization.name},
               url=schedule_url(schedule), obj=schedule, org=schedule.organization_id)
    return schedule


# --- calendar feeds --------------------------------------------------------------------------------

def feed_for_person(user) -> FeedToken:
    token, _made = FeedToken.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32), "created_by": user})
    return token


def feed_for_organization(org: Organization, *, user) -> FeedToken:
    require(may_keep(user, org.id), _("Chỉ văn phòng hoặc lãnh đạo của đơn vị được lấy địa chỉ lịch của đơn vị."))
    token, made = FeedToken.objects.get_or_create(organization=org, defaults={"token": secrets.token_urlsafe(32), "created_by": user})
    if made:
        record("calendar_feed_created", actor=user, obj=org)
    return token


def renew_feed(feed: FeedToken, *, user) -> FeedToken:
    """A new secret address; the old one stops working (it was shared by mistake)."""
    feed.token = secrets.token_urlsafe(32)
    feed.save(update_fields=["token"])
    record("calendar_feed_renewed", actor=user, object_type="direction.feedtoken", object_id=feed.id)
    return feed


# --- meetings ------------------------------------------------------------------------------------

def create_meeting(*, user, organization: Organization, title: str, starts_at: datetime, ends_at: datetime | None = None,
                   place: str, invited_ids: Sequence[int] = (), document_id: int | None = None) -> Meeting:
    require(may_keep(user, organization.id), _("Chỉ văn phòng hoặc lãnh đạo của đơn vị được mời họp."))
    title = clean_text(title, field="title", max_length=500, label=_("Nội dung cuộc họp"))
    place = clean_text(place, field="place", max_length=255, label=_("Địa điểm"))
    if not title or not place:
        raise Unprocessable(_("Chưa nhập nội dung hoặc địa điểm cuộc họp."), code="meeting_incomplete",
                            details={"field": "title" if not title else "place"})
    if ends_at is not None and ends_at <= starts_at:
        raise Unprocessable(_("Giờ kết thúc phải sau giờ bắt đầu."), code="ends_before_start", details={"field": "ends_at"})
    document = get_document(user, document_id) if document_id is not None else None
    if document is not None and document.issuer_id != organization.id:
        raise Unprocessable(_("Giấy mời phải do đơn vị mời họp ban hành."), code="invitation_not_ours", details={"field": "document_id"})
    wanted = set(invited_ids) or (set(document.recipients.values_list("id", flat=True)) if document else set())
    wanted.discard(organization.id)
    invited = list(Organization.objects.active().filter(id__in=wanted))
    if not invited or len(invited) != len(wanted):
        raise Unprocessable(_("Hãy chọn các đơn vị được mời."), code="invited_required", details={"field": "invited_ids"})
    with transaction.atomic():
        meeting = Meeting.objects.create(organization=organization, document=document, title=title, starts_at=starts_at,
                                         ends_at=ends_at, place=place, created_by=user)
        Invitation.objects.bulk_create([Invitation(meeting=meeting, organization=o) for o in invited])
        schedule, _made = Schedule.objects.get_or_create(organization=organization,
                                                         week_start=monday(timezone.localtime(starts_at).date()))
        add_entry(schedule, user=user, starts_at=starts_at, ends_at=ends_at, place=place, content=title,
                  attendees=_("Đại diện %(n)s đơn vị được mời") % {"n": len(invited)}, meeting=meeting)
        record("meeting_created", actor=user, obj=meeting, data={"title": title, "invited": [o.id for o in invited],
                                                                 "document": document_id})
        staff = set(Membership.objects.filter(organization__in=invited, role__in=KEEPERS).values_list("user_id", flat=True))
        notify(staff, kind="meeting_invitation", title=_("Giấy mời họp: %(title)s") % {"title": title},
               body=_("Thời gian: %(when)s. Địa điểm: %(place)s. Đơn vị mời: %(org)s. Hãy xác nhận người tham dự.") % {
                   "when": _dm_hm(starts_at), "place": place, "org": organization.name},
               url=reverse("direction:meeting", args=[meeting.id]), obj=meeting)
    return meeting


def answer_invitation(meeting: Meeting, *, user, organization_id: int, state: str, attendees: str = "",
                      note: str = "") -> Invitation:
    """The invited organisation says who attends, who attends instead, or that nobody can."""
    require(has_role(user, organization_id, Role.LEADER, Role.CLERK),
            _("Chỉ lãnh đạo hoặc văn thư của đơn vị được mời xác nhận tham dự."))
    if state not in (AttendanceState.ATTENDING, AttendanceState.SUBSTITUTE, AttendanceState.ABSENT):
        raise Unprocessable(_("Hãy chọn tham dự, cử người dự thay hoặc vắng mặt."), code="invalid_attendance", details={"field": "state"})
    attendees = clean_text(attendees, field="attendees", max_length=NOTE_MAX, multiline=True, label=_("Người tham dự"))
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True, label=_("Ghi chú"))
    if state != AttendanceState.ABSENT and not attendees:
        raise Unprocessable(_("Hãy ghi họ tên, chức vụ người tham dự."), code="attendees_required", details={"field": "attendees"})
    if state == AttendanceState.ABSENT and not note:
        raise Unprocessable(_("Hãy ghi lý do vắng mặt."), code="reason_required", details={"field": "note"})
    with transaction.atomic():
        try:
            inv = Invitation.objects.select_for_update().get(meeting=meeting, organization_id=organization_id)
        except Invitation.DoesNotExist:
            raise NotFound(_("Đơn vị không được mời họp này."), code="invitation_not_found") from None
        inv.state, inv.attendees, inv.note, inv.answered_by, inv.answered_at = state, attendees, note, user, timezone.now()
        inv.save(update_fields=["state", "attendees", "note", "answered_by", "answered_at"])
        record("meeting_answered", actor=user, obj=meeting, data={"organization": organization_id, "state": state,
                                                                  "attendees": attendees})
        notify([meeting.created_by_id], kind="meeting_answered",
               title=_("%(org)s: %(state)s — %(title)s") % {"org": inv.organization.name,
                                                           "state": AttendanceState(state).label, "title": meeting.title},
               body=attendees or note, url=reverse("direction:meeting", args=[meeting.id]), obj=meeting,
               org=meeting.organization_id)
    return inv
