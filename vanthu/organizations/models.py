"""The organisation tree, and people's memberships and roles in it."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_RE = re.compile(r"^[A-Z0-9.]{1,35}$")


def validate_org_code(value: str) -> None:
    """Electronic identifier codes: upper-case letters, digits and dots, at most 35 characters."""
    if not CODE_RE.match(value or "") or value.startswith(".") or value.endswith(".") or ".." in value:
        raise ValidationError(
            _("Mã định danh điện tử chỉ gồm chữ in hoa, chữ số và dấu chấm, tối đa 35 ký tự."),
            code="invalid_code",
        )


class OrgKind(models.TextChoices):
    CITY_COMMITTEE = "city_committee", _("Thành ủy")
    BLOC_COMMITTEE = "bloc_committee", _("Đảng ủy Khối")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Đảng bộ cơ sở")
    GRASSROOTS_CELL = "grassroots_cell", _("Chi bộ cơ sở")
    SUB_CELL = "sub_cell", _("Chi bộ trực thuộc")
    OFFICE = "office", _("Văn phòng, ban tham mưu")
    EXTERNAL = "external", _("Cơ quan bên ngoài")


class NumberingStyle(models.TextChoices):
    PARTY = "party", _("Văn bản Đảng (15-CV/ĐU)")
    STATE = "state", _("Văn bản hành chính nhà nước (15/CV-UBND)")


GRASSROOTS_KINDS = (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL)


class OrganizationQuerySet(models.QuerySet):
    def active(self) -> OrganizationQuerySet:
        return self.filter(is_active=True)

    def search(self, q: str) -> OrganizationQuerySet:
        q = q.strip()
        if not q:
            return self
        return self.filter(models.Q(name__icontains=q) | models.Q(short_name__icontains=q) | models.Q(code__icontains=q.upper()))


class Organization(models.Model):
    kind = models.CharField(_("loại"), max_length=32, choices=OrgKind.choices)
    name = models.CharField(_("tên đầy đủ"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=32, help_text=_("Dùng trong ký hiệu văn bản, ví dụ ĐU, VPĐU, TU."))
    code = models.CharField(_("mã định danh điện tử"), max_length=35, unique=True, validators=[validate_org_code])
    parent = models.ForeignKey("self", verbose_name=_("cấp trên"), null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    term_label = models.CharField(_("nhiệm kỳ"), max_length=32, blank=True, help_text=_("Ví dụ 2025-2030."))
    term_start = models.DateField(_("bắt đầu nhiệm kỳ"), null=True, blank=True)
    term_end = models.DateField(_("kết thúc nhiệm kỳ"), null=True, blank=True)
    numbering_style = models.CharField(_("kiểu đánh số"), max_length=8, choices=NumberingStyle.choices, default=NumberingStyle.PARTY)
    place = models.CharField(_("địa danh"), max_length=64, default="Hà Nội")
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    # Lives at another installation: documents reach it through the exchange (00 until its server
    # acknowledges them). Kept current by the exchange app, so that issuing needs no question to it.
    at_peer = models.BooleanField(_("thuộc hệ thống liên thông khác"), default=False, editable=False)
    # What an incoming document whose signature is invalid does: held for the clerk, or rejected (02).
    invalid_signature_policy = models.CharField(
        _("khi chữ ký số không hợp lệ"), max_length=8, default="hold",
        choices=[("hold", _("Giữ lại chờ văn thư xem xét")), ("reject", _("Tự động từ chối tiếp nhận"))],
    )

    # Need to know (DOMAIN.md roles): clerks and leaders see all of the organisation's
    # correspondence; anyone else only what was assigned to, shared with or drafted by them. An
    # organisation that works openly (a small cell of a few people) lets every member see it all.
    all_members_see_correspondence = models.BooleanField(
        _("mọi thành viên xem toàn bộ văn bản đi, đến"), default=False,
        help_text=_("Nếu không chọn, chuyên viên chỉ xem văn bản đến được phân công hoặc chia sẻ cho mình "
                    "và dự thảo do mình soạn hoặc được mời góp ý; văn thư và lãnh đạo xem tất cả."),
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tổ chức")
        verbose_name_plural = _("tổ chức")
        indexes = [models.Index(fields=["parent", "name"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(term_end__isnull=True) | models.Q(term_start__isnull=True) | models.Q(term_end__gte=models.F("term_start")), name="org_term_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.code:
            self.code = self.code.strip().upper()
        if self.pk is not None and self.parent_id is not None and self.pk in self.ancestor_ids():
            # A loop would cut the organisation off from every administrator above it.
            raise ValidationError({"parent": _("Không thể đặt tổ chức dưới chính nó hoặc dưới một tổ chức trực thuộc nó.")},
                                  code="parent_loop")

    def ancestor_ids(self) -> list[int]:
        """The ids of the parent, its parent, and so on up (stops at a loop)."""
        out: list[int] = []
        parent_id = self.parent_id
        while parent_id is not None and parent_id not in out:
            out.append(parent_id)
            parent_id = Organization.objects.filter(id=parent_id).values_list("parent_id", flat=True).first()
        return out

    def term_key(self) -> str:
        """The key of the current term, used to separate party-style registers."""
        if self.term_label:
            return self.term_label
        if self.term_start:
            return self.term_start.isoformat()
        return "-"


class Role(models.TextChoices):
    CLERK = "clerk", _("Văn thư")
    LEADER = "leader", _("Lãnh đạo")
    SPECIALIST = "specialist", _("Chuyên viên")
    INSPECTOR = "inspector", _("Cán bộ kiểm tra")
    ADMIN = "admin", _("Quản trị")


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user) -> MembershipQuerySet:
        return self.filter(user=user, organization__is_active=True)


class Membership(models.Model):
    """One role of one person in one organisation; a person has as many rows as roles."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)
    position = models.CharField(_("chức vụ"), max_length=128, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("vai trò trong tổ chức")
        verbose_name_plural = _("vai trò trong tổ chức")
        constraints = [models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role")]
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organization.short_name}"
