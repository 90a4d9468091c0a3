"""The search app's own rows. The index tables themselves (search_text, search_fts / search_tsv)
are engine-specific and created by migration 0002 from `engine_sqlite` / `engine_postgres`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.documents.models import StoredFile


class OcrStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ nhận dạng chữ")
    RUNNING = "running", _("Đang nhận dạng chữ")
    DONE = "done", _("Đã nhận dạng chữ")
    FAILED = "failed", _("Nhận dạng chữ không thành công")


class FileOcr(models.Model):
    """OCR text of a scanned PDF, kept beside the file: the original bytes are never altered."""

    file = models.OneToOneField(StoredFile, primary_key=True, on_delete=models.CASCADE, related_name="ocr")
    status = models.CharField(_("trạng thái nhận dạng"), max_length=16, choices=OcrStatus.choices, default=OcrStatus.PENDING)
    text = models.TextField(blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kết quả nhận dạng chữ")
        verbose_name_plural = _("kết quả nhận dạng chữ")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.file_id[:12]} {self.status}"
