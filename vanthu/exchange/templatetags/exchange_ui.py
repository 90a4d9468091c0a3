"""The transport note under a recipient at a peer whose package is not acknowledged yet (00) or
was given up (98): how many attempts, the last error, and for a clerk a button to send again."""

from __future__ import annotations

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from vanthu.documents.models import StatusCode
from vanthu.organizations.access import has_role
from vanthu.organizations.models import Role

from ..models import MessageKind, OutboxMessage, OutboxState

register = template.Library()


@register.simple_tag(takes_context=True)
def transit_note(context, delivery) -> str:
    # Only rows in transit cost a query: a document to 150 local recipients costs none.
    if delivery.status_code not in (StatusCode.SENDING, StatusCode.SEND_FAILED):
        return ""
    row = (OutboxMessage.objects.filter(delivery_id=delivery.pk, kind=MessageKind.PACKAGE, business_type=0)
           .order_by("-id").first())
    if row is None:
        return ""
    if row.state == OutboxState.PENDING:
        if not row.attempts:
            return format_html('<br><small class="transit">{}</small>', _("Đang chờ hệ thống nơi nhận xác nhận."))
        return format_html('<br><small class="transit">{}</small>', _(
            "Hệ thống nơi nhận chưa trả lời sau %(n)s lần thử; sẽ tự động gửi lại.") % {"n": row.attempts})
    if row.state != OutboxState.FAILED:
        return ""
    request = context.get("request")
    note = format_html('<br><small class="transit error">{} {}</small>',
                       _("Không gửi được sau %(n)s lần thử.") % {"n": row.attempts}, row.last_error[:300])
    user = getattr(request, "user", None)
    if user is None or not has_role(user, delivery.document.issuer_id or 0, Role.CLERK):
        return note
    return format_html(
        '{}<form method="post" action="{}" class="inline"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button type="submit" class="btn btn-small">{}</button></form>',
        note, reverse("exchange-resend", args=[row.pk]), get_token(request), _("Gửi lại"))
