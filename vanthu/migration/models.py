"""Legacy records imported from Lotus Notes, their attachments and earlier versions, import runs,
and the table of Notes names.

A `LegacyRecord` is one Notes `<document>`, kept whole and read-only: the key is its UNID within
the organisation it was imported for, so a second import of the same export creates nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.documents.models import Document
from vanthu.organizations.models import Organization


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang nhập")
    DONE = "done", _("Hoàn thành")
    STOPPED = "stopped", _("Dừng do tệp lỗi")
    FAILED = "failed", _("Thất bại")


class ImportRun(models.Model):
    """One pass over one export file (from the command or the administrator's page)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("tệp"), max_length=255)
    file_path = models.CharField(max_length=1024, blank=True)  # an upload waiting for the worker
    file_size = models.BigIntegerField(default=0)
    mapping_text = models.TextField(blank=True)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    bytes_read = models.BigIntegerField(default=0)
    documents_seen = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    verification = models.JSONField(default=dict, blank=True)  # verify.verify_export's answer, once asked
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at", "-id"], name="migration_run_org")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.bytes_read / self.file_size)) if self.file_size else 0


class LegacyRecordQuerySet(models.QuerySet):
    def for_organizations(self, org_ids) -> LegacyRecordQuerySet:
        return self.filter(organization_id__in=org_ids)

    def of_form(self, form: str) -> LegacyRecordQuerySet:
        return self.filter(form=form) if form else self

    def newest_first(self) -> LegacyRecordQuerySet:
        return self.order_by("-modified_at", "-id")


class LegacyRecord(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    unid = models.CharField("UNID", max_length=32)
    note_id = models.CharField(max_length=16, blank=True)
    form = models.CharField(_("biểu mẫu"), max_length=128, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    created_raw = models.CharField(max_length=40, blank=True)  # as the export wrote it, offset included
    modified_raw = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), null=True, blank=True)
    modified_at = models.DateTimeField(_("ngày sửa"), null=True, blank=True)
    updated_by = models.JSONField(default=list, blank=True)
    authors = models.JSONField(default=list, blank=True)  # [{"notes": "CN=…", "user_id": id | None}]
    parent_unid = models.CharField(max_length=32, blank=True)
    title = models.CharField(_("tiêu đề"), max_length=500, blank=True)
    items = models.JSONField(default=list)
    html = models.TextField(blank=True)  # rich text items as sanitised HTML (dxl.richtext)
    text = models.TextField(blank=True)  # plain text of every text item and rich text
    search_text = models.TextField(blank=True)  # `text` and the title folded (no diacritics, đ → d)
    content_sha256 = models.CharField(max_length=64)  # digest of items + attachments, for verify
    version = models.PositiveIntegerField(default=1)
    register = models.CharField(max_length=16, blank=True)  # outgoing | incoming when mapped
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    first_run = models.ForeignKey(ImportRun, null=True, on_delete=models.SET_NULL, related_name="+")
    last_run = models.ForeignKey(ImportRun, null=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = LegacyRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ cũ từ Lotus Notes")
        verbose_name_plural = _("hồ sơ cũ từ Lotus Notes")
        constraints = [models.UniqueConstraint(fields=["organization", "unid"], name="legacy_unid_per_org")]
        indexes = [
            models.Index(fields=["organization", "-modified_at", "-id"], name="legacy_org_modified"),
            models.Index(fields=["organization", "form", "-modified_at", "-id"], name="legacy_org_form"),
            models.Index(fields=["document"], name="legacy_document"),
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.unid}"


class LegacyAttachment(models.Model):
    """A `$FILE` attachment or an embedded picture; the bytes are in the content-addressed store."""

    record = models.ForeignKey(LegacyRecord, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=8, default="file")  # file | picture
    name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=128, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position"]
        indexes = [models.Index(fields=["sha256"], name="legacy_attachment_sha")]


class LegacyRecordVersion(models.Model):
    """What a record held before a newer export of the same note replaced it."""

    record = models.ForeignKey(LegacyRecord, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField(default=0)
    modified_raw = models.CharField(max_length=40, blank=True)
    items = models.JSONField(default=list)
    html = models.TextField(blank=True)
    attachments = models.JSONField(default=list)  # [{"name", "size", "sha256", "kind"}]
    content_sha256 = models.CharField(max_length=64)
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["record", "version"], name="legacy_version_unique")]


class NotesName(models.Model):
    """A Notes name (`CN=…/OU=…/O=…`) and the VanThu user it is, once the office says so."""

    name = models.CharField(max_length=255, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.name
