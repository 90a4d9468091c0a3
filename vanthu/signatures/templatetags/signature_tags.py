"""`{% signature_badge document %}`: the signature status of the file that counts, with details."""

from datetime import datetime

from django import template
from django.utils.dateparse import parse_datetime

from vanthu.signatures.actions import signature_report
from vanthu.signatures.signing import vn_time

register = template.Library()


@register.inclusion_tag("signatures/badge.html")
def signature_badge(document) -> dict:
    return {"report": signature_report(document)}


@register.filter
def moment(value: datetime | str | None) -> str:
    """A moment (or its ISO 8601 text, as reports keep it) as people read it: 07/12/2026 11:29."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return vn_time(value) if value else ""
