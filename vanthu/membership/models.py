"""What party management records about organisations and members, and its reads.

Members' history is kept as versions (`MemberVersion`): each change closes the current version
(`valid_to`) and opens a new one from the day it takes effect, with who changed what and what was
there before. Statistics as of a date read the versions valid on that date, never today's values.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanthu.organizations.models import Organization
from vanthu.search.fold import fold

USER = settings.AUTH_USER_MODEL


class PartyOrgKind(models.TextChoices):
    GRASSROOTS_COMMITTEE = "dang_bo_co_so", _("Đảng bộ cơ sở")
    GRASSROOTS_CELL = "chi_bo_co_so", _("Chi bộ cơ sở")
    PARTIAL_COMMITTEE = "dang_bo_bo_phan", _("Đảng bộ bộ phận")
    SUB_CELL = "chi_bo_truc_thuoc", _("Chi bộ trực thuộc")


class PartyOrganization(models.Model):
    """Party management's record of an organisation of the tree (never deleted, even dissolved)."""

    organization = models.OneToOneField(Organization, on_delete=models.PROTECT, primary_key=True, related_name="party_record")
    party_kind = models.CharField(_("loại tổ chức đảng"), max_length=24, choices=PartyOrgKind.choices)
    founded_on = models.DateField(_("ngày thành lập"), null=True, blank=True)
    dissolved_on = models.DateField(_("ngày giải thể / sáp nhập"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ tổ chức đảng")
        verbose_name_plural = _("hồ sơ tổ chức đảng")


class CommitteeTerm(models.Model):
    """A committee (cấp ủy) of one term of an organisation."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="committee_terms")
    label = models.CharField(_("nhiệm kỳ"), max_length=32)
    start = models.DateField(_("bắt đầu"))
    end = models.DateField(_("kết thúc"), null=True, blank=True)

    class Meta:
        ordering = ["organization", "-start"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "label"], name="membership_term_unique"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="membership_term_ordered"),
        ]


class SeatRole(models.TextChoices):
    SECRETARY = "secretary", _("Bí thư")
    DEPUTY = "deputy", _("Phó Bí thư")
    MEMBER = "member", _("Cấp ủy viên")


class CommitteeSeat(models.Model):
    term = models.ForeignKey(CommitteeTerm, on_delete=models.CASCADE, related_name="seats")
    role = models.CharField(_("chức danh"), max_length=16, choices=SeatRole.choices)
    full_name = models.CharField(_("họ và tên"), max_length=128)
    member = models.ForeignKey("PartyMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["term", "role", "id"]


class OrgChangeKind(models.TextChoices):
    FOUNDED = "founded", _("Thành lập")
    MERGED_INTO = "merged_into", _("Sáp nhập vào tổ chức khác")
    SPLIT_FROM = "split_from", _("Chia tách từ tổ chức khác")
    DISSOLVED = "dissolved", _("Giải thể")
    RENAMED = "renamed", _("Đổi tên")


class OrgChange(models.Model):
    """One event of an organisation's history: founding, merger, split, dissolution."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="party_changes")
    kind = models.CharField(_("loại"), max_length=16, choices=OrgChangeKind.choices)
    on = models.DateField(_("ngày"))
    other = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("quyết định"), max_length=128, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "on", "id"]


class OfficerKind(models.TextChoices):
    BOARD = "board", _("Cán bộ Ban Tổ chức")
    OFFICE = "office", _("Văn phòng cấp ủy")


class RecordsOfficer(models.Model):
    """The one role that sees member records: for the organisation given and everything under it.

    The Bloc's organisation board (Ban Tổ chức) holds it at the Bloc; each committee's office at its
    own organisation. Kept here, not among the document roles, so that no clerk, leader or
    administrator reaches personal data by a role meant for correspondence."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="records_roles")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="records_officers")
    kind = models.CharField(_("vai trò"), max_length=8, choices=OfficerKind.choices)
    granted_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_officer_unique")]


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Qualification(models.TextChoices):
    """Trình độ chuyên môn: the highest degree."""

    NONE = "none", _("Chưa qua đào tạo")
    VOCATIONAL = "vocational", _("Trung cấp")
    COLLEGE = "college", _("Cao đẳng")
    BACHELOR = "bachelor", _("Đại học")
    MASTER = "master", _("Thạc sĩ")
    DOCTOR = "doctor", _("Tiến sĩ")


class TheoryLevel(models.TextChoices):
    """Lý luận chính trị."""

    NONE = "none", _("Chưa qua đào tạo")
    ELEMENTARY = "elementary", _("Sơ cấp")
    INTERMEDIATE = "intermediate", _("Trung cấp")
    ADVANCED = "advanced", _("Cao cấp")
    BACHELOR = "bachelor", _("Cử nhân")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Đang sinh hoạt")
    TRANSFERRED_OUT = "transferred_out", _("Đã chuyển đi")
    DECEASED = "deceased", _("Từ trần")
    LEFT = "left", _("Ra khỏi Đảng")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "good", _("Hoàn thành tốt nhiệm vụ")
    DONE = "done", _("Hoàn thành nhiệm vụ")
    NOT_DONE = "not_done", _("Không hoàn thành nhiệm vụ")


# The fields of the profile, and only those (the law: collect only what is listed).
PROFILE_FIELDS = (
    "full_name", "other_names", "gender", "birth_date", "birth_place", "ethnicity", "religion", "id_number",
    "card_number", "admitted_on", "official_on", "organization", "job", "position", "education", "qualification",
    "theory_level", "it_level", "foreign_language", "awards", "disciplines", "status", "status_date",
)
# The fields statistics read as of a date, copied into each version.
VERSIONED_FIELDS = ("organization_id", "status", "gender", "birth_date", "ethnicity", "qualification", "theory_level", "admitted_on")


class PartyMemberQuerySet(models.QuerySet):
    def in_organizations(self, org_ids) -> PartyMemberQuerySet:
        return self.filter(organization_id__in=org_ids)

    def search(self, q: str) -> PartyMemberQuerySet:
        """Names typed with or without diacritics; a card number by its prefix."""
        q = " ".join(q.split())
        if not q:
            return self
        return self.filter(Q(name_folded__contains=fold(q)) | Q(card_number__startswith=q))

    def active(self) -> PartyMemberQuerySet:
        return self.filter(status=MemberStatus.ACTIVE)


class PartyMember(models.Model):
    full_name = models.CharField(_("họ và tên"), max_length=128)
    name_folded = models.CharField(max_length=128, editable=False, db_index=True)
    other_names = models.CharField(_("tên gọi khác"), max_length=128, blank=True)
    gender = models.CharField(_("giới tính"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("ngày sinh"))
    birth_place = models.CharField(_("nơi sinh"), max_length=255, blank=True)
    ethnicity = models.CharField(_("dân tộc"), max_length=32, default="Kinh")
    religion = models.CharField(_("tôn giáo"), max_length=64, blank=True)
    id_number = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    card_number = models.CharField(_("số thẻ đảng viên"), max_length=16, unique=True)
    admitted_on = models.DateField(_("ngày vào Đảng"))
    official_on = models.DateField(_("ngày chính thức"), null=True, blank=True)
    organization = models.ForeignKey(Organization, verbose_name=_("chi bộ sinh hoạt"), on_delete=models.PROTECT, related_name="party_members")
    job = models.CharField(_("nghề nghiệp"), max_length=128, blank=True)
    position = models.CharField(_("chức vụ"), max_length=128, blank=True)
    education = models.CharField(_("trình độ giáo dục phổ thông"), max_length=16, blank=True)
    qualification = models.CharField(_("trình độ chuyên môn"), max_length=16, choices=Qualification.choices, default=Qualification.BACHELOR)
    theory_level = models.CharField(_("lý luận chính trị"), max_length=16, choices=TheoryLevel.choices, default=TheoryLevel.ELEMENTARY)
    it_level = models.CharField(_("tin học"), max_length=64, blank=True)
    foreign_language = models.CharField(_("ngoại ngữ"), max_length=64, blank=True)
    awards = models.TextField(_("khen thưởng"), blank=True)
    disciplines = models.TextField(_("kỷ luật"), blank=True)
    status = models.CharField(_("tình trạng"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    status_date = models.DateField(_("ngày chuyển tình trạng"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartyMemberQuerySet.as_manager()

    class Meta:
        ordering = ["name_folded", "id"]
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        indexes = [
            models.Index(fields=["organization", "status", "name_folded"], name="membership_member_org"),
            models.Index(fields=["status", "name_folded"], name="membership_member_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"  # never a name: strings of objects end up in logs

    @property
    def masked_id_number(self) -> str:
        n = self.id_number
        return ("*" * max(0, len(n) - 3) + n[-3:]) if n else ""


class MemberVersionQuerySet(models.QuerySet):
    def as_of(self, day: date) -> MemberVersionQuerySet:
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class MemberVersion(models.Model):
    """A member's record as it stood from `valid_from` until `valid_to` (exclusive), and how it came to be."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="versions")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=MemberStatus.choices)
    gender = models.CharField(max_length=8, choices=Gender.choices)
    birth_date = models.DateField()
    ethnicity = models.CharField(max_length=32)
    qualification = models.CharField(max_length=16, choices=Qualification.choices)
    theory_level = models.CharField(max_length=16, choices=TheoryLevel.choices)
    admitted_on = models.DateField()
    # Who, when, what: {field: [before, after]} of every profile field the change touched.
    reason = models.CharField(max_length=32)
    changes = models.JSONField(default=dict)
    changed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField()

    objects = MemberVersionQuerySet.as_manager()

    class Meta:
        ordering = ["member", "valid_from", "id"]
        indexes = [
            # Statistics as of a date read only these two indexes (covering: no table row is visited).
            models.Index(fields=["status", "organization", "gender", "qualification", "theory_level", "valid_from", "valid_to",
                                 "birth_date", "admitted_on", "id"], name="membership_version_stats"),
            models.Index(fields=["status", "organization", "ethnicity", "valid_from", "valid_to"], name="membership_version_eth"),
            models.Index(fields=["member", "valid_to"], name="membership_version_member"),
        ]


class TransferStatus(models.TextChoices):
    ISSUED = "issued", _("Đã giới thiệu, chờ tiếp nhận")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    CANCELLED = "cancelled", _("Đã hủy")
    # Only for a transfer to an organisation at another installation: its officer said no (02).
    REFUSED = "refused", _("Bên nhận từ chối")


class TransferQuerySet(models.QuerySet):
    def pending(self) -> TransferQuerySet:
        return self.filter(status=TransferStatus.ISSUED)

    def touching(self, org_ids) -> TransferQuerySet:
        return self.filter(Q(from_org_id__in=org_ids) | Q(to_org_id__in=org_ids))


class Transfer(models.Model):
    """Chuyển sinh hoạt đảng: issued by the sending organisation, accepted by the receiving one."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=TransferStatus.choices, default=TransferStatus.ISSUED)
    note = models.TextField(blank=True)
    issued_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField()
    accepted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    # To (or from) an organisation at another installation: the letter (giấy giới thiệu sinh hoạt
    # đảng) addressed to it, whose package carries the member's record (peer_transfers.py).
    letter = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # What the other installation answered (its 06 or 02 note).
    answer_note = models.TextField(blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status="issued"), name="membership_one_pending_transfer"),
        ]
        indexes = [
            models.Index(fields=["to_org", "status"], name="membership_transfer_to"),
            models.Index(fields=["from_org", "status"], name="membership_transfer_from"),
            models.Index(fields=["effective_on"], name="membership_transfer_date"),
        ]


class IncomingStatus(models.TextChoices):
    WAITING = "waiting", _("Chờ tổ chức tiếp nhận")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    REFUSED = "refused", _("Đã từ chối")
    WITHDRAWN = "withdrawn", _("Bên gửi đã thu hồi")


class IncomingTransfer(models.Model):
    """A member transferred to us from an organisation at another installation, waiting for the
    receiving organisation's records officer. The record is the one the sender's package carried;
    the member exists here only once accepted (`member`, and an accepted `Transfer` for the history
    and the statistics)."""

    # The sender's installation and its transfer id: the same transfer arriving twice is one row.
    origin_site = models.CharField(max_length=64)
    origin_transfer_id = models.PositiveBigIntegerField()
    delivery = models.ForeignKey("documents.Delivery", on_delete=models.PROTECT, related_name="+")
    from_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # The profile as the sender keeps it (`PROFILE_FIELDS` but organisation and status), checked on arrival.
    record = models.JSONField()
    note = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=IncomingStatus.choices, default=IncomingStatus.WAITING)
    received_at = models.DateTimeField()
    member = models.ForeignKey(PartyMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    answer_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["origin_site", "origin_transfer_id"], name="membership_incoming_once")]
        indexes = [models.Index(fields=["to_org", "status"], name="membership_incoming_to")]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return str(self.record.get("full_name", ""))

    @property
    def masked_id_number(self) -> str:
        n = str(self.record.get("id_number") or "")
        return ("*" * max(0, len(n) - 3) + n[-3:]) if n else ""


class MemberRanking(models.Model):
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="rankings")
    year = models.PositiveSmallIntegerField()
    grade = models.CharField(max_length=12, choices=Grade.choices)
    # The organisation the member was ranked in, so that a later transfer keeps the year's figures.
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    entered_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="membership_member_rank_unique")]
        indexes = [models.Index(fields=["year", "organization", "grade"], name="membership_rank_year")]


class OrgRanking(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="party_rankings")
    year = models.PositiveSmallIntegerField()
    grade = models.CharField(max_length=12, choices=Grade.choices)
    entered_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="membership_org_rank_unique")]
        indexes = [models.Index(fields=["year", "grade"], name="membership_orgrank_year")]
