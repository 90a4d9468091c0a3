"""Small formatting filters of the reports pages (vanthu.ui.formatting, in the page's language)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from vanthu.ui import formatting

register = template.Library()


@register.filter
def pct(value) -> str:
    """A share 0..1 as a percentage (99,4% / 99.4%); an unknown share as a dash."""
    return formatting.percent(value)


@register.filter
def hours(value) -> str:
    """A duration in hours: 16,8 giờ, or minutes below an hour; unknown as a dash."""
    return formatting.hours(value)


@register.filter
def num(value) -> str:
    """A count with thousands grouped: 1.234.567 / 1,234,567."""
    return formatting.number(value)


@register.filter
def standing_label(value: str) -> str:
    return {"met": _("Đạt"), "not_met": _("Chưa đạt")}.get(value, _("Chưa xác định"))


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
