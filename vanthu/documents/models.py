"""Documents, their files, registers and numbering, and deliveries to recipients.

A `Delivery` is one document addressed to one recipient organisation. For the sender it is a row
of the recipients table; for the recipient it is the incoming record (số đến, handling). Paper
documents registered by a clerk are deliveries too, with `source = paper`, so that incoming
registers and statistics count both the same way.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.organizations.models import Organization

from .classification import ORDINARY


class DocumentType(models.Model):
    code = models.CharField(_("ký hiệu"), max_length=16, unique=True)
    name = models.CharField(_("tên loại"), max_length=128)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=100)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("loại văn bản")
        verbose_name_plural = _("loại văn bản")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Urgency(models.TextChoices):
    NORMAL = "thuong", _("Thường")
    URGENT = "khan", _("Khẩn")
    VERY_URGENT = "thuong_khan", _("Thượng khẩn")
    FLASH = "hoa_toc", _("Hỏa tốc")


URGENCY_PRIORITY = {Urgency.NORMAL: 0, Urgency.URGENT: 1, Urgency.VERY_URGENT: 2, Urgency.FLASH: 3}


class DocStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    SUBMITTED = "submitted", _("Chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    ISSUING = "issuing", _("Đang phát hành")  # numbered, its sealed copy not yet made (actions.issue_document)
    ISSUED = "issued", _("Đã phát hành")
    REVOKED = "revoked", _("Đã thu hồi")
    EXTERNAL = "external", _("Văn bản của cơ quan ngoài")


class DocSource(models.TextChoices):
    INTERNAL = "internal", _("Soạn trên hệ thống")
    PAPER = "paper", _("Đăng ký từ bản giấy")
    PEER = "peer", _("Nhận từ hệ thống khác")


class SigningForm(models.TextChoices):
    """How a leader signs (thẩm quyền ký, Hướng dẫn 36-HD/VPTW): for the collective, for the
    head, by order, by authorisation, as acting head; or in their own name."""

    OWN = "", _("Ký trực tiếp")
    ON_BEHALF = "T/M", _("T/M – Thay mặt")
    FOR_HEAD = "K/T", _("K/T – Ký thay")
    BY_ORDER = "T/L", _("T/L – Thừa lệnh")
    AUTHORISED = "T/U", _("T/U – Thừa ủy quyền")
    ACTING = "Q.", _("Q. – Quyền")


class SignatoryQuerySet(models.QuerySet):
    def of_organization(self, org_id: int) -> SignatoryQuerySet:
        """Who may sign for the organisation today: active, and within the period of authority if one is set."""
        today = timezone.localdate()
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=today),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=today),
            organization_id=org_id, is_active=True, user__is_active=True,
        )

    def with_user(self) -> SignatoryQuerySet:
        return self.select_related("user").order_by("sort_order", "id")


class Signatory(models.Model):
    """A leader of an organisation with signing authority, and how they sign: the drafter picks
    one of these, and only that leader (or one standing in, recorded as such) approves and signs."""

    organization = models.ForeignKey(Organization, verbose_name=_("tổ chức"), on_delete=models.CASCADE, related_name="signatories")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ký"), on_delete=models.CASCADE, related_name="+")
    form = models.CharField(_("hình thức ký"), max_length=8, choices=SigningForm.choices, blank=True)
    # For whom the form speaks: "BAN THƯỜNG VỤ" (T/M), "BÍ THƯ" (K/T), "ĐẢNG ỦY" …
    on_behalf_of = models.CharField(_("thay mặt, ký thay cho"), max_length=96, blank=True)
    position = models.CharField(_("chức vụ"), max_length=128, blank=True)
    is_active = models.BooleanField(_("đang có thẩm quyền"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=10)
    # The period of authority (a term, a decision's dates); empty ends are open.
    valid_from = models.DateField(_("có thẩm quyền từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    objects = SignatoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("thẩm quyền ký")
        verbose_name_plural = _("thẩm quyền ký")
        indexes = [models.Index(fields=["organization", "is_active", "sort_order"], name="signatory_org")]
        constraints = [models.UniqueConstraint(fields=["organization", "user", "form", "on_behalf_of"], name="signatory_unique")]

    def __str__(self) -> str:
        return " · ".join(x for x in (self.authority, self.position, self.user.get_full_name()) if x)

    @property
    def authority(self) -> str:
        """"T/M BAN THƯỜNG VỤ", as the signature block prints it."""
        return f"{self.form} {self.on_behalf_of}".strip()


DELEGATION_FORMS = (SigningForm.FOR_HEAD, SigningForm.ACTING)


class DelegationQuerySet(models.QuerySet):
    def active_on(self, day) -> DelegationQuerySet:
        """Delegations in force on `day` (both ends included), not cancelled."""
        return self.filter(revoked_at__isnull=True, starts_on__lte=day, ends_on__gte=day)


class Delegation(models.Model):
    """A leader going away lets a named deputy of the same organisation approve and sign, for a
    period, the documents submitted for the leader's signature (K/T: signs for; Q.: acting). The
    deputy then stands in (`Document.stood_in_for`), and the document keeps which delegation
    allowed it. Never deleted: a delegation ended early is cancelled (`revoked_at`)."""

    organization = models.ForeignKey(Organization, verbose_name=_("tổ chức"), on_delete=models.CASCADE, related_name="+")
    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ủy quyền"), on_delete=models.PROTECT, related_name="+")
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người được ủy quyền"), on_delete=models.PROTECT, related_name="+")
    form = models.CharField(_("hình thức ký"), max_length=8, choices=[(f.value, f.label) for f in DELEGATION_FORMS])
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    # The deputy's own position, printed under "K/T BÍ THƯ" ("PHÓ BÍ THƯ"); none under "Q.".
    position = models.CharField(_("chức vụ người được ủy quyền"), max_length=128, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("thời điểm hủy"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("ủy quyền ký")
        verbose_name_plural = _("ủy quyền ký")
        indexes = [
            # Approval asks: is this deputy standing in for that leader today?
            models.Index(fields=["organization", "delegator", "deputy", "ends_on"], name="delegation_lookup"),
            # The leader's page: their delegations, newest first.
            models.Index(fields=["organization", "delegator", "-starts_on"], name="delegation_by_leader"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="delegation_period")]

    def __str__(self) -> str:
        return f"{self.form} {self.delegator} → {self.deputy} ({self.starts_on}–{self.ends_on})"


class StoredFile(models.Model):
    """A file's bytes, addressed by SHA-256. Never overwritten; many documents may share one."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=64, default="application/pdf")
    page_count = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True, help_text="Extracted text layer, for search.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class DocumentQuerySet(models.QuerySet):
    def with_related(self) -> DocumentQuerySet:
        return self.select_related("issuer", "doc_type", "created_by", "submitted_by")

    def issued_by(self, org_id: int) -> DocumentQuerySet:
        return self.filter(issuer_id=org_id)

    def approval_queue(self) -> DocumentQuerySet:
        """Drafts waiting for a leader: the most urgent first (hỏa tốc, thượng khẩn, khẩn), then
        the oldest submission. Combine with issued_by."""
        rank = models.Case(*(models.When(urgency=u.value, then=models.Value(p)) for u, p in URGENCY_PRIORITY.items()),
                           default=models.Value(0), output_field=models.IntegerField())
        return (self.filter(status=DocStatus.SUBMITTED).select_related("submitted_by")
                .order_by(rank.desc(), models.F("submitted_at").asc(nulls_last=True), "id"))

    def with_send_failed(self) -> DocumentQuerySet:
        """Each document's `send_failed` (a recipient's package was given up: 98) and
        `not_acknowledged` (a recipient at another installation still has not acknowledged it,
        past the first attempts: 00 for longer than UNACKNOWLEDGED_AFTER).

        Each an EXISTS per row, answered from a partial index holding only the rare 98 or 00
        rows, so a page of documents costs one statement whatever the number of recipients."""
        return self.annotate(send_failed=_send_failed_exists(), not_acknowledged=_not_acknowledged_exists())

    def send_failed(self) -> DocumentQuerySet:
        """Only documents with a recipient at 98. Combine with issued_by: the issuer's own only."""
        return self.filter(_send_failed_exists())

    def not_delivered(self) -> DocumentQuerySet:
        """Documents with a recipient the package has not reached: given up (98), or still
        unacknowledged after the first attempts. Combine with issued_by."""
        return self.filter(_send_failed_exists() | _not_acknowledged_exists())


# A package to another installation is acknowledged within seconds when all is well; after the
# first few attempts (the outbox retries at once, then backs off), a silence is worth a look.
UNACKNOWLEDGED_AFTER = timedelta(minutes=5)


def _send_failed_exists() -> models.Exists:
    return models.Exists(Delivery.objects.filter(document_id=models.OuterRef("pk"), status_code=StatusCode.SEND_FAILED))


def _not_acknowledged_exists() -> models.Exists:
    return models.Exists(Delivery.objects.filter(document_id=models.OuterRef("pk"), status_code=StatusCode.SENDING,
                                                 updated_at__lt=timezone.now() - UNACKNOWLEDGED_AFTER))


class Document(models.Model):
    issuer = models.ForeignKey(Organization, verbose_name=_("cơ quan ban hành"), null=True, blank=True, on_delete=models.PROTECT, related_name="issued_documents")
    # For documents from outside VanThu (registered from paper): who sent them, as written.
    external_issuer_name = models.CharField(_("cơ quan gửi"), max_length=255, blank=True)
    external_issuer_code = models.CharField(_("mã cơ quan gửi"), max_length=35, blank=True)
    doc_type = models.ForeignKey(DocumentType, verbose_name=_("loại văn bản"), on_delete=models.PROTECT)
    subject = models.TextField(_("trích yếu"))
    urgency = models.CharField(_("độ khẩn"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("trạng thái"), max_length=16, choices=DocStatus.choices, default=DocStatus.DRAFT)
    source = models.CharField(_("nguồn"), max_length=16, choices=DocSource.choices, default=DocSource.INTERNAL)
    # The marking the document entered with, normalised (classification.check_marking): only the
    # ordinary level ever enters (invariant 5), and a received document keeps it as marked.
    confidentiality = models.CharField(_("độ mật"), max_length=16, choices=[(ORDINARY, _("Thường"))], default=ORDINARY)

    register_key = models.CharField(max_length=64, blank=True)
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    symbol = models.CharField(_("số và ký hiệu"), max_length=64, blank=True)
    issued_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issued_at = models.DateTimeField(_("thời điểm phát hành"), null=True, blank=True)
    place = models.CharField(_("địa danh"), max_length=64, blank=True)

    signer_authority = models.CharField(_("thẩm quyền ký"), max_length=128, blank=True, help_text=_("Ví dụ T/M BAN THƯỜNG VỤ"))
    signer_position = models.CharField(_("chức vụ người ký"), max_length=128, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=128, blank=True)
    # The leader the drafter chose (with the authority and position above). Only they, or a
    # leader standing in for them (`stood_in_for` keeps whom), approve and sign; `signer_name`
    # is then the name in the certificate that signed.
    signatory = models.ForeignKey(Signatory, verbose_name=_("thẩm quyền ký"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ký"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    stood_in_for = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ký thay cho"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # When the stand-in was the deputy a leader named while away: the delegation that allowed it.
    delegation = models.ForeignKey(Delegation, verbose_name=_("ủy quyền ký"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(_("hạn xử lý"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("số trang"), default=0)

    recipients = models.ManyToManyField(Organization, verbose_name=_("nơi nhận"), blank=True, related_name="+")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Who put it in the leaders' queue (the queue shows it: the leader may want to ask them).
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The last time a leader returned the draft: who, when and why (shown while it is a draft).
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    returned_at = models.DateTimeField(_("thời điểm trả lại"), null=True, blank=True)
    return_note = models.TextField(_("lý do trả lại"), blank=True)
    # The file that counts (the last signed version); None means the main upload counts.
    authoritative_file = models.ForeignKey("DocumentFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        indexes = [
            models.Index(fields=["issuer", "status", "-created_at"], name="doc_issuer_status"),
            models.Index(fields=["issuer", "-issued_at"], name="doc_issuer_issued"),
            # The outgoing list (page and API): newest first without sorting all of an issuer's documents.
            models.Index(fields=["issuer", "-created_at", "-id"], name="doc_issuer_created"),
            # Need to know: a specialist's outgoing list is the documents they drafted there.
            models.Index(fields=["created_by", "issuer", "-created_at"], name="doc_drafter"),
            # A paper document registered twice: the same number and date (register_paper_document).
            models.Index(fields=["issued_date", "symbol"], name="doc_issued_symbol"),
        ]
        constraints = [
            # Invariant 2: a number is used once per register, whatever happens concurrently.
            models.UniqueConstraint(fields=["issuer", "register_key", "number"], condition=models.Q(number__isnull=False), name="doc_number_unique_per_register"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol or _('(chưa có số)')} — {self.subject[:60]}"

    @property
    def priority(self) -> int:
        return URGENCY_PRIORITY[Urgency(self.urgency)]

    @property
    def issuer_name(self) -> str:
        return self.issuer.name if self.issuer_id else self.external_issuer_name

    @property
    def main_file(self) -> DocumentFile | None:
        for f in self.files.all():
            if f.role == FileRole.MAIN:
                return f
        return None

    @property
    def authoritative(self) -> DocumentFile | None:
        """The signed version when there is one, else the main upload."""
        return self.authoritative_file if self.authoritative_file_id else self.main_file


class FileRole(models.TextChoices):
    MAIN = "main", _("Văn bản chính")
    ATTACHMENT = "attachment", _("Phụ lục, tài liệu kèm theo")
    SIGNED = "signed", _("Bản đã ký số")


class DocumentFile(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="uses")
    role = models.CharField(max_length=16, choices=FileRole.choices)
    name = models.CharField(max_length=255)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["role", "position"]
        indexes = [models.Index(fields=["file", "document"])]


class RegisterCounter(models.Model):
    """The last number given in one register of one organisation (sổ văn bản)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=64)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="register_counter_unique")]


class StatusCode(models.TextChoices):
    """National status codes of the e-document exchange standard (QCVN 102:2016), and two of
    VanThu's own for the sender's row of a recipient at another installation while the package
    is in transit: 00 until the peer acknowledges (then 01), 98 when the outbox gives up. They
    are never sent on the wire nor accepted from a peer."""

    SENDING = "00", _("Đang gửi, chờ bên nhận xác nhận")
    ARRIVED = "01", _("Đã đến")
    REJECTED = "02", _("Từ chối tiếp nhận")
    ACCEPTED = "03", _("Đã tiếp nhận")
    ASSIGNED = "04", _("Đã phân công")
    IN_PROGRESS = "05", _("Đang xử lý")
    DONE = "06", _("Hoàn thành")
    RECALL_REQUESTED = "13", _("Yêu cầu thu hồi")
    # 13, 15 and 16 serve a recall and an update or replacement alike (DOMAIN.md): the label
    # of an answer must not tell a clerk that an update was a recall.
    RECALL_AGREED = "15", _("Đồng ý thu hồi/cập nhật")
    RECALL_REFUSED = "16", _("Từ chối thu hồi/cập nhật")
    SEND_FAILED = "98", _("Gửi không thành công")


class DeliveryQuerySet(models.QuerySet):
    def for_organization(self, org_id: int) -> DeliveryQuerySet:
        return self.filter(recipient_id=org_id)

    def with_document(self) -> DeliveryQuerySet:
        return self.select_related("document__issuer", "document__doc_type", "recipient")

    def pending(self) -> DeliveryQuerySet:
        return self.filter(status_code=StatusCode.ARRIVED)

    def registered(self) -> DeliveryQuerySet:
        """The incoming register: accepted records, electronic or paper."""
        return self.exclude(status_code__in=[StatusCode.ARRIVED, StatusCode.REJECTED]).filter(incoming_number__isnull=False)

    def newest_first(self) -> DeliveryQuerySet:
        return self.order_by("-arrived_at", "-id")


class Delivery(models.Model):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="deliveries")
    source = models.CharField(max_length=16, choices=[("electronic", _("Điện tử")), ("paper", _("Bản giấy"))], default="electronic")
    status_code = models.CharField(max_length=2, choices=StatusCode.choices, default=StatusCode.ARRIVED)
    arrived_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    incoming_key = models.CharField(max_length=16, blank=True)
    incoming_number = models.PositiveIntegerField(_("số đến"), null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField(blank=True)
    deadline = models.DateField(_("hạn xử lý"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # What the sender sees of who handles it: the main handler's name, as the recipient assigned it.
    handler_name = models.CharField(_("người xử lý"), max_length=150, blank=True, default="", db_default="")
    # The answer, given when the handling is completed: an outgoing document of the recipient
    # (văn bản trả lời, shown on both documents) and/or a file.
    reply_document = models.ForeignKey(Document, verbose_name=_("văn bản trả lời"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="answered_deliveries")
    reply_file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reply_file_name = models.CharField(max_length=255, blank=True, default="", db_default="")

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản gửi đến đơn vị")
        verbose_name_plural = _("văn bản gửi đến đơn vị")
        indexes = [
            # The inbox: one organisation's deliveries, newest first, optionally by status. With the
            # document (covering, on PostgreSQL) the page and its count leave out the documents the
            # organisation handed over to its archive without reading the table (access.py).
            models.Index(fields=["recipient", "-arrived_at", "-id"], include=["document"], name="delivery_inbox_doc"),
            models.Index(fields=["recipient", "status_code", "-arrived_at", "-id"], name="delivery_inbox_status"),
            # The issuer's "sending failed" marker and count: an EXISTS per document probes this
            # partial index, which holds only the rare 98 rows (the document_id index would be
            # scanned through every delivery of every one of the issuer's documents).
            models.Index(fields=["document"], condition=models.Q(status_code=StatusCode.SEND_FAILED), name="delivery_send_failed"),
            # The same for the rows still waiting for a peer's acknowledgement (00).
            models.Index(fields=["document", "updated_at"], condition=models.Q(status_code=StatusCode.SENDING), name="delivery_sending"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "recipient"], name="delivery_once_per_recipient"),
            models.UniqueConstraint(fields=["recipient", "incoming_key", "incoming_number"], condition=models.Q(incoming_number__isnull=False), name="incoming_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.recipient.short_name}"

    @property
    def status_label(self) -> str:
        return str(StatusCode(self.status_code).label)


class DeliveryEvent(models.Model):
    """One status change of a delivery. Immutable: written once, never updated."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    status_code = models.CharField(max_length=2, choices=StatusCode.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)
    # A note for the recipient's own people only (a leader's instructions to the staff): neither
    # the sender's pages and API nor a peer's status message carry it.
    note_private = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["delivery", "at"])]


class SharePurpose(models.TextChoices):
    READ = "read", _("Để biết")
    REVIEW = "review", _("Góp ý dự thảo")


class DocumentShare(models.Model):
    """A document opened to one named person of an organisation that holds it (need to know).

    Clerks and leaders see all of their organisation's correspondence; anyone else sees what was
    assigned to them, what they drafted, and what a clerk, a leader or the drafter shared with
    them here: an incoming document to read, or a draft to review. Written by
    `actions.share_document` (audited); a share is never edited, only added or withdrawn."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="shares")
    # The organisation through which the document is shared (its issuer or a recipient): the
    # person belongs to it, and it is that organisation's inbox or outgoing list they see it in.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="document_shares")
    purpose = models.CharField(_("mục đích"), max_length=16, choices=SharePurpose.choices, default=SharePurpose.READ)
    note = models.TextField(_("ghi chú"), blank=True)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    shared_at = models.DateTimeField()

    class Meta:
        verbose_name = _("chia sẻ văn bản")
        verbose_name_plural = _("chia sẻ văn bản")
        constraints = [models.UniqueConstraint(fields=["document", "organization", "user"], name="document_share_once")]
        # Visibility asks "which documents were shared with me here": one index probe per person.
        indexes = [models.Index(fields=["user", "organization", "document"], name="document_share_user")]
