"""Notices, each person's copy of one, people's choices of channel, and the mail outbox.

- `Notice`: what happened, written once however many people are told.
- `Notification`: one person's copy (one narrow row each: a fan-out to a thousand people is one
  multi-row INSERT), unread until they open it or mark it read.
- `Preference`: how a person wants one kind: in the app only, e-mail at once, a daily digest.
- `MailMessage`: the outbox, written in the transaction that caused the notice (nothing lost if
  the process dies after the commit); the worker sends it (mail.py).

        pending ──(SMTP accepted)──► sent
           │  ▲
           │  └─ a transient failure (server down, 4xx): retried with back-off, lease released
           └────(a permanent refusal, 5xx; or still failing after VANTHU_MAIL_MAX_AGE_HOURS)──► failed
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.organizations.models import Organization

from .kinds import Channel


class Notice(models.Model):
    kind = models.CharField(max_length=48)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)  # a path on this site
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    # Set by callers that may repeat themselves (a daily reminder): a second notice with the same
    # key is not written.
    key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> NotificationQuerySet:
        return self.filter(user=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def newest_first(self) -> NotificationQuerySet:
        return self.select_related("notice").order_by("-id")


class Notification(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="copies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông báo của một người")
        verbose_name_plural = _("thông báo của từng người")
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notification_once_per_person")]
        indexes = [
            models.Index(fields=["user", "-id"], name="notification_list"),
            # The bell's count reads only this index, which holds only the unread rows.
            models.Index(fields=["user", "read_at"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]


class Preference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=48)
    channel = models.CharField(max_length=8, choices=Channel.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]


class MailState(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Không gửi được")


class MailQuerySet(models.QuerySet):
    def due(self, now=None) -> MailQuerySet:
        now = now or timezone.now()
        return self.filter(state=MailState.PENDING, next_attempt_at__lte=now, lease_until__lte=now)

    def pending(self) -> MailQuerySet:
        return self.filter(state=MailState.PENDING)


class MailMessage(models.Model):
    """One e-mail to one person: a notice's (composed when sent) or a digest (composed when journaled)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=8, choices=MailState.choices, default=MailState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    # A sender holds a message while sending it; a killed sender's lease runs out and another sends it.
    lease_until = models.DateTimeField()
    claim = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = MailQuerySet.as_manager()

    class Meta:
        verbose_name = _("thư thông báo")
        verbose_name_plural = _("thư thông báo")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="mail_due")]


class DigestMark(models.Model):
    """How far a person's daily digest has read: the notifications after it go in the next one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    last_notification_id = models.BigIntegerField(default=0)
    sent_on = models.DateField(null=True, blank=True)
