"""Directives, their tasks for organisations, the reports on them and requests for more time.

A task's life, as the receiving organisation and the directing side move it:

    assigned ──accept / report──► in_progress ──report done──► reported_done ──confirm──► done
        │                              ▲                            │
        └──────report done─────────────┼────────────────────────────┘ (also straight from assigned)
                                       └──────────send back─────────┘

`extended` is a flag (an extension was granted), and so is overdue: not done and its deadline
before today (computed, never stored: it changes with the date, not with an action).

A directive keeps three figures of its tasks (`task_count`, `done_count`, `open_due`, the
earliest deadline still open), refreshed by every action that moves one of its tasks, so that
the leader's follow-up screen orders thousands of directives, overdue first, from an index.
Likewise each directing organisation (a "board") keeps, per organisation it gave tasks to, the
figures of those tasks (`OrganizationFigures`) and how many are open per deadline
(`OpenDeadline`), so that the follow-up by organisation reads a row per organisation and counts
the overdue ones (open, deadline before today: the date's part, never stored) from an index
instead of aggregating every task (tallies.py keeps them).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanthu.documents.models import Document
from vanthu.organizations.models import Organization


class DirectiveKind(models.TextChoices):
    CONCLUSION = "conclusion", _("Kết luận")
    DIRECTIVE = "directive", _("Chỉ thị")
    OPINION = "opinion", _("Ý kiến chỉ đạo")


class TaskState(models.TextChoices):
    ASSIGNED = "assigned", _("Đã giao")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    REPORTED_DONE = "reported_done", _("Báo cáo hoàn thành")
    DONE = "done", _("Hoàn thành")


class Cycle(models.TextChoices):
    ONCE = "once", _("Một lần")
    WEEKLY = "weekly", _("Hằng tuần")
    MONTHLY = "monthly", _("Hằng tháng")


OPEN_STATES = (TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.REPORTED_DONE)


class DirectiveQuerySet(models.QuerySet):
    def of_organizations(self, org_ids) -> DirectiveQuerySet:
        return self.filter(organization_id__in=org_ids)

    def overdue_first(self) -> DirectiveQuerySet:
        """The earliest open deadline first (an overdue one is earlier than any other); finished last."""
        return self.order_by(models.F("open_due").asc(nulls_last=True), "-id")


class Directive(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="directives",
                                     verbose_name=_("cơ quan chỉ đạo"))
    kind = models.CharField(_("loại"), max_length=16, choices=DirectiveKind.choices, default=DirectiveKind.DIRECTIVE)
    title = models.CharField(_("trích yếu"), max_length=500)
    content = models.TextField(_("nội dung chỉ đạo"), blank=True)
    leader_name = models.CharField(_("lãnh đạo chỉ đạo"), max_length=128, blank=True)
    source_document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("văn bản nguồn"))
    issued_on = models.DateField(_("ngày chỉ đạo"), default=timezone.localdate)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Figures of its tasks, refreshed by each action on them (see the module's docstring).
    task_count = models.PositiveIntegerField(default=0)
    done_count = models.PositiveIntegerField(default=0)
    open_due = models.DateField(null=True, blank=True)

    objects = DirectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("ý kiến chỉ đạo")
        verbose_name_plural = _("ý kiến chỉ đạo")
        indexes = [
            models.Index(fields=["organization", "open_due", "id"], name="directive_followup"),
            models.Index(fields=["organization", "issued_on"], name="directive_period"),
        ]

    def __str__(self) -> str:
        return self.title


class TaskQuerySet(models.QuerySet):
    def open(self) -> TaskQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def overdue(self, today: date | None = None) -> TaskQuerySet:
        return self.open().filter(due__lt=today or timezone.localdate())

    def not_overdue(self, today: date | None = None) -> TaskQuerySet:
        return self.exclude(Q(state__in=OPEN_STATES) & Q(due__lt=today or timezone.localdate()))

    def for_organization(self, org_id: int) -> TaskQuerySet:
        return self.filter(organization_id=org_id)

    def overdue_first(self) -> TaskQuerySet:
        done_last = models.Case(models.When(state=TaskState.DONE, then=1), default=0)
        return self.order_by(done_last, "due", "id")

    def with_related(self) -> TaskQuerySet:
        return self.select_related("directive__organization", "organization")


class Task(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="tasks")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="direction_tasks",
                                     verbose_name=_("đơn vị chủ trì"))
    cooperating = models.ManyToManyField(Organization, blank=True, related_name="+", verbose_name=_("đơn vị phối hợp"))
    content = models.TextField(_("nội dung nhiệm vụ"))
    due = models.DateField(_("hạn hoàn thành"))
    cycle = models.CharField(_("chế độ báo cáo"), max_length=8, choices=Cycle.choices, default=Cycle.ONCE)
    state = models.CharField(_("trạng thái"), max_length=16, choices=TaskState.choices, default=TaskState.ASSIGNED)
    extended = models.BooleanField(_("đã gia hạn"), default=False)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    last_report_at = models.DateTimeField(null=True, blank=True)
    reported_done_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        indexes = [
            models.Index(fields=["organization", "state", "due"], name="task_org_state_due"),
            models.Index(fields=["directive", "organization"], name="task_directive_org"),
            models.Index(fields=["state", "due"], name="task_state_due"),
            models.Index(fields=["cycle", "state"], name="task_cycle_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_percent"),
            models.UniqueConstraint(fields=["directive", "organization"], name="task_one_per_org"),
        ]

    def __str__(self) -> str:
        return self.content[:80]

    def is_overdue(self, today: date | None = None) -> bool:
        return self.state != TaskState.DONE and self.due < (today or timezone.localdate())

    def done_on_time(self) -> bool | None:
        """The evaluation's criterion: completion reported on or before the deadline (None while open)."""
        if self.state != TaskState.DONE:
            return None
        return (self.reported_done_on or self.done_on) <= self.due


class OrganizationFigures(models.Model):
    """The figures of the tasks one board's directives gave one organisation (tallies.py), as
    `followup.organization_rows` shows them: kept in the transaction of every action on a task."""

    board = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)  # the unique constraint leads with it
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    task_count = models.PositiveIntegerField(default=0)
    done_count = models.PositiveIntegerField(default=0)
    reported_count = models.PositiveIntegerField(default=0)  # completion reported, awaiting confirmation
    on_time_count = models.PositiveIntegerField(default=0)  # done, completion reported by the deadline
    progress_sum = models.PositiveBigIntegerField(default=0)  # of the tasks' percentages

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "organization"], name="org_figures_once")]


class OpenDeadline(models.Model):
    """How many of one board's tasks for one organisation are open with this deadline: the overdue
    ones are those before today, summed from an index (a row goes when its count reaches 0)."""

    board = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)  # the unique constraint leads with it
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    due = models.DateField()
    task_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["board", "organization", "due"], name="open_deadline_once")]
        indexes = [models.Index(fields=["board", "due", "organization", "task_count"], name="open_deadline_overdue")]


class ReportKind(models.TextChoices):
    ACCEPTED = "accepted", _("Tiếp nhận nhiệm vụ")
    PROGRESS = "progress", _("Báo cáo tiến độ")
    DONE = "done", _("Báo cáo hoàn thành")
    CONFIRMED = "confirmed", _("Xác nhận hoàn thành")
    SENT_BACK = "sent_back", _("Trả lại, yêu cầu tiếp tục")
    EXTENSION_ASKED = "extension_asked", _("Đề nghị gia hạn")
    EXTENSION_GRANTED = "extension_granted", _("Đồng ý gia hạn")
    EXTENSION_REFUSED = "extension_refused", _("Không đồng ý gia hạn")


class Report(models.Model):
    """One entry of a task's history: a report of the organisation, or the directing side's answer."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    content = models.TextField(blank=True)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("văn bản báo cáo"))
    due_before = models.DateField(null=True, blank=True)
    due_after = models.DateField(null=True, blank=True)
    # None for what a peer installation reported through the exchange (peer.py).
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["task", "created_at"], name="report_task_time")]


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Chờ quyết định")
    GRANTED = "granted", _("Đồng ý")
    REFUSED = "refused", _("Không đồng ý")


class ExtensionRequest(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    requested_due = models.DateField()
    reason = models.TextField()
    state = models.CharField(max_length=8, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task"], condition=Q(state="pending"), name="one_pending_extension")]


# --- the weekly work schedule (lịch công tác tuần) ---------------------------------------------------

class ScheduleState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    APPROVED = "approved", _("Đã duyệt")
    PUBLISHED = "published", _("Đã phát hành")


class Schedule(models.Model):
    """One week's schedule of an organisation's leaders, kept by its office.

        draft ──(a leader approves)──► approved ──(published)──► published
          ▲                              │
          └──────(an entry changed)──────┘   after publishing, changes are marked and told instead
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="schedules")
    week_start = models.DateField(_("tuần bắt đầu (thứ Hai)"))
    state = models.CharField(max_length=12, choices=ScheduleState.choices, default=ScheduleState.DRAFT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "week_start"], name="schedule_one_per_week")]

    def __str__(self) -> str:
        return f"{self.organization} {self.week_start}"


class EntryQuerySet(models.QuerySet):
    def published(self) -> EntryQuerySet:
        return self.filter(schedule__state=ScheduleState.PUBLISHED)

    def for_person(self, user) -> EntryQuerySet:
        return self.filter(Q(chair_user=user) | Q(attendee_users=user)).distinct()


class Entry(models.Model):
    """One event of the week: time, place, content, who chairs, who attends, who prepares.

    `uid` and `sequence` are the iCalendar identity: a phone calendar updates the event it already
    has when the UID is the same and the SEQUENCE higher (RFC 5545 §3.8.7.4)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="entries")
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    content = models.TextField(_("nội dung"))
    chair = models.CharField(_("chủ trì"), max_length=255, blank=True)
    chair_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attendees = models.TextField(_("thành phần"), blank=True)
    attendee_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="schedule_entries")
    preparer = models.CharField(_("chuẩn bị"), max_length=255, blank=True)
    meeting = models.OneToOneField("direction.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="entry")
    uid = models.CharField(max_length=64, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    cancelled = models.BooleanField(_("đã hủy"), default=False)
    changed = models.BooleanField(_("thay đổi sau khi phát hành"), default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["schedule", "starts_at"], name="entry_schedule_time"),
                   models.Index(fields=["chair_user", "starts_at"], name="entry_chair_time")]

    def __str__(self) -> str:
        return self.content[:80]


class FeedToken(models.Model):
    """A secret address of an iCalendar feed: one person's events, or an organisation's."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=True) ^ Q(organization__isnull=True), name="feed_one_owner"),
            models.UniqueConstraint(fields=["user"], name="feed_one_per_person"),
            models.UniqueConstraint(fields=["organization"], name="feed_one_per_org"),
        ]


# --- meeting invitations (giấy mời) -----------------------------------------------------------------

class Meeting(models.Model):
    """A meeting an organisation invites others to; its invitation is a document issued as any other."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="meetings")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("giấy mời"))
    title = models.CharField(_("nội dung cuộc họp"), max_length=500)
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organization", "starts_at"], name="meeting_org_time")]

    def __str__(self) -> str:
        return self.title


class AttendanceState(models.TextChoices):
    PENDING = "pending", _("Chưa xác nhận")
    ATTENDING = "attending", _("Tham dự")
    SUBSTITUTE = "substitute", _("Cử người dự thay")
    ABSENT = "absent", _("Vắng mặt")


class Invitation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="meeting_invitations")
    state = models.CharField(max_length=12, choices=AttendanceState.choices, default=AttendanceState.PENDING)
    attendees = models.TextField(_("người tham dự"), blank=True)
    note = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "organization"], name="invitation_once")]
        indexes = [models.Index(fields=["organization", "state"], name="invitation_org_state")]
