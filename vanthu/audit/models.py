"""The append-only, hash-chained audit log.

Each entry's hash covers every column that says who did what, when, to what (see
`chain.entry_hash`) and the previous entry's hash, so that editing or deleting any entry breaks
the chain from there on. `AuditHead` holds the last sequence number and hash; locking it
serialises writers so the chain has one order. Signed checkpoints outside the database
(`checkpoints.py`) anchor the chain, so that its tail cannot be cut either.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

HASH_VERSION = 2  # how `chain.record` hashes new entries (see AuditEntry.hash_version)


class AuditHead(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)


class AuditEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    # PROTECT: the actor's id is hashed, so a person who acted is deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # How `hash` was computed (chain.entry_hash): 1 = before the actor's id was hashed (entries of
    # installations older than this column, and rows written by code that predates it, hence the
    # database default), 2 = every column. Kept per entry so old entries stay verifiable as they are.
    hash_version = models.PositiveSmallIntegerField(default=HASH_VERSION, db_default=1)

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
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
