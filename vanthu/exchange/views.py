"""The exchange's HTTP endpoints: our identity and the inbox peers post to (public), and the
buttons of the document page (send again, revoke/update/replace, answer a request)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from vanthu.documents import access
from vanthu.documents.actions import Upload
from vanthu.documents.storage import write_stream
from vanthu.errors import NotAllowed, NotFound, VanThuError
from vanthu.ui.shortcuts import flash_error, page_errors

from . import actions, peerauth
from .forms import AnswerForm, RecallForm
from .inbox import stage
from .models import BusinessType, OutboxMessage
from .receiving import receive, refuse
from .site import identity

log = logging.getLogger(__name__)
READ_CHUNK = 64 * 1024
KIND_HEADER = "X-VanThu-Kind"  # what the sender says it posts: "package" (the default) or "status"


@require_GET
def identity_view(request: HttpRequest) -> JsonResponse:
    """GET /exchange/identity — public: organisations, their certificates, our endpoint."""
    return JsonResponse(identity(), json_dumps_params={"ensure_ascii": False})


def _answer(status: int, body: dict) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


class _TooBig(Exception):
    pass


class _BadMac(Exception):
    pass


class _CappedBody:
    """The request's body as a file object for the store: read in chunks, each fed to the peer's
    MAC as it passes, abandoned as soon as it passes the cap (a 500 MB body costs one chunk of
    memory and the time to notice, never 500 MB)."""

    def __init__(self, request: HttpRequest, cap: int, incoming: peerauth.Incoming) -> None:
        self.request, self.cap, self.incoming, self.total = request, cap, incoming, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.request.read(READ_CHUNK if size < 0 else min(size, READ_CHUNK))
        self.total += len(chunk)
        if self.total > self.cap:
            raise _TooBig
        self.incoming.update(chunk)
        return chunk

    def read_all(self) -> bytes:
        """The whole body in memory (a status message: a few kilobytes)."""
        return b"".join(iter(self.read, b""))


@csrf_exempt
@require_POST
def inbox_view(request: HttpRequest) -> JsonResponse:
    """POST /exchange/inbox — a peer delivers a package or a status message.

    Who it is (peerauth.py) is settled before the body is parsed: an unknown site id or a peer
    we hold no key for before a byte is read, the MAC of the body once it is read. A package's
    body is streamed to the store as it arrives, its MAC and its SHA-256 computed on the way,
    and becomes a stored file only if the MAC matches; it is then staged (queued for the
    worker's checks) and acknowledged. A status message (`X-VanThu-Kind: status`) is read,
    checked and recorded at once."""
    site = request.headers.get("X-VanThu-Site", "")[:64]
    addr = request.META.get("REMOTE_ADDR", "")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    peer = peerauth.known_peer(site)
    if peer is None:
        # Before reading a byte of the body: strangers get nothing but the refusal.
        a = refuse(403, "unknown_peer", _("Hệ thống gửi chưa được đăng ký liên thông."), site=site, remote_addr=addr, size=length)
        return _answer(a.http_status, a.body)
    if not peer.inbound_secret:
        a = refuse(403, "peer_without_key", _("Chưa có khóa xác thực với hệ thống gửi: quản trị hệ thống hãy đăng ký lại hệ thống này (vanthu peer add)."),
                   peer=peer, site=site, remote_addr=addr, size=length)
        return _answer(a.http_status, a.body)
    cap = settings.VANTHU_EXCHANGE_MAX_BODY_MB * 1024 * 1024
    too_big = _("Gói tin vượt quá %(mb)s MB.") % {"mb": settings.VANTHU_EXCHANGE_MAX_BODY_MB}
    if length > cap:
        a = refuse(413, "package_too_large", too_big, peer=peer, site=site, remote_addr=addr, size=length)
        return _answer(a.http_status, a.body)
    header = request.headers.get(peerauth.HEADER, "")
    body = _CappedBody(request, cap, peerauth.Incoming(peer))
    is_status = request.headers.get(KIND_HEADER, "") == "status"

    def admit() -> None:
        if not body.incoming.matches(header):
            raise _BadMac

    try:
        if is_status:
            data = body.read_all()
            admit()
        else:
            sha, size = write_stream(body, admit=admit)
    except _TooBig:
        a = refuse(413, "package_too_large", too_big, peer=peer, site=site, remote_addr=addr, size=cap)
        return _answer(a.http_status, a.body)
    except _BadMac:
        a = refuse(403, "bad_mac", _("Mã xác thực của gói tin không đúng: gói tin không do hệ thống liên thông đã đăng ký gửi, hoặc đã bị thay đổi trên đường truyền."),
                   peer=peer, site=site, remote_addr=addr, size=body.total)
        return _answer(a.http_status, a.body)
    if is_status:
        # A status is small and its sender must learn at once whether it applied (a 404 for a
        # document we never sent is permanent there): checked and recorded now.
        a = receive(data, peer=peer, site=site, remote_addr=addr)
    else:
        a = stage(sha, size, peer=peer, site=site, remote_addr=addr)
    return _answer(a.http_status, a.body)


@login_required
@require_POST
@page_errors
def resend_view(request: HttpRequest, message_id: int) -> HttpResponse:
    """The document page's "send again" for a package the outbox gave up on (98)."""
    m = OutboxMessage.objects.select_related("delivery__document").filter(pk=message_id, kind="package").first()
    if m is None:
        raise NotFound(_("Không tìm thấy thư liên thông."), code="message_not_found")
    access.get_document(request.user, m.delivery.document_id)  # another organisation's: 404, as if absent
    try:
        actions.resend(m, user=request.user)
    except VanThuError as exc:
        if isinstance(exc, NotFound):
            raise
        flash_error(request, exc)
    else:
        messages.success(request, _("Đã đưa văn bản vào hàng đợi gửi lại."))
    return redirect("documents:document", m.delivery.document_id)


# --- the sender's requests and the recipient's answer, as buttons on the document page ----------

def _to_document(document_id: int) -> HttpResponse:
    return redirect("documents:document", document_id)


@login_required
@require_POST
@page_errors
def recall_view(request: HttpRequest, document_id: int) -> HttpResponse:
    """The issuer's clerk revokes (1), updates (2) or replaces (3) an issued document: status 13
    at every recipient until each answers."""
    doc = access.get_document(request.user, document_id)
    form = RecallForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _to_document(doc.id)
    f = form.cleaned_data
    try:
        main_file = Upload.of(f["file"])
        requests_ = actions.request_recall(doc, user=request.user, reason=f["reason"], business_type=f["business_type"],
                                           main_file=main_file)
    except (NotFound, NotAllowed):
        raise
    except VanThuError as exc:
        flash_error(request, exc)
    else:
        label = BusinessType(f["business_type"]).label
        messages.success(request, _("Đã gửi yêu cầu %(what)s tới %(n)s nơi nhận; chờ từng nơi trả lời.")
                         % {"what": label.lower(), "n": len(requests_)})
    return _to_document(doc.id)


@login_required
@require_POST
@page_errors
def answer_view(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """The recipient's clerk agrees (15) or refuses (16) the sender's pending request."""
    delivery = access.get_delivery(request.user, delivery_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _to_document(delivery.document_id)
    agree = form.cleaned_data["answer"] == "agree"
    try:
        actions.answer_request(delivery, user=request.user, agree=agree, note=form.cleaned_data["note"])
    except (NotFound, NotAllowed):
        raise
    except VanThuError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Đã đồng ý yêu cầu của nơi gửi.") if agree else _("Đã từ chối yêu cầu của nơi gửi."))
    return _to_document(delivery.document_id)
