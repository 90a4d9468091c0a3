"""One's own notifications in the API: list, count, mark read, and how one wants them."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema
from pydantic import Field

from . import access, actions, kinds
from .models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    url: str
    organization_id: int | None
    created_at: datetime
    read: bool


class NotificationList(Schema):
    items: list[NotificationOut]
    count: int
    unread: int


class ListIn(Schema):
    unread: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class PreferenceOut(Schema):
    kind: str
    label: str
    channel: str


class PreferencesOut(Schema):
    items: list[PreferenceOut]
    email: str


class PreferencesIn(Schema):
    channels: dict[str, str]


def out(n: Notification) -> dict:
    notice = n.notice
    return {"id": n.id, "kind": notice.kind, "kind_label": kinds.label(notice.kind), "title": notice.title, "body": notice.body,
            "url": notice.url, "organization_id": notice.organization_id, "created_at": notice.created_at, "read": n.read_at is not None}


@router.get("/notifications", response=NotificationList, summary="Thông báo của tôi")
def list_notifications(request, params: Query[ListIn]):
    qs = Notification.objects.for_user(request.user)
    if params.unread:
        qs = qs.unread()
    items = [out(n) for n in qs.newest_first()[params.offset:params.offset + params.limit]]
    return {"items": items, "count": qs.count(), "unread": access.unread_count(request.user)}


@router.get("/notifications/unread-count", response=UnreadOut, summary="Số thông báo chưa đọc")
def unread_count(request):
    return {"unread": access.unread_count(request.user)}


@router.post("/notifications/read-all", response=MarkedOut, summary="Đánh dấu mọi thông báo đã đọc")
def read_all(request):
    return {"marked": actions.mark_all_read(user=request.user)}


@router.post("/notifications/{notification_id}/read", response=NotificationOut, summary="Đánh dấu đã đọc")
def read(request, notification_id: int):
    return out(actions.mark_read(access.get_notification(request.user, notification_id), user=request.user))


def _preferences(user) -> dict:
    channels = actions.channels_of(user)
    return {"items": [{"kind": k.code, "label": str(k.label), "channel": channels[k.code]} for k in kinds.all_kinds()],
            "email": user.email}


@router.get("/notifications/preferences", response=PreferencesOut, summary="Cách tôi nhận thông báo")
def get_preferences(request):
    return _preferences(request.user)


@router.put("/notifications/preferences", response=PreferencesOut, summary="Đổi cách nhận thông báo")
def put_preferences(request, payload: PreferencesIn):
    """`channels`: kind → `app` (in the app only), `email` (a mail at once) or `digest` (one mail a day)."""
    actions.set_preferences(user=request.user, channels=payload.channels)
    return _preferences(request.user)
