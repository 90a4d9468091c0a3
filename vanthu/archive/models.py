"""Case files (hồ sơ) by each year's file list (danh mục hồ sơ), their retention, handover to
the organisation's archive (nộp lưu), reading by request, and disposal by decision.

A case file's life:

    planned ──open──▶ open ──close──▶ closed ──hand over (both sides sign)──▶ handed_over
                                        │                                         │
                                        └──────── dispose (by a decision) ◀───────┘──▶ disposed

Permanent files are never disposed. From `handed_over` on a case file is read-only, and its
contents are read by the archive's rules: the archivist, or someone whose request the archivist
approved, until the date the approval names.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.documents.models import Document, StoredFile
from vanthu.organizations.models import Organization


class RetentionPeriod(models.Model):
    """A retention period (thời hạn bảo quản) as data the administrator edits; no years = permanent."""

    code = models.CharField(_("mã"), max_length=16, unique=True)
    label = models.CharField(_("tên"), max_length=64)
    years = models.PositiveSmallIntegerField(_("số năm"), null=True, blank=True, help_text=_("Để trống: vĩnh viễn."))
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("thời hạn bảo quản")
        verbose_name_plural = _("thời hạn bảo quản")

    def __str__(self) -> str:
        return str(self.label)

    @property
    def is_permanent(self) -> bool:
        return self.years is None


class Archivist(models.Model):
    """A person who keeps an organisation's archive (lưu trữ cơ quan), appointed by its administrator."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="archivist_once")]
        indexes = [models.Index(fields=["user", "organization"])]


class FileList(models.Model):
    """One organisation's file list (danh mục hồ sơ) of one year."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="file_list_once_a_year")]

    def __str__(self) -> str:
        return f"{self.organization.short_name} {self.year}"


class Heading(models.Model):
    """A heading (đề mục) of a file list, e.g. "I. Công tác tổ chức, cán bộ"."""

    file_list = models.ForeignKey(FileList, on_delete=models.CASCADE, related_name="headings")
    code = models.CharField(_("số, ký hiệu đề mục"), max_length=16)
    title = models.CharField(_("tên đề mục"), max_length=255)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["file_list", "code"], name="heading_code_once")]


class CaseStatus(models.TextChoices):
    PLANNED = "planned", _("Trong danh mục, chưa lập")
    OPEN = "open", _("Đang lập")
    CLOSED = "closed", _("Đã kết thúc")
    HANDED_OVER = "handed_over", _("Đã nộp lưu")
    DISPOSED = "disposed", _("Đã hủy")


class CaseFileQuerySet(models.QuerySet):
    def of_organization(self, org_id: int) -> CaseFileQuerySet:
        return self.filter(organization_id=org_id)

    def with_related(self) -> CaseFileQuerySet:
        return self.select_related("organization", "file_list", "heading", "retention", "responsible")

    def due_for_handover(self) -> CaseFileQuerySet:
        """Closed and not yet handed over (each with its `handover_due` date)."""
        return self.filter(status=CaseStatus.CLOSED)

    def overdue_for_handover(self, today: dt.date | None = None) -> CaseFileQuerySet:
        return self.due_for_handover().filter(handover_due__lt=today or timezone.localdate())

    def past_retention(self, today: dt.date | None = None) -> CaseFileQuerySet:
        """Closed or handed over, not permanent, and kept for their whole period already."""
        return self.filter(status__in=[CaseStatus.CLOSED, CaseStatus.HANDED_OVER], retention_until__isnull=False,
                           retention_until__lt=today or timezone.localdate())


class CaseFile(models.Model):
    """A case file (hồ sơ): an entry of the year's file list, then the file itself."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    file_list = models.ForeignKey(FileList, on_delete=models.PROTECT, related_name="case_files")
    heading = models.ForeignKey(Heading, null=True, blank=True, on_delete=models.PROTECT, related_name="case_files")
    code = models.CharField(_("số và ký hiệu hồ sơ"), max_length=32)
    title = models.CharField(_("tiêu đề hồ sơ"), max_length=500)
    retention = models.ForeignKey(RetentionPeriod, verbose_name=_("thời hạn bảo quản"), on_delete=models.PROTECT, related_name="+")
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người lập hồ sơ"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("tình trạng"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.PLANNED)
    note = models.TextField(_("ghi chú"), blank=True)

    start_date = models.DateField(_("ngày bắt đầu"), null=True, blank=True)
    end_date = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("số tờ"), default=0)
    document_count = models.PositiveIntegerField(_("số văn bản"), default=0)
    contents_sheet = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Set when closed: the end of the work plus one year (Archive Law 2024, in force 1/7/2025).
    handover_due = models.DateField(_("hạn nộp lưu"), null=True, blank=True)
    # Set when closed: the end date plus the retention's years; None for permanent files.
    retention_until = models.DateField(_("hết hạn bảo quản"), null=True, blank=True)

    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    disposed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseFileQuerySet.as_manager()

    class Meta:
        ordering = ["code", "id"]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        constraints = [models.UniqueConstraint(fields=["file_list", "code"], name="case_file_code_once")]
        indexes = [
            models.Index(fields=["organization", "status", "handover_due"], name="case_handover_due"),
            models.Index(fields=["organization", "status", "retention_until"], name="case_retention"),
            models.Index(fields=["responsible", "status"], name="case_responsible"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title[:60]}"

    @property
    def year(self) -> int:
        return self.file_list.year

    @property
    def is_read_only(self) -> bool:
        return self.status in (CaseStatus.HANDED_OVER, CaseStatus.DISPOSED)


class CaseItem(models.Model):
    """One document in a case file: a document of VanThu, or a record uploaded into the file."""

    case_file = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="items")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("trích yếu"), max_length=1000, blank=True)
    record_name = models.CharField(max_length=255, blank=True)
    record_date = models.DateField(_("ngày của tài liệu"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    # Its case file has been handed over (or disposed of): the document is read by the archive's
    # rules, and by nobody once disposed of. Kept here (set with the handover or the disposal, which
    # nothing undoes) so that the rule every document query carries is a probe of one partial
    # index, with no join to the case file.
    sealed = models.BooleanField(default=False, editable=False)
    # Its case file has been disposed of: the document stays sealed here, to everyone (the
    # archivist and approved requests too), and the registers mark its line so. A column of the
    # item, like `sealed`, so that the rule needs no join to the case file.
    disposed = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            # A document sits in one case file of an organisation (the organisation's filing).
            models.UniqueConstraint(fields=["organization", "document"], condition=models.Q(document__isnull=False),
                                    name="document_filed_once"),
            models.CheckConstraint(condition=models.Q(document__isnull=False) | models.Q(record__isnull=False),
                                   name="case_item_has_content"),
        ]
        indexes = [
            models.Index(fields=["case_file", "position"], name="case_item_order"),
            # The archive's rule on every document query (documents/access.py): is this document
            # sealed in this organisation, by which case file (covering on PostgreSQL).
            models.Index(fields=["organization", "document"], include=["case_file"], condition=models.Q(sealed=True),
                         name="case_item_sealed"),
        ]


class HandoverStatus(models.TextChoices):
    PREPARED = "prepared", _("Đã lập, chờ ký")
    SIGNED_BY_UNIT = "signed_by_unit", _("Bên giao đã ký")
    RECEIVED = "received", _("Lưu trữ đã tiếp nhận")


class Handover(models.Model):
    """A handover (nộp lưu) of closed case files to the organisation's archive: the handover list
    (mục lục hồ sơ nộp lưu) and the record (biên bản giao nhận) signed by both sides."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm của hồ sơ"))
    status = models.CharField(max_length=16, choices=HandoverStatus.choices, default=HandoverStatus.PREPARED)
    case_files = models.ManyToManyField(CaseFile, related_name="handovers")
    handover_list = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    # The record as it stands: unsigned, then with the unit's signature, then with the archive's too.
    record = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    prepared_at = models.DateTimeField(default=timezone.now)
    unit_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit_signed_at = models.DateTimeField(null=True, blank=True)
    archive_signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    archive_signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-prepared_at", "-id"]
        indexes = [models.Index(fields=["organization", "-prepared_at"], name="handover_by_org")]


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    REFUSED = "refused", _("Từ chối")


class AccessRequestQuerySet(models.QuerySet):
    def granting(self, user, today: dt.date | None = None) -> AccessRequestQuerySet:
        """Approved and running until today or later (of a case file since disposed of, it grants
        nothing: its items say so, `CaseItem.disposed`)."""
        return self.filter(requester=user, status=RequestStatus.APPROVED, until__gte=today or timezone.localdate())


class AccessRequest(models.Model):
    """A request to read a handed-over case file, decided by the archivist, for a period."""

    case_file = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="access_requests")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("mục đích khai thác"))
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    until = models.DateField(_("được đọc đến ngày"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "-requested_at"], name="access_request_queue"),
            models.Index(fields=["requester", "case_file", "status"], name="access_request_grant"),
        ]


class Disposal(models.Model):
    """Disposal (hủy) of case files past their retention, by a decision issued in VanThu."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    disposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    disposed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-disposed_at", "-id"]
        indexes = [models.Index(fields=["organization", "-disposed_at"], name="disposal_by_org")]


class DisposedFile(models.Model):
    """What one disposed case file held: kept for ever, with the SHA-256 of every file."""

    disposal = models.ForeignKey(Disposal, on_delete=models.PROTECT, related_name="files")
    case_file = models.OneToOneField(CaseFile, on_delete=models.PROTECT, related_name="disposed")
    code = models.CharField(max_length=32)
    title = models.CharField(max_length=500)
    retention = models.CharField(max_length=64)
    # [{"title", "symbol", "document_id", "files": [{"name", "sha256", "size"}]}]
    contents = models.JSONField(default=list)


class PdfaCopy(models.Model):
    """A scanned (unsigned) PDF kept additionally as PDF/A with a text layer (OCRmyPDF).
    The original is never changed; a signed PDF never gets one."""

    source = models.OneToOneField(StoredFile, primary_key=True, on_delete=models.PROTECT, related_name="+")
    pdfa = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)


class EvidenceQuerySet(models.QuerySet):
    def due_for_renewal(self, before: dt.datetime) -> EvidenceQuerySet:
        """Those whose last timestamp's certificate expires before `before` (renew them first)."""
        return self.filter(timestamp_expires__lt=before).order_by("timestamp_expires")


class LongTermEvidence(models.Model):
    """What keeps a signed PDF verifiable for decades (PAdES B-LTA): its copy with the certificate
    chains and revocation answers (DSS/VRI) and an RFC 3161 document timestamp, renewed before
    the last timestamp's certificate expires. `source` is the signed file as issued or received,
    byte-identical to the first revision of `current` (every addition is an incremental update)."""

    source = models.OneToOneField(StoredFile, primary_key=True, on_delete=models.PROTECT, related_name="+")
    current = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    timestamp_at = models.DateTimeField()
    timestamp_expires = models.DateTimeField()
    timestamps = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["timestamp_expires"], name="evidence_renewal")]
