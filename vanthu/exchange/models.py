"""Peers, and the messages exchanged with them: the outbox (transactional) and the inbox log.

A peer is another installation. The organisations it serves are `Organization` rows of kind
`external`, linked here through `RemoteOrganization` with the certificate each signs with, so
that they appear in the recipient picker and the organisations API like local ones.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.documents.models import Delivery, Document
from vanthu.organizations.models import Organization


class Peer(models.Model):
    name = models.CharField(_("tên"), max_length=255)
    base_url = models.URLField(_("địa chỉ"), max_length=255, help_text=_("Ví dụ https://vanthu.thanhuy.hanoi.vn"))
    endpoint = models.URLField(_("địa chỉ nhận gói tin"), max_length=255)
    # The credential it presents to us: its installation identifier (X-VanThu-Site), and, when
    # set, a shared secret (Bearer). The envelope signature is checked in any case.
    site_id = models.CharField(_("mã hệ thống"), max_length=64, unique=True)
    inbound_secret = models.CharField(_("mật khẩu phía kia xuất trình"), max_length=128, blank=True)
    # The credential we present to it (besides our own site id).
    outbound_secret = models.CharField(_("mật khẩu ta xuất trình"), max_length=128, blank=True)
    is_active = models.BooleanField(_("đang liên thông"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("hệ thống liên thông")
        verbose_name_plural = _("hệ thống liên thông")

    def __str__(self) -> str:
        return self.name


class RemoteOrganization(models.Model):
    """An organisation served by a peer, with the certificate its packages are signed with."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="organizations")
    organization = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="remote")
    certificate_der = models.BinaryField(_("chứng thư ký gói tin (DER)"))
    fingerprint = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("tổ chức của hệ thống liên thông")
        verbose_name_plural = _("tổ chức của hệ thống liên thông")

    def __str__(self) -> str:
        return f"{self.organization.code} @ {self.peer}"


class MessageKind(models.TextChoices):
    PACKAGE = "package", _("Gói văn bản")
    STATUS = "status", _("Thông báo trạng thái")


class BusinessType(models.IntegerChoices):
    NEW = 0, _("Văn bản mới")
    REVOKE = 1, _("Thu hồi")
    UPDATE = 2, _("Cập nhật")
    REPLACE = 3, _("Thay thế")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Đang chờ gửi")
    SENT = "sent", _("Bên nhận đã xác nhận")
    FAILED = "failed", _("Gửi không thành công")


class OutboxQuerySet(models.QuerySet):
    def due(self, now=None) -> OutboxQuerySet:
        now = now or timezone.now()
        return self.filter(state=OutboxState.PENDING, next_attempt_at__lte=now, lease_until__lte=now)

    def pending(self) -> OutboxQuerySet:
        return self.filter(state=OutboxState.PENDING)


class OutboxMessage(models.Model):
    """One message to send to a peer, written in the transaction that caused it (invariant 1)."""

    message_id = models.UUIDField(unique=True)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="outbox")
    kind = models.CharField(max_length=8, choices=MessageKind.choices)
    # A package: the sender's delivery to the remote organisation. A status: our incoming record,
    # or none when the status refuses a staged package that never became a document (`staged`).
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.PROTECT, related_name="outbox_messages")
    # No database index or constraint of its own: adding either to the outbox's existing rows would
    # lock the table (tests/test_migrations_safe.py); the partial index `outbox_staged` serves it.
    staged = models.ForeignKey("StagedPackage", null=True, blank=True, on_delete=models.PROTECT, related_name="outbox_messages",
                               db_index=False, db_constraint=False)
    business_type = models.PositiveSmallIntegerField(choices=BusinessType.choices, default=BusinessType.NEW)
    status_code = models.CharField(max_length=2, blank=True)
    description = models.TextField(blank=True)
    staff_name = models.CharField(max_length=150, blank=True)
    state = models.CharField(max_length=8, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    # A sender holds a message while posting it; a killed sender's lease simply runs out.
    lease_until = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("thư đi liên thông")
        verbose_name_plural = _("thư đi liên thông")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
                   models.Index(fields=["staged"], condition=models.Q(staged__isnull=False), name="outbox_staged")]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id} → {self.peer}"


def next_attempts() -> models.Subquery:
    """For a Document queryset: when the outbox next tries one of its packages still waiting
    for an acknowledgement (the earliest), or None."""
    return models.Subquery(
        OutboxMessage.objects.filter(delivery__document_id=models.OuterRef("pk"), kind=MessageKind.PACKAGE,
                                     state=OutboxState.PENDING, delivery__status_code="00")
        .order_by("next_attempt_at").values("next_attempt_at")[:1])


class InboundMessage(models.Model):
    """Every message accepted from a peer: de-duplication by message id and by DocumentId."""

    message_id = models.CharField(max_length=64, unique=True)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="inbound")
    kind = models.CharField(max_length=8, choices=MessageKind.choices)
    # DocumentId × recipient code × business type (× status code for a status): one record each.
    dedupe_key = models.CharField(max_length=400, unique=True)
    document_id_text = models.CharField(max_length=255)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages")
    business_type = models.PositiveSmallIntegerField(default=0)
    status_code = models.CharField(max_length=2, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("thư đến liên thông")
        verbose_name_plural = _("thư đến liên thông")


class Refusal(models.Model):
    """A message refused at the door: kept so an administrator sees attacks and misconfiguration."""

    at = models.DateTimeField(default=timezone.now)
    peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    site_id = models.CharField(max_length=64, blank=True)
    remote_addr = models.CharField(max_length=64, blank=True)
    code = models.CharField(max_length=64)
    detail = models.TextField(blank=True)
    size = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("gói tin bị từ chối")
        verbose_name_plural = _("gói tin bị từ chối")


class StagedState(models.TextChoices):
    STAGED = "staged", _("Chờ kiểm tra")
    ACCEPTED = "accepted", _("Đã nhận")
    DUPLICATE = "duplicate", _("Đã nhận trước đó")
    REFUSED = "refused", _("Bị từ chối")


class StagedPackage(models.Model):
    """A package a peer posted, acknowledged at the door once its peer was authenticated and its
    body stored, waiting for the worker's checks (receiving.py). A refused one keeps this row for
    the administrator, never its bytes; an accepted one points at the delivery it became."""

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="staged")
    site_id = models.CharField(max_length=64, blank=True)
    remote_addr = models.CharField(max_length=64, blank=True)
    # The raw body in the file store, by its SHA-256; deleted when the package is refused.
    body_sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(default=0)
    received_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=StagedState.choices, default=StagedState.STAGED)
    processed_at = models.DateTimeField(null=True, blank=True)
    # The worker's time for the checks and the recording (for the administrator and the bench).
    processing_ms = models.PositiveIntegerField(null=True, blank=True)
    # What the package says of itself, as far as it could be read (for a refusal's status back).
    message_id = models.CharField(max_length=64, blank=True)
    document_id_text = models.CharField(max_length=255, blank=True)
    business_type = models.PositiveSmallIntegerField(default=0)
    sender_code = models.CharField(max_length=35, blank=True)
    recipient_code = models.CharField(max_length=35, blank=True)
    issued_date = models.DateField(null=True, blank=True)
    code = models.CharField(max_length=64, blank=True)  # why it was refused
    detail = models.TextField(blank=True)
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("gói tin chờ kiểm tra")
        verbose_name_plural = _("gói tin chờ kiểm tra")
        indexes = [models.Index(fields=["state", "received_at"], name="staged_state")]

    def __str__(self) -> str:
        return f"{self.document_id_text or self.body_sha256[:12]} ({self.get_state_display()})"


class RecallRequest(models.Model):
    """The sender's request to revoke, update or replace an issued document, per delivery."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="recall_requests")
    business_type = models.PositiveSmallIntegerField(choices=BusinessType.choices)
    reason = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    answer = models.CharField(max_length=2, blank=True)  # 15 agreed, 16 refused, '' waiting
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.TextField(blank=True)
    # The status the delivery had before 13, restored when the recipient refuses.
    previous_status = models.CharField(max_length=2, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
