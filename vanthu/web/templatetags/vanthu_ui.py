"""The small set of display helpers every page uses: dates, badges."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from vanthu.documents.models import DocStatus, StatusCode, Urgency

register = template.Library()


@register.filter
def dmy(value: date | datetime | None) -> str:
    """dd/mm/yyyy, whatever the language; datetimes in Asia/Ho_Chi_Minh."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y")


@register.filter
def dmy_hm(value: datetime | None) -> str:
    if not value:
        return ""
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


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
