"""The schedule's pages: the week of an organisation, one's own events, the calendar feeds, meetings."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vanthu.accounts.models import User
from vanthu.documents.models import Document
from vanthu.errors import VanThuError
from vanthu.organizations.access import has_role, member_org_ids
from vanthu.organizations.models import Organization, Role
from vanthu.organizations.session import current_org
from vanthu.ui.forms import apply_error
from vanthu.ui.shortcuts import page_errors

from . import ics
from . import schedule as sched
from .forms import AnswerForm, EntryForm, MeetingForm
from .models import AttendanceState, Entry, FeedToken, Invitation, Meeting, Schedule

WEEKDAYS = [gettext_lazy("Thứ Hai"), gettext_lazy("Thứ Ba"), gettext_lazy("Thứ Tư"), gettext_lazy("Thứ Năm"),
            gettext_lazy("Thứ Sáu"), gettext_lazy("Thứ Bảy"), gettext_lazy("Chủ nhật")]


def _week(request: HttpRequest) -> date:
    """The Monday of the week asked for (?week=YYYY-MM-DD), or of this week."""
    try:
        asked = parse_date(request.GET.get("week") or "")
    except ValueError:
        asked = None
    return sched.monday(asked or timezone.localdate())


def _aware(day: date, t) -> datetime:
    return timezone.make_aware(datetime.combine(day, t))


def _people(org: Organization):
    return User.objects.filter(memberships__organization=org, is_active=True).distinct().order_by("full_name")


def _entry_args(c: dict) -> dict:
    return {"starts_at": _aware(c["day"], c["start"]), "ends_at": _aware(c["day"], c["end"]) if c["end"] else None,
            "place": c["place"], "content": c["content"], "chair": c["chair"], "chair_user_id": c["chair_user"],
            "attendees": c["attendees"], "attendee_user_ids": c["attendee_users"], "preparer": c["preparer"]}


def _days(schedule: Schedule | None, week: date) -> list[tuple[str, date, list[Entry]]]:
    entries = list(schedule.entries.select_related("chair_user").prefetch_related("attendee_users").order_by("starts_at", "id")) \
        if schedule else []
    out = []
    for i in range(7):
        day = week + timedelta(days=i)
        out.append((str(WEEKDAYS[i]), day, [e for e in entries if timezone.localtime(e.starts_at).date() == day]))
    return out


@login_required
def week_page(request: HttpRequest) -> HttpResponse:
    orgs = sched.schedule_orgs(request.user)
    if not orgs:
        raise Http404(_("Bạn chưa thuộc đơn vị nào."))
    week = _week(request)
    chosen = request.GET.get("org", "")
    org = next((o for o in orgs if str(o.id) == chosen), None)
    if org is None:
        # One's own organisation if it keeps a schedule; else the nearest above whose week is published.
        mine = current_org(request)
        candidates = [mine, *Organization.objects.filter(id__in=mine.ancestor_ids())] if mine else orgs
        org = next((o for o in candidates if o and sched.week_of(request.user, o, week)), mine or orgs[0])
    schedule = sched.week_of(request.user, org, week)
    keeper = sched.may_keep(request.user, org.id)
    form = EntryForm(people=_people(org), initial={"day": week}) if keeper else None
    return render(request, "direction/schedule_week.html", {
        "org": org, "orgs": orgs, "week": week, "week_end": week + timedelta(days=6), "schedule": schedule,
        "days": _days(schedule, week), "keeper": keeper, "form": form,
        "leader": has_role(request.user, org.id, Role.LEADER),
        "prev": (week - timedelta(days=7)).isoformat(), "next": (week + timedelta(days=7)).isoformat()})


@login_required
@require_POST
@page_errors
def add_entry(request: HttpRequest, org_id: int) -> HttpResponse:
    org = Organization.objects.filter(id=org_id, id__in=member_org_ids(request.user)).first()
    if org is None:
        raise Http404
    form = EntryForm(request.POST, people=_people(org))
    if form.is_valid():
        week = sched.monday(form.cleaned_data["day"])
        try:
            schedule = sched.week_of(request.user, org, week, create=True)
            sched.add_entry(schedule, user=request.user, **_entry_args(form.cleaned_data))
        except VanThuError as exc:
            if exc.status == 403:
                raise
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã thêm sự kiện vào lịch."))
            return redirect(f"{reverse('direction:schedule')}?org={org.id}&week={week.isoformat()}")
    week = sched.monday(form.cleaned_data.get("day") or timezone.localdate()) if form.is_valid() else sched.monday(timezone.localdate())
    schedule = sched.week_of(request.user, org, week)
    return render(request, "direction/schedule_week.html", {
        "org": org, "orgs": sched.schedule_orgs(request.user), "week": week, "week_end": week + timedelta(days=6),
        "schedule": schedule, "days": _days(schedule, week), "keeper": True, "form": form,
        "leader": has_role(request.user, org.id, Role.LEADER),
        "prev": (week - timedelta(days=7)).isoformat(), "next": (week + timedelta(days=7)).isoformat()}, status=422)


@login_required
@page_errors
def edit_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = sched.get_entry(request.user, entry_id)
    org = entry.schedule.organization
    if not sched.may_keep(request.user, org.id):
        raise Http404
    local = timezone.localtime(entry.starts_at)
    initial = {"day": local.date(), "start": local.time(), "end": timezone.localtime(entry.ends_at).time() if entry.ends_at else None,
               "content": entry.content, "place": entry.place, "chair": entry.chair, "chair_user": entry.chair_user_id,
               "attendees": entry.attendees, "attendee_users": list(entry.attendee_users.values_list("id", flat=True)),
               "preparer": entry.preparer}
    form = EntryForm(request.POST or None, people=_people(org), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sched.update_entry(entry, user=request.user, **_entry_args(form.cleaned_data))
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã sửa sự kiện."))
            return redirect(sched.schedule_url(entry.schedule))
    return render(request, "direction/schedule_entry.html", {"entry": entry, "form": form}, status=422 if form.errors else 200)


@login_required
@require_POST
@page_errors
def cancel_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = sched.get_entry(request.user, entry_id)
    try:
        sched.cancel_entry(entry, user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("Đã hủy sự kiện."))
    except VanThuError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    return redirect(sched.schedule_url(entry.schedule))


@login_required
@require_POST
@page_errors
def change_state(request: HttpRequest, schedule_id: str, step: str) -> HttpResponse:
    schedule = sched.get_schedule(request.user, int(schedule_id))
    try:
        if step == "approve":
            sched.approve_schedule(schedule, user=request.user)
            messages.success(request, _("Đã duyệt lịch công tác tuần."))
        else:
            sched.publish_schedule(schedule, user=request.user)
            messages.success(request, _("Đã phát hành lịch công tác tuần."))
    except VanThuError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    return redirect(sched.schedule_url(schedule))


@login_required
def my_schedule(request: HttpRequest) -> HttpResponse:
    """Each person's own events (chaired or attended) of published schedules, four weeks ahead."""
    start = sched.monday(timezone.localdate())
    entries = (Entry.objects.published().for_person(request.user)
               .filter(starts_at__gte=_aware(start, datetime.min.time()), starts_at__lt=_aware(start + timedelta(days=28), datetime.min.time()))
               .select_related("schedule__organization").order_by("starts_at"))
    feed = FeedToken.objects.filter(user=request.user).first()
    org = current_org(request)
    org_feed = FeedToken.objects.filter(organization=org).first() if org and sched.may_keep(request.user, org.id) else None
    return render(request, "direction/schedule_mine.html", {
        "entries": entries, "feed": feed, "org": org, "org_feed": org_feed,
        "can_org_feed": bool(org and sched.may_keep(request.user, org.id)), "base": request.build_absolute_uri("/")[:-1]})


@login_required
@require_POST
def make_feed(request: HttpRequest) -> HttpResponse:
    if request.POST.get("what") == "organization":
        org = current_org(request)
        if org is None:
            raise Http404
        try:
            feed = sched.feed_for_organization(org, user=request.user)
        except VanThuError as exc:
            messages.error(request, exc.message)
            return redirect("direction:my_schedule")
    else:
        feed = sched.feed_for_person(request.user)
    if request.POST.get("renew"):
        sched.renew_feed(feed, user=request.user)
        messages.success(request, _("Đã đổi địa chỉ bí mật; địa chỉ cũ không dùng được nữa."))
    return redirect("direction:my_schedule")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed at its secret address (no sign-in: phone calendars cannot; the address is the key)."""
    found = FeedToken.objects.select_related("user", "organization").filter(token=token).first()
    if found is None or (found.user_id and not found.user.is_active):
        raise Http404
    name = found.user.get_full_name() if found.user_id else found.organization.name
    body = ics.render(ics.entries_for(found), name=_("Lịch công tác — %(name)s") % {"name": name})
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- meetings ------------------------------------------------------------------------------------

@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    mine = member_org_ids(request.user)
    invitations = (Invitation.objects.filter(organization_id__in=mine).select_related("meeting__organization", "organization")
                   .order_by("-meeting__starts_at")[:100])
    organised = Meeting.objects.filter(organization_id__in=mine).select_related("organization").order_by("-starts_at")[:100]
    org = current_org(request)
    return render(request, "direction/meetings.html", {"invitations": invitations, "organised": organised,
                                                       "can_invite": bool(org and sched.may_keep(request.user, org.id))})


@login_required
def new_meeting(request: HttpRequest) -> HttpResponse:
    org = current_org(request)
    if org is None or not sched.may_keep(request.user, org.id):
        return render(request, "direction/not_directing.html", status=403)
    targets = Organization.objects.active().exclude(id=org.id).filter(at_peer=False).order_by("name")
    documents = Document.objects.filter(issuer=org, status="issued").order_by("-id")[:50]
    form = MeetingForm(request.POST or None, organizations=targets, documents=documents)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            m = sched.create_meeting(user=request.user, organization=org, title=c["title"], starts_at=_aware(c["day"], c["start"]),
                                     ends_at=_aware(c["day"], c["end"]) if c["end"] else None, place=c["place"],
                                     invited_ids=[o.id for o in c["invited"]], document_id=c["document_id"])
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã gửi giấy mời họp."))
            return redirect("direction:meeting", m.id)
    return render(request, "direction/meeting_new.html", {"form": form, "org": org}, status=422 if form.errors else 200)


@login_required
@page_errors
def meeting_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = sched.get_meeting(request.user, meeting_id)
    mine = member_org_ids(request.user)
    inviting = meeting.organization_id in mine
    invitations = meeting.invitations.select_related("organization", "answered_by").order_by("organization__name")
    if not inviting:
        invitations = invitations.filter(organization_id__in=mine)
    answerable = [i for i in invitations if has_role(request.user, i.organization_id, Role.LEADER, Role.CLERK)]
    form = None
    if answerable:
        form = AnswerForm(request.POST or None, initial={"state": answerable[0].state if answerable[0].state != "pending" else None,
                                                         "attendees": answerable[0].attendees})
        if request.method == "POST" and form.is_valid():
            try:
                sched.answer_invitation(meeting, user=request.user, organization_id=answerable[0].organization_id, **form.cleaned_data)
            except VanThuError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Đã xác nhận tham dự."))
                return redirect("direction:meeting", meeting.id)
    counts = {s: sum(1 for i in invitations if i.state == s) for s in AttendanceState.values}
    return render(request, "direction/meeting.html", {"meeting": meeting, "invitations": invitations, "inviting": inviting,
                                                      "form": form, "answering": answerable[0] if answerable else None,
                                                      "counts": counts}, status=422 if form is not None and form.errors else 200)

