"""iCalendar feeds (RFC 5545) of one person's events or one organisation's, read by phone calendars.

Each event keeps its UID for life and raises its SEQUENCE at every change, so that a calendar
that subscribed updates the event it has instead of adding another; a cancelled event stays in
the feed as STATUS:CANCELLED. Times are written in UTC (no VTIMEZONE needed); lines are folded at
75 octets without splitting a UTF-8 character (§3.1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Entry, FeedToken, Invitation, ScheduleState

PAST_DAYS = 60
FUTURE_DAYS = 370


def _utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    out, current = [], b""
    for ch in line:
        b = ch.encode()
        limit = 75 if not out else 74  # continuation lines start with a space
        if len(current) + len(b) > limit:
            out.append(current.decode())
            current = b""
        current += b
    out.append(current.decode())
    return "\r\n ".join(out)


def entries_for(feed: FeedToken) -> QuerySet[Entry]:
    now = timezone.now()
    qs = Entry.objects.filter(starts_at__gte=now - timedelta(days=PAST_DAYS), starts_at__lte=now + timedelta(days=FUTURE_DAYS))
    if feed.user_id:
        return qs.filter(schedule__state=ScheduleState.PUBLISHED).for_person(feed.user).select_related("schedule__organization")
    invited = Invitation.objects.filter(organization_id=feed.organization_id).values("meeting_id")
    return qs.filter(Q(schedule__organization_id=feed.organization_id, schedule__state=ScheduleState.PUBLISHED)
                     | Q(meeting_id__in=invited)).select_related("schedule__organization").distinct()


def render(entries: Iterable[Entry], *, name: str) -> str:
    stamp = _utc(timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//VanThu//Lich cong tac//VI", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_text(name)}", "X-WR-TIMEZONE:Asia/Ho_Chi_Minh"]
    for e in entries:
        details = [p for p in (f"Chủ trì: {e.chair}" if e.chair else "", f"Thành phần: {e.attendees}" if e.attendees else "",
                               f"Chuẩn bị: {e.preparer}" if e.preparer else "", f"Lịch của: {e.schedule.organization.name}") if p]
        lines += ["BEGIN:VEVENT", f"UID:{e.uid}", f"DTSTAMP:{stamp}", f"DTSTART:{_utc(e.starts_at)}",
                  f"DTEND:{_utc(e.ends_at or e.starts_at + timedelta(hours=1))}", f"SEQUENCE:{e.sequence}",
                  f"LAST-MODIFIED:{_utc(e.updated_at)}", f"SUMMARY:{_text(e.content.splitlines()[0] if e.content else '')}",
                  f"STATUS:{'CANCELLED' if e.cancelled else 'CONFIRMED'}"]
        if e.place:
            lines.append(f"LOCATION:{_text(e.place)}")
        lines.append(f"DESCRIPTION:{_text(chr(10).join([e.content, *details]))}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
