"""The programme's records: regulations and who studied them, courses and results, inspections and
their follow-up, each organisation's infrastructure. Reads are QuerySet methods; changes live in
actions.py. `owner` is always the organisation whose office runs the item (its inspectors manage it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanthu.documents.models import Document
from vanthu.organizations.models import Organization

USER = settings.AUTH_USER_MODEL


# --- regulations and acknowledgement ------------------------------------------------------------

class RegulationKind(models.TextChoices):
    QUY_CHE = "quy_che", _("Quy chế")
    QUY_DINH = "quy_dinh", _("Quy định")
    HUONG_DAN = "huong_dan", _("Hướng dẫn")


class RegulationQuerySet(models.QuerySet):
    def of_year(self, year: int) -> RegulationQuerySet:
        return self.filter(year=year)

    def concerning(self, org_id: int) -> RegulationQuerySet:
        """Owned by the organisation, or to be studied there."""
        return self.filter(Q(owner_id=org_id) | Q(targets__organization_id=org_id)).distinct()


class Regulation(models.Model):
    """A rule on IT use or information security that people of the target organisations must study."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị ban hành"))
    kind = models.CharField(_("loại"), max_length=16, choices=RegulationKind.choices, default=RegulationKind.QUY_CHE)
    title = models.CharField(_("tên văn bản"), max_length=500)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("văn bản ban hành"))
    year = models.PositiveIntegerField(_("năm"))
    due_date = models.DateField(_("hạn nghiên cứu"))
    # [{"question": str, "options": [str, …], "answer": index}] — empty: no quiz.
    quiz = models.JSONField(default=list, blank=True)
    pass_mark = models.DecimalField(_("tỷ lệ trả lời đúng để đạt"), max_digits=4, decimal_places=3, default=0.8)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegulationQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "due_date", "id"]
        indexes = [models.Index(fields=["owner", "year"]), models.Index(fields=["year"])]

    def __str__(self) -> str:
        return self.title


class RegulationTarget(models.Model):
    """An organisation whose people must study the regulation, and whose committee holds a session."""

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="targets")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["regulation", "organization"], name="regtarget_once")]
        indexes = [models.Index(fields=["organization", "regulation"])]


class Acknowledgement(models.Model):
    """One person's "đã đọc, nghiên cứu", counted for the target organisation they belong to."""

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField()
    quiz_score = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["regulation", "user"], name="ack_once")]
        indexes = [models.Index(fields=["organization", "regulation"])]


class AcknowledgementTally(models.Model):
    """How many acknowledgements an organisation has for the year's regulations: kept by
    `acknowledge_regulation` in its transaction, so that the evaluation reads one row per
    organisation instead of counting every acknowledgement (`tallies.rebuild` recomputes it)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="ack_tally_once")]


class StudySession(models.Model):
    """The committee's confirmation that it held the study session (quán triệt)."""

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="sessions")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField(_("ngày quán triệt"))
    attendees = models.PositiveIntegerField(_("số người dự"))
    confirmed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["regulation", "organization"], name="study_session_once")]


# --- training -------------------------------------------------------------------------------

class Audience(models.TextChoices):
    LEADERS = "leaders", _("Lãnh đạo, cấp ủy")
    IT_STAFF = "it_staff", _("Cán bộ chuyên trách CNTT")
    CLERKS = "clerks", _("Văn thư")
    ALL_MEMBERS = "all_members", _("Toàn thể cán bộ, đảng viên")


class CourseQuerySet(models.QuerySet):
    def of_year(self, year: int) -> CourseQuerySet:
        return self.filter(starts__year=year)


class Course(models.Model):
    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị tổ chức"))
    title = models.CharField(_("tên lớp"), max_length=500)
    audience = models.CharField(_("đối tượng"), max_length=16, choices=Audience.choices)
    starts = models.DateField(_("từ ngày"))
    ends = models.DateField(_("đến ngày"))
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    online = models.BooleanField(_("trực tuyến"), default=False)
    trainers = models.CharField(_("giảng viên"), max_length=500, blank=True)
    materials = models.TextField(_("tài liệu"), blank=True)
    quota = models.PositiveIntegerField(_("số người mỗi tổ chức được cử (mặc định)"), default=5)
    pass_score = models.DecimalField(_("điểm đạt"), max_digits=4, decimal_places=2, default=5)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-starts", "id"]
        indexes = [models.Index(fields=["owner", "starts"]), models.Index(fields=["starts"])]
        constraints = [models.CheckConstraint(condition=Q(ends__gte=models.F("starts")), name="course_dates_ordered")]

    def __str__(self) -> str:
        return self.title


class CourseInvitation(models.Model):
    """An organisation asked to send people to the course, at most `quota` of them."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="invitations")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    quota = models.PositiveIntegerField(_("số người được cử"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "organization"], name="course_invitation_once")]
        indexes = [models.Index(fields=["organization", "course"])]


class Enrolment(models.Model):
    """A person on a course, for the organisation that sent them (enrolled by the office or nominated)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    nominated = models.BooleanField(default=False)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The result (set once the course is over).
    attended = models.BooleanField(null=True)
    score = models.DecimalField(max_digits=4, decimal_places=2, null=True)
    passed = models.BooleanField(null=True)
    result_at = models.DateTimeField(null=True)
    certificate_code = models.CharField(max_length=32, null=True, unique=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True)
    certificate_pdf = models.BinaryField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="enrolment_once")]
        indexes = [models.Index(fields=["organization", "course"]), models.Index(fields=["user", "course"])]


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Có mặt")
    EXCUSED = "excused", _("Vắng có lý do")
    ABSENT = "absent", _("Vắng không lý do")


class Attendance(models.Model):
    """Who came on one day of the course."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    day = models.DateField()
    status = models.CharField(max_length=8, choices=AttendanceStatus.choices)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "day"], name="attendance_once")]


class TrainingPlan(models.Model):
    """How many people of an organisation the year's plan says should be trained."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    planned = models.PositiveIntegerField(_("số người cần đào tạo"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="training_plan_once")]


# --- inspection and supervision ------------------------------------------------------------

class ChecklistItem(models.Model):
    """One criterion of the year's inspection checklist, scored 0..max_score."""

    year = models.PositiveIntegerField()
    code = models.SlugField(max_length=32)
    area = models.CharField(_("nội dung"), max_length=64)
    title = models.CharField(_("tiêu chí"), max_length=500)
    max_score = models.PositiveIntegerField(_("điểm tối đa"), default=10)
    sort_order = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["year", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="checklist_item_once")]

    def __str__(self) -> str:
        return self.title


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Theo kế hoạch")
    SIGNED = "signed", _("Đã ký biên bản")


class InspectionQuerySet(models.QuerySet):
    def of_year(self, year: int) -> InspectionQuerySet:
        return self.filter(year=year)


class Inspection(models.Model):
    """One visit of the year's inspection plan: the office (owner) inspects an organisation."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị kiểm tra"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị được kiểm tra"))
    year = models.PositiveIntegerField(_("năm"))
    planned_on = models.DateField(_("ngày kiểm tra"))
    content = models.CharField(_("nội dung"), max_length=1000)
    team = models.ManyToManyField(USER, blank=True, related_name="+")
    status = models.CharField(max_length=8, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED)
    findings = models.TextField(_("kết quả, phát hiện"), blank=True)
    report_document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                        verbose_name=_("biên bản kiểm tra"))
    signed_at = models.DateTimeField(null=True)
    signed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "planned_on", "id"]
        indexes = [models.Index(fields=["organization", "year"]), models.Index(fields=["owner", "year"]), models.Index(fields=["year", "status"])]


class ScoreSide(models.TextChoices):
    INSPECTOR = "inspector", _("Đoàn kiểm tra chấm")
    SELF = "self", _("Tự đánh giá")


class InspectionScore(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=10, choices=ScoreSide.choices)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inspection", "item", "side"], name="inspection_score_once")]


class RecommendationStatus(models.TextChoices):
    OPEN = "open", _("Đang thực hiện")
    REPORTED = "reported", _("Đơn vị đã báo cáo")
    CLOSED = "closed", _("Đã kết thúc")


class Recommendation(models.Model):
    """A recommendation of an inspection, followed up by the organisation and closed by the office."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="recommendations")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("kiến nghị"), max_length=2000)
    deadline = models.DateField(_("hạn thực hiện"))
    status = models.CharField(max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.OPEN)
    report = models.TextField(_("báo cáo kết quả"), blank=True)
    reported_at = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)
    closed_on_time = models.BooleanField(null=True)  # closed on or before the deadline (local date)
    closed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["organization", "status", "deadline"])]


# --- infrastructure -------------------------------------------------------------------------

class Backup(models.TextChoices):
    NONE = "none", _("Không sao lưu")
    MANUAL = "manual", _("Sao lưu thủ công, không định kỳ")
    REGULAR = "regular", _("Sao lưu định kỳ")
    OFFSITE = "offsite", _("Sao lưu định kỳ, lưu ngoài trụ sở")


class Inventory(models.Model):
    """An organisation's IT infrastructure as it confirmed it for one year."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    computers_under_5 = models.PositiveIntegerField(_("máy tính dưới 5 năm"), default=0)
    computers_5_to_8 = models.PositiveIntegerField(_("máy tính 5–8 năm"), default=0)
    computers_over_8 = models.PositiveIntegerField(_("máy tính trên 8 năm"), default=0)
    clerks = models.PositiveIntegerField(_("số văn thư, cán bộ dùng máy tính"), default=0)
    wan_connected = models.BooleanField(_("kết nối mạng diện rộng của Khối"), default=False)
    wan_speed_mbps = models.PositiveIntegerField(_("tốc độ kết nối (Mbps)"), default=0)
    security_software = models.BooleanField(_("có phần mềm phòng chống mã độc"), default=False)
    backup = models.CharField(_("sao lưu dữ liệu"), max_length=8, choices=Backup.choices, default=Backup.NONE)
    it_staff_dedicated = models.PositiveIntegerField(_("cán bộ CNTT chuyên trách"), default=0)
    it_staff_part_time = models.PositiveIntegerField(_("cán bộ CNTT kiêm nhiệm"), default=0)
    it_staff_trained = models.PositiveIntegerField(_("cán bộ CNTT đã qua đào tạo"), default=0)
    software = models.TextField(_("phần mềm đang dùng"), blank=True)
    confirmed_at = models.DateTimeField(null=True)
    confirmed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="inventory_once")]
        indexes = [models.Index(fields=["year", "organization"])]


class StandardMetric(models.TextChoices):
    """What a minimum standard measures in an inventory; each reads one number."""

    RECENT_COMPUTER_PER_CLERK = "recent_computer_per_clerk", _("Mỗi văn thư, cán bộ có một máy tính dưới 5 năm")
    WAN = "wan", _("Kết nối mạng diện rộng của Khối")
    WAN_SPEED = "wan_speed", _("Tốc độ kết nối tối thiểu (Mbps)")
    SECURITY = "security", _("Có phần mềm phòng chống mã độc")
    BACKUP = "backup", _("Sao lưu dữ liệu định kỳ")
    IT_STAFF = "it_staff", _("Có cán bộ CNTT (chuyên trách hoặc kiêm nhiệm)")
    IT_STAFF_TRAINED = "it_staff_trained", _("Cán bộ CNTT đã qua đào tạo")


class MinimumStandard(models.Model):
    """A rule the administrator sets for every organisation's infrastructure in one year."""

    year = models.PositiveIntegerField()
    metric = models.CharField(max_length=32, choices=StandardMetric.choices)
    threshold = models.PositiveIntegerField(_("ngưỡng"), default=1)
    label = models.CharField(_("mô tả"), max_length=255)

    class Meta:
        ordering = ["year", "id"]
        constraints = [models.UniqueConstraint(fields=["year", "metric"], name="standard_once")]

    def __str__(self) -> str:
        return self.label


class ReviewCampaign(models.Model):
    """The office asks every organisation under it to confirm or update its inventory by a date."""

    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    due_date = models.DateField(_("hạn xác nhận"))
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "year"], name="review_campaign_once")]
