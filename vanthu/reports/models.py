"""Statistics: targets, evaluation criteria, maintained aggregates and background exports.

The aggregate tables (`OrgDay`, `OrgMonth`, `TypeDay`, `HistDay`, `HistMonth`, `OpenDeadline`)
are derived data: `aggregates.py` keeps them up to date in the same transaction as every
delivery change, and `vanthu manage reports rebuild` recomputes them from the raw records.
`DeliveryFact` remembers what each delivery last contributed, so that a change subtracts
exactly its old contribution before adding the new one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.organizations.models import Organization


class Target(models.Model):
    """The Bloc's targets for one year; an empty share means no target for that figure."""

    year = models.PositiveIntegerField(_("năm"), unique=True)
    electronic_share = models.DecimalField(_("tỷ lệ văn bản điện tử tối thiểu"), max_digits=5, decimal_places=4, null=True, blank=True)
    authenticated_share = models.DecimalField(_("tỷ lệ văn bản được xác thực tối thiểu"), max_digits=5, decimal_places=4, null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("chỉ tiêu năm")
        verbose_name_plural = _("chỉ tiêu năm")

    def __str__(self) -> str:
        return f"{self.year}"


class CriterionSource(models.TextChoices):
    ELECTRONIC = "electronic_share", _("Tỷ lệ văn bản điện tử")
    AUTHENTICATED = "authenticated_share", _("Tỷ lệ văn bản được xác thực")
    ON_TIME = "on_time_share", _("Tỷ lệ xử lý đúng hạn")
    # Measured by the programme (vanthu/programme/measures.py), per organisation and year.
    REGULATIONS = "regulations_share", _("Tỷ lệ cán bộ đã nghiên cứu quy chế, quy định trong năm")
    TRAINING = "training_share", _("Tỷ lệ học viên theo kế hoạch đã đạt yêu cầu tập huấn")
    INSPECTION = "inspection_score", _("Điểm kiểm tra ứng dụng CNTT")
    RECOMMENDATIONS = "recommendations_on_time", _("Tỷ lệ kiến nghị sau kiểm tra hoàn thành đúng hạn")
    INFRASTRUCTURE = "infrastructure_share", _("Tỷ lệ đạt chuẩn tối thiểu về hạ tầng CNTT")
    # Measured by direction (vanthu/direction/followup.py): leaders' tasks done by their deadline.
    DIRECTED_TASKS = "directed_tasks_on_time", _("Tỷ lệ nhiệm vụ được giao hoàn thành đúng hạn")
    MANUAL = "manual", _("Chấm điểm thủ công (ví dụ tham gia tập huấn)")


class Criterion(models.Model):
    """One weighted criterion of the yearly IT-use evaluation."""

    code = models.SlugField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên tiêu chí"), max_length=255)
    source = models.CharField(_("nguồn số liệu"), max_length=32, choices=CriterionSource.choices)
    weight = models.DecimalField(_("trọng số"), max_digits=6, decimal_places=2, default=1)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("tiêu chí đánh giá")
        verbose_name_plural = _("tiêu chí đánh giá")

    def __str__(self) -> str:
        return self.name


class ManualScore(models.Model):
    """A score (0..1) an administrator or inspector enters for a manual criterion."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField(_("năm"))
    value = models.DecimalField(_("điểm (0–1)"), max_digits=5, decimal_places=4)

    class Meta:
        verbose_name = _("điểm tiêu chí thủ công")
        verbose_name_plural = _("điểm tiêu chí thủ công")
        constraints = [models.UniqueConstraint(fields=["criterion", "organization", "year"], name="manual_score_once")]


class EvaluationSettings(models.Model):
    """Per year: the score needed to be proposed for commendation, and how many at most."""

    year = models.PositiveIntegerField(_("năm"), unique=True)
    commendation_min_score = models.DecimalField(_("điểm tối thiểu để đề nghị khen thưởng"), max_digits=5, decimal_places=2, default=90)
    commendation_max_count = models.PositiveIntegerField(_("số đơn vị đề nghị tối đa"), default=10)

    class Meta:
        verbose_name = _("cấu hình đánh giá năm")
        verbose_name_plural = _("cấu hình đánh giá năm")


# --- maintained aggregates ------------------------------------------------------------------

COUNT_FIELDS = (
    "sent", "sent_deliveries", "sent_at_arrived",
    "received", "received_electronic", "received_paper", "auth_yes", "auth_unknown",
    "accepted", "rejected", "at_arrived", "done", "with_deadline", "late_done", "open_deadline",
)
TYPE_COUNT_FIELDS = (
    "sent", "received", "received_electronic", "received_paper", "at_arrived", "done",
    "with_deadline", "late_done",
)


def _counts(names: tuple[str, ...]) -> dict[str, models.Field]:
    return {name: models.BigIntegerField(default=0) for name in names}


class OrgDay(models.Model):
    """Counts of one organisation for one local day (deliveries by arrival day, sending by issue day)."""

    organization_id = models.BigIntegerField()
    day = models.DateField()
    locals().update(_counts(COUNT_FIELDS))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization_id", "day"], name="orgday_key")]


class OrgMonth(models.Model):
    """The same counts per month (day 1 of the month), so that yearly views read 12 rows per org."""

    organization_id = models.BigIntegerField()
    month = models.DateField()
    locals().update(_counts(COUNT_FIELDS))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization_id", "month"], name="orgmonth_key")]


class TypeDay(models.Model):
    """Counts per organisation, day, document type and urgency: the breakdown tables."""

    organization_id = models.BigIntegerField()
    day = models.DateField()
    doc_type_id = models.BigIntegerField()
    urgency = models.CharField(max_length=16)
    locals().update(_counts(TYPE_COUNT_FIELDS))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization_id", "day", "doc_type_id", "urgency"], name="typeday_key")]


class HistDay(models.Model):
    """How many durations (kind 0: arrival→accepted, 1: arrival→done) fell in each bucket."""

    organization_id = models.BigIntegerField()
    day = models.DateField()
    kind = models.SmallIntegerField()
    bucket = models.SmallIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization_id", "day", "kind", "bucket"], name="histday_key")]


class HistMonth(models.Model):
    organization_id = models.BigIntegerField()
    month = models.DateField()
    kind = models.SmallIntegerField()
    bucket = models.SmallIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization_id", "month", "kind", "bucket"], name="histmonth_key")]


class HistYear(models.Model):
    """The same histograms per year (1 January), so that a yearly dashboard merges few rows."""

    organization_id = models.BigIntegerField()
    year = models.DateField()
    kind = models.SmallIntegerField()
    bucket = models.SmallIntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization_id", "year", "kind", "bucket"], name="histyear_key")]


class OpenDeadline(models.Model):
    """Open deliveries with a deadline, by arrival day and deadline: "late" depends on today.

    Late-and-open = `open_deadline` (a count in OrgDay/OrgMonth) minus the rows here whose
    deadline is today or later — few, since deadlines are days or weeks away — so a year's
    figure never scans every open delivery.
    """

    organization_id = models.BigIntegerField()
    day = models.DateField()
    deadline = models.DateField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization_id", "day", "deadline"], name="opendeadline_key")]
        # "Not yet due" reads the few rows with a deadline from today on.
        indexes = [models.Index(fields=["deadline", "organization_id", "day"], name="opendeadline_due")]


class DeliveryFact(models.Model):
    """What one delivery last contributed to the aggregates (its inputs, as last seen)."""

    delivery_id = models.BigIntegerField(primary_key=True)
    recipient_id = models.BigIntegerField()
    issuer_id = models.BigIntegerField(null=True)
    doc_type_id = models.BigIntegerField()
    urgency = models.CharField(max_length=16)
    source = models.CharField(max_length=16)
    status_code = models.CharField(max_length=2)
    arrived_at = models.DateTimeField()
    issued_at = models.DateTimeField(null=True)
    accepted_at = models.DateTimeField(null=True)
    done_at = models.DateTimeField(null=True)
    deadline = models.DateField(null=True)
    authenticated = models.BooleanField(null=True)


class PendingChange(models.Model):
    """A change the aggregates have not taken in yet, journaled in the action's transaction.

    `delivery_id` names one delivery; without it, every delivery of the document. `counts_sent`
    marks the issue itself (one more document sent). `aggregates.fold_pending` applies and
    deletes these, oldest first, in the worker and before any read of the aggregates."""

    document_id = models.BigIntegerField()
    delivery_id = models.BigIntegerField(null=True)
    counts_sent = models.BooleanField(default=False)


# --- background exports ---------------------------------------------------------------------

class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang tạo")
    DONE = "done", _("Hoàn thành")
    FAILED = "failed", _("Lỗi")


class ExportJob(models.Model):
    """A file being made in the background for one person; only they may download it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    fmt = models.CharField(max_length=8)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    done_rows = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0
