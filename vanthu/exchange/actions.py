"""State changes of the exchange: registering peers, recall/update/replace and their answers."""

from __future__ import annotations

from collections.abc import Sequence

import requests
from cryptography import x509
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.documents import access as doc_access
from vanthu.documents import actions as doc_actions
from vanthu.documents.models import (
    Delivery,
    DocStatus,
    Document,
    StatusCode,
)
from vanthu.errors import InvalidState, NotAllowed, Unprocessable
from vanthu.organizations.access import has_role, is_installation_admin
from vanthu.organizations.models import Organization, OrgKind, Role, validate_org_code
from vanthu.signatures import certs as C
from vanthu.signatures.ca import ensure_trust_root
from vanthu.text import NOTE_MAX, clean_text

from . import outbox, peerauth, transit
from .models import (
    BusinessType,
    MessageKind,
    OutboxMessage,
    OutboxState,
    Peer,
    RecallRequest,
    RemoteOrganization,
)
from .receiving import open_request, set_status
from .site import site_id


def _require_admin(user) -> None:
    if user is not None and not is_installation_admin(user):  # None: the `vanthu peer add` command
        raise NotAllowed(_("Chỉ quản trị hệ thống mới được đăng ký hệ thống liên thông."), code="admin_only")


def fetch_identity(url: str, *, timeout: float = 15) -> dict:
    """GET {url}/exchange/identity: the other side's public identity."""
    try:
        resp = requests.get(url.rstrip("/") + "/exchange/identity", timeout=timeout)
        resp.raise_for_status()
        data = resp.json()
    except (requests.RequestException, ValueError) as exc:
        raise Unprocessable(_("Không lấy được thông tin hệ thống %(url)s: %(err)s") % {"url": url, "err": exc}, code="peer_unreachable") from None
    if not isinstance(data, dict) or not data.get("site_id") or not isinstance(data.get("organizations"), list):
        raise Unprocessable(_("Thông tin hệ thống liên thông không hợp lệ."), code="invalid_identity")
    return data


@transaction.atomic
def register_peer(identity: dict, *, user=None, base_url: str = "", inbound_secret: str = "", outbound_secret: str = "",
                  trust_roots: bool = False) -> Peer:
    """Register (or refresh) a peer and its organisations, each as an external organisation with
    its code, so that they appear in the recipient picker and the organisations API; and the key
    that authenticates what each side posts to the other, derived from the peer's published
    exchange key (peerauth.py) unless an administrator gives the keys."""
    _require_admin(user)
    if identity["site_id"] == site_id():
        raise Unprocessable(_("Không thể đăng ký chính hệ thống này làm hệ thống liên thông."), code="peer_is_self")
    if identity.get("exchange_key"):
        try:
            derived = peerauth.derive_key(str(identity["exchange_key"]), str(identity["site_id"])[:64])
        except ValueError:
            raise Unprocessable(_("Khóa liên thông của hệ thống %(site)s không hợp lệ.") % {"site": str(identity["site_id"])[:64]},
                                code="invalid_identity") from None
        inbound_secret, outbound_secret = inbound_secret or derived, outbound_secret or derived
    peer, created = Peer.objects.update_or_create(
        site_id=str(identity["site_id"])[:64],
        defaults=dict(name=str(identity.get("name") or base_url)[:255], base_url=(base_url or identity.get("base_url", ""))[:255],
                      endpoint=str(identity.get("endpoint") or "")[:255], is_active=True,
                      **({"inbound_secret": inbound_secret} if inbound_secret else {}),
                      **({"outbound_secret": outbound_secret} if outbound_secret else {})),
    )
    codes = []
    for item in identity["organizations"]:
        code = str(item.get("code", "")).strip().upper()
        try:
            validate_org_code(code)
            cert = x509.load_der_x509_certificate(C.unb64(item["certificate"]))
        except Exception:
            raise Unprocessable(_("Tổ chức %(code)s của hệ thống liên thông không hợp lệ.") % {"code": code[:40]}, code="invalid_identity") from None
        org = Organization.objects.filter(code=code).first()
        if org is not None and org.kind != OrgKind.EXTERNAL and org.memberships.exists():
            raise Unprocessable(_("Mã %(code)s đã là của một tổ chức trong hệ thống này.") % {"code": code}, code="code_conflict")
        fields = dict(kind=OrgKind.EXTERNAL, name=str(item.get("name", code))[:255], short_name=str(item.get("short_name", ""))[:32] or code[:32], is_active=True)
        if org is None:
            org = Organization.objects.create(code=code, **fields)
        else:
            Organization.objects.filter(pk=org.pk).update(**fields)
        der = C.der(cert)
        RemoteOrganization.objects.update_or_create(organization=org, defaults=dict(peer=peer, certificate_der=der, fingerprint=C.fingerprint(der)))
        codes.append(code)
    # Organisations the peer no longer serves stop appearing as recipients.
    gone = RemoteOrganization.objects.filter(peer=peer).exclude(organization__code__in=codes)
    Organization.objects.filter(remote__in=gone).update(is_active=False)
    mark_served_organizations()
    if trust_roots:
        # Only on the administrator's say-so: the peer's roots then validate its PDF signatures.
        for pem in identity.get("trust_roots") or []:
            _trust_quietly(pem, peer)
    record("peer_registered", actor=user, obj=peer, data={"site_id": peer.site_id, "organizations": codes, "created": created})
    return peer


def mark_served_organizations() -> int:
    """Keep `Organization.at_peer` current: true exactly for the organisations an active peer
    serves (issuing reads it to start their deliveries at 00). Call after any change to peers."""
    served = RemoteOrganization.objects.filter(organization=OuterRef("pk"), peer__is_active=True)
    return Organization.objects.exclude(at_peer=Exists(served)).update(at_peer=Exists(served))


def _trust_quietly(pem: str, peer: Peer) -> None:
    for cert in C.load_certificates(pem.encode()):
        ensure_trust_root(cert, f"{peer.name} (liên thông)")


def add_peer(url: str, *, user=None, trust_roots: bool = False, inbound_secret: str = "", outbound_secret: str = "") -> Peer:
    """`vanthu peer add URL`: fetch the identity, then register it."""
    return register_peer(fetch_identity(url), user=user, base_url=url.rstrip("/"), trust_roots=trust_roots,
                         inbound_secret=inbound_secret, outbound_secret=outbound_secret)


@transaction.atomic
def request_recall(document: Document, *, user, reason: str, business_type: int = BusinessType.REVOKE,
                   main_file: doc_actions.Upload | None = None, attachments: Sequence[doc_actions.Upload] = ()) -> list[RecallRequest]:
    """The issuer's clerk asks every recipient to revoke (1), or sends an update (2) or a
    replacement (3) with new files: status 13 on each delivery until the recipient answers."""
    # Locked here, inside the action's transaction (a lock taken by the caller outside one is an
    # error on PostgreSQL), and read again: its status is what the checks below must see.
    document = Document.objects.select_for_update(of=("self",)).select_related("issuer", "doc_type").get(pk=document.pk)
    if not has_role(user, document.issuer_id or 0, Role.CLERK):
        raise NotAllowed(_("Chỉ văn thư đơn vị ban hành mới được thu hồi, cập nhật hoặc thay thế văn bản."), code="role_not_allowed")
    if document.status != DocStatus.ISSUED:
        raise InvalidState(_("Chỉ thu hồi, cập nhật, thay thế được văn bản đã phát hành."), code="invalid_document_status")
    if business_type not in (BusinessType.REVOKE, BusinessType.UPDATE, BusinessType.REPLACE):
        raise Unprocessable(_("Loại nghiệp vụ không hợp lệ."), code="invalid_business_type")
    if doc_access.handed_over(document.id, document.issuer_id):
        raise InvalidState(_("Văn bản đã nộp lưu, chỉ được đọc: không thu hồi, cập nhật, thay thế được."), code="document_handed_over")
    reason = clean_text(reason, field="reason", max_length=NOTE_MAX, multiline=True, label=_("Lý do"))
    if not reason:
        raise Unprocessable(_("Hãy ghi lý do."), code="reason_required", details={"field": "reason"})
    if business_type != BusinessType.REVOKE:
        doc_actions.add_version(document, doc_actions.inspect_uploads(main_file, attachments))
    deliveries = list(Delivery.objects.select_for_update().filter(document=document).exclude(status_code__in=[StatusCode.REJECTED, StatusCode.RECALL_AGREED]))
    if not deliveries:
        raise InvalidState(_("Không còn nơi nhận nào giữ văn bản này (đã từ chối hoặc đã đồng ý thu hồi)."), code="no_recipient_left")
    if any(d.recall_requests.filter(answer="").exists() for d in deliveries):
        raise InvalidState(_("Đang chờ nơi nhận trả lời yêu cầu trước."), code="request_pending")
    requests_ = [open_request(d, business_type=business_type, reason=reason, user=user) for d in deliveries]
    outbox.queue_packages(document, deliveries, business_type=business_type, reason=reason)
    return requests_


@transaction.atomic
def answer_request(delivery: Delivery, *, user, agree: bool, note: str = "") -> RecallRequest:
    """The recipient's clerk agrees (15) or refuses (16); the answer goes back to the sender."""
    if not has_role(user, delivery.recipient_id, Role.CLERK):
        raise NotAllowed(_("Chỉ văn thư đơn vị nhận mới được trả lời yêu cầu thu hồi."), code="role_not_allowed")
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True, label=_("Ghi chú"))
    delivery = Delivery.objects.select_for_update().select_related("document").get(pk=delivery.pk)
    req = delivery.recall_requests.filter(answer="").order_by("-requested_at", "-id").first()
    if req is None:
        raise InvalidState(_("Không có yêu cầu thu hồi, cập nhật hay thay thế nào đang chờ."), code="no_pending_request")
    now = timezone.now()
    code = StatusCode.RECALL_AGREED if agree else StatusCode.RECALL_REFUSED
    req.answer, req.answered_at, req.answer_note = code, now, note
    req.save(update_fields=["answer", "answered_at", "answer_note"])
    # A refusal leaves the document with the recipient where it stood; the 16 stays in the history
    # (and goes back to the sender, as every answer does: the outbox follows the move).
    set_status(delivery, code, note=req.answer_note, user=user, at=now,
               stays_at=(req.previous_status or None) if not agree else None)
    if agree and delivery.document.issuer_id is None:
        # The recipient's own copy of a document from a peer follows the sender's request.
        doc_actions.follow_sender(delivery.document, revoked=req.business_type == BusinessType.REVOKE)
    record("exchange_request_answered", actor=user, obj=delivery, data={"answer": code, "business_type": req.business_type})
    return req


@transaction.atomic
def resend(message: OutboxMessage, *, user) -> OutboxMessage:
    """A clerk sends a failed message again (after the peer's administrator fixed the cause)."""
    org_id = message.delivery.document.issuer_id if message.kind == MessageKind.PACKAGE else message.delivery.recipient_id
    if not has_role(user, org_id or 0, Role.CLERK):
        raise NotAllowed(_("Chỉ văn thư mới được gửi lại."), code="role_not_allowed")
    if message.state != OutboxState.FAILED:
        raise InvalidState(_("Chỉ gửi lại được thư gửi không thành công."), code="not_failed")
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.PENDING, created_at=now, next_attempt_at=now, lease_until=now, last_error="")
    if message.kind == MessageKind.PACKAGE and message.business_type == BusinessType.NEW:
        transit.resending(message.delivery_id, by_name=user.get_full_name() if user else "")
    record("exchange_message_resent", actor=user, obj=message)
    outbox._wake_sender()
    message.refresh_from_db()
    return message
