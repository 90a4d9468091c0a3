"""`{% notification_bell %}`: the header's bell with the unread count (one index-only count)."""

from __future__ import annotations

from django import template

from vanthu.notifications.access import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context) -> dict:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return {"hidden": True}
    return {"unread": unread_count(user)}
