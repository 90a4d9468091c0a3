"""`{% signature_badge document %}`: the signature status of the file that counts, with details."""

from datetime import datetime

from django import template
from django.utils.dateparse import parse_datetime

from vanthu.signatures.access import may_reverify
from vanthu.signatures.actions import signature_report
from vanthu.signatures.signing import vn_time

register = template.Library()


@register.inclusion_tag("signatures/badge.html", takes_context=True)
def signature_badge(context, document) -> dict:
    """The verdict of the file that counts; "waiting" while its check has not run yet; the
    re-check button for a clerk of the sender or of a recipient."""
    request = context.get("request")
    user = getattr(request, "user", None)
    report = signature_report(document)
    return {
        "report": report, "document": document, "csrf_token": context.get("csrf_token"),
        "waiting": report is None and document.authoritative is not None,
        "can_reverify": user is not None and document.authoritative is not None and may_reverify(user, document),
    }


@register.filter
def moment(value: datetime | str | None) -> str:
    """A moment (or its ISO 8601 text, as reports keep it) as people read it: 07/12/2026 11:29."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return vn_time(value) if value else ""
