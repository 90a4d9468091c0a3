"""The append-only, hash-chained audit log.

Each entry's hash covers its own content and the previous entry's hash, so that editing or
deleting any entry breaks the chain from there on. `AuditHead` holds the last sequence number
and hash; locking it serialises writers so the chain has one order.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditHead(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)


class AuditEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = "bản ghi nhật ký"
        verbose_name_plural = "nhật ký kiểm toán"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class ChainCheck(models.Model):
    """The outcome of one verification of the chain (daily by the worker, or by hand)."""

    at = models.DateTimeField(db_index=True)
    ok = models.BooleanField()
    checked = models.BigIntegerField(default=0)
    broken_seq = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
