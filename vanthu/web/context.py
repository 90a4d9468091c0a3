"""What the layout needs to know: the organisation switcher, the roles that shape the nav, alerts."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vanthu.audit.tasks import latest_break
from vanthu.membership.access import is_records_officer, records_enabled
from vanthu.organizations.access import administers_anything, is_installation_admin
from vanthu.organizations.session import current_org, current_roles, my_organizations

# Pages of other apps that join the main navigation once their URLs are installed.
OPTIONAL_NAV = (("search:search", _("Tìm kiếm")), ("archive:index", _("Lưu trữ")), ("reports:index", _("Thống kê")),
                ("direction:followup", _("Chỉ đạo, điều hành")), ("programme:index", _("Chương trình CNTT")),
                ("migration:records", _("Hồ sơ Lotus Notes")))


# Pages for installation administrators only.
ADMIN_NAV = (("calendar:index", _("Lịch làm việc")), ("migration:runs", _("Chuyển dữ liệu Notes")))


def optional_nav(admin: bool = False) -> list[tuple[str, str]]:
    links = []
    for name, label in OPTIONAL_NAV + (ADMIN_NAV if admin else ()):
        try:
            links.append((reverse(name), label))
        except NoReverseMatch:
            continue
    return links


def member_nav(user) -> list[tuple[str, str]]:
    """Party members' records: shown only to their records officers (everyone else gets 404 there)."""
    # In context: the audit log's "Đảng viên" is one member ("Party member"), the menu's is all of them.
    links = [(reverse("membership:list"), pgettext_lazy("main menu", "Đảng viên"))] if is_records_officer(user) else []
    if records_enabled() and administers_anything(user):
        links.append((reverse("membership:officers"), _("Cán bộ quản lý đảng viên")))
    return links


def manage_nav(user) -> list[tuple[str, str]]:
    """The organisation's own administration (people, roles, signing authority) for its administrators."""
    return [(reverse("manage:people"), _("Quản trị tổ chức"))] if administers_anything(user) else []


def layout(request: HttpRequest) -> dict:
    """Context processor: the header's organisation switcher and the roles that shape the nav."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    roles = current_roles(request)
    return {
        "current_org": current_org(request),
        "my_orgs": my_organizations(request),
        "my_roles": roles,
        "is_clerk": "clerk" in roles,
        "is_leader": "leader" in roles,
        "can_draft": bool(roles & {"clerk", "leader", "specialist"}),
        "nav_extra": optional_nav(is_installation_admin(request.user)) + member_nav(request.user) + manage_nav(request.user),
        "audit_alert": _audit_alert(request),
    }


def _audit_alert(request: HttpRequest):
    """For installation administrators: the last failed verification of the audit chain, if the last one failed."""
    if not is_installation_admin(request.user):
        return None
    return latest_break()
