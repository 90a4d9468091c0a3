"""A person's notifications are theirs alone: another's answers as one that does not exist."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vanthu.errors import NotFound

from .models import Notification


def get_notification(user, notification_id: int) -> Notification:
    found = Notification.objects.select_related("notice").filter(pk=notification_id, user=user).first() if user.is_authenticated else None
    if found is None:
        raise NotFound(_("Không tìm thấy thông báo."), code="notification_not_found")
    return found


def unread_count(user) -> int:
    """The bell: a count read from the partial index of unread rows alone."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
