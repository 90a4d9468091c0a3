"""The small set of display helpers every page uses: dates, badges."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html

from vanthu.documents.models import DocStatus, StatusCode, Urgency
from vanthu.ui import formatting
from vanthu.ui.forms import date_box_attrs

register = template.Library()


@register.filter
def dmy(value: date | datetime | None) -> str:
    """dd/mm/yyyy, whatever the language; datetimes in Asia/Ho_Chi_Minh."""
    return formatting.day(value)


@register.filter
def dmy_hm(value: datetime | None) -> str:
    return formatting.day_time(value)


@register.filter
def num(value) -> str:
    """A count with thousands grouped: 1.234.567 (vi), 1,234,567 (en)."""
    return formatting.number(value)


@register.filter
def pct(value) -> str:
    """A share 0..1 as 99,4% (vi) or 99.4% (en); unknown as a dash."""
    return formatting.percent(value)


@register.simple_tag
def date_box(name: str, value: date | str | None = None, id: str = "", **attrs) -> str:
    """The date box of a form written by hand: the same control as VnDateField's (dd/mm/yyyy
    text, the calendar button of vanthu.js), holding `value` (a date, or the text typed)."""
    shown = formatting.day(value) if isinstance(value, date) else (value or "")
    extra = {k.replace("_", "-"): v for k, v in attrs.items()}
    return format_html('<input type="text" name="{}"{}>', name, flatatt({**date_box_attrs(), **({"id": id} if id else {}), "value": shown, **extra}))


@register.simple_tag
def status_badge(code: str, label: str = "") -> str:
    """A delivery status (QCVN 102 code) as a badge: the code and its meaning (or `label`: a
    second assignment reads "Phân công lại")."""
    try:
        label = label or StatusCode(code).label
    except ValueError:
        label = code
    return format_html('<span class="badge badge-s{}" title="{}"><b>{}</b> {}</span>', code, label, code, label)


@register.simple_tag
def doc_status_badge(status: str) -> str:
    try:
        label = DocStatus(status).label
    except ValueError:
        label = status
    return format_html('<span class="badge badge-doc-{}">{}</span>', status, label)


@register.simple_tag
def urgency_badge(urgency: str) -> str:
    """Only urgent documents get a badge, so that they stand out."""
    if not urgency or urgency == Urgency.NORMAL:
        return ""
    try:
        label = Urgency(urgency).label
    except ValueError:
        label = urgency
    return format_html('<span class="badge badge-u-{}">{}</span>', urgency, label)


@register.filter
def is_overdue(deadline: date | None) -> bool:
    return bool(deadline and deadline < timezone.localdate())


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (pagination links keep filters)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
