"""Small formatting filters of the reports pages (vanthu.ui.formatting, in the page's language)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from vanthu.ui import formatting

register = template.Library()


# The figures as every page shows them (vanthu_ui has the same), for templates that load only this:
# a share as 99,4% / 99.4%, a duration as 16,8 giờ, a count as 1.234.567 / 1,234,567.
register.filter("pct", formatting.percent)
register.filter("hours", formatting.hours)
register.filter("num", formatting.number)


@register.filter
def standing_label(value: str) -> str:
    return {"met": _("Đạt"), "not_met": _("Chưa đạt")}.get(value, _("Chưa xác định"))


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
