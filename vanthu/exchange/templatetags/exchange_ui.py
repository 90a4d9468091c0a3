"""The exchange's parts of the document page: the transport note under a recipient at a peer whose
package is not acknowledged yet (00) or was given up (98), with a clerk's button to send again;
the issuer's revoke / update / replace; the recipient's answer to such a request."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from vanthu.documents.models import Delivery, DocStatus, StatusCode
from vanthu.organizations.access import has_role
from vanthu.organizations.models import Role

from ..forms import RecallForm
from ..models import BusinessType, MessageKind, OutboxMessage, OutboxState, RecallRequest

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
            "Hệ thống nơi nhận chưa trả lời sau %(n)s lần thử; sẽ tự động gửi lại lúc %(t)s.")
            % {"n": row.attempts, "t": _hm(row.next_attempt_at)})
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


@register.inclusion_tag("exchange/_requests.html", takes_context=True)
def sender_requests(context, doc) -> dict:
    """Under the recipients of an issued document, for its issuer: the pending request and how
    many recipients have answered, and for a clerk the form to revoke, update or replace."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if doc.status != DocStatus.ISSUED or user is None or not context.get("is_sender"):
        return {"show": False}
    latest = (RecallRequest.objects.filter(delivery__document_id=doc.pk).order_by("-requested_at", "-id")
              .values("business_type", "reason", "requested_at").first())
    # One request at a time (request_recall refuses a second while one waits): what waits is the latest's.
    pending = RecallRequest.objects.filter(delivery__document_id=doc.pk, answer="").count() if latest else 0
    return {"show": True, "doc": doc, "request": request, "latest": latest, "pending": pending,
            "kind": BusinessType(latest["business_type"]).label if latest else "",
            "can_request": pending == 0 and has_role(user, doc.issuer_id or 0, Role.CLERK) and Delivery.objects.filter(
                document_id=doc.pk).exclude(status_code__in=[StatusCode.REJECTED, StatusCode.RECALL_AGREED]).exists(),
            "form": RecallForm(), "max_mb": settings.MAX_UPLOAD_MB}


@register.inclusion_tag("exchange/_answer.html", takes_context=True)
def request_answer(context, delivery) -> dict:
    """In the recipient's card: the sender's pending request, and for a clerk agree / refuse."""
    if delivery.status_code != StatusCode.RECALL_REQUESTED:
        return {"pending": None}
    request = context.get("request")
    user = getattr(request, "user", None)
    pending = delivery.recall_requests.filter(answer="").order_by("-requested_at", "-id").first()
    return {"pending": pending, "delivery": delivery, "request": request,
            "kind": BusinessType(pending.business_type).label if pending else "",
            "can_answer": pending is not None and user is not None and has_role(user, delivery.recipient_id, Role.CLERK)}



def _hm(at) -> str:
    local = timezone.localtime(at)
    return local.strftime("%H:%M") if local.date() == timezone.localdate() else local.strftime("%d/%m/%Y %H:%M")
