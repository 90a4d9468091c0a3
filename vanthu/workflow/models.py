"""Assignment of incoming documents to handlers, with deadlines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.documents.models import Delivery, StatusCode


class HandlerRole(models.TextChoices):
    MAIN = "main", _("Chủ trì")
    CO = "co", _("Phối hợp")
    INFORMED = "informed", _("Để biết")


class Assignment(models.Model):
    """A leader's assignment of one incoming record. A reassignment replaces the current one."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="assignments")
    is_current = models.BooleanField(default=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField()
    deadline = models.DateField(_("hạn xử lý"), null=True, blank=True)
    note = models.TextField(_("ý kiến chỉ đạo"), blank=True)
    # The leader's instructions are for the recipient's own staff; the sender sees them only
    # when the leader chooses to share them (default private).
    share_note = models.BooleanField(_("chia sẻ nội dung chỉ đạo với nơi gửi"), default=False, db_default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_note = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["delivery"], condition=models.Q(is_current=True), name="one_current_assignment")]


class AssigneeQuerySet(models.QuerySet):
    def open_for(self, user) -> AssigneeQuerySet:
        """A person's current, unfinished assignments, by deadline (none last)."""
        return (
            self.filter(user=user, assignment__is_current=True, assignment__delivery__status_code__in=[StatusCode.ASSIGNED, StatusCode.IN_PROGRESS])
            .select_related("assignment__delivery__document__doc_type", "assignment__delivery__document__issuer", "assignment__delivery__recipient")
            .order_by(models.F("assignment__deadline").asc(nulls_last=True), "assignment__assigned_at")
        )

    def delivery_ids_of(self, user) -> models.QuerySet:
        """The deliveries whose current assignment names the person (main, co-handler, for
        information): what documents/access.py lets them see. Reads the (user, role) index."""
        return self.filter(user=user, assignment__is_current=True).values("assignment__delivery_id")

    def overdue(self) -> AssigneeQuerySet:
        """Past the deadline; a person told only for information (để biết) is never late."""
        return self.filter(assignment__deadline__lt=timezone.localdate()).exclude(role=HandlerRole.INFORMED)


class Assignee(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="assignees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assigned")
    role = models.CharField(max_length=16, choices=HandlerRole.choices)

    objects = AssigneeQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "user"], name="assignee_once")]
        indexes = [models.Index(fields=["user", "role"])]

    @property
    def can_be_late(self) -> bool:
        """For-information people (để biết) have nothing to deliver, so no deadline binds them."""
        return self.role != HandlerRole.INFORMED
