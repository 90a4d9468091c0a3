"""Small formatting filters of the reports pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value) -> str:
    """A share 0..1 as a percentage; an unknown share as a dash."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def hours(value) -> str:
    if value is None:
        return "—"
    if value < 1:
        return _("%(m)s phút") % {"m": round(value * 60)}
    return _("%(h)s giờ") % {"h": f"{value:.1f}"}


@register.filter
def standing_label(value: str) -> str:
    return {"met": _("Đạt"), "not_met": _("Chưa đạt")}.get(value, _("Chưa xác định"))


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
