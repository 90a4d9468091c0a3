"""The organisation a person acts for (kept in the session) and what the layout needs to know."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from vanthu.organizations.access import member_org_ids, roles_by_org
from vanthu.organizations.models import Organization

SESSION_KEY = "vanthu_org_id"


def my_organizations(request: HttpRequest) -> list[Organization]:
    """The active organisations the signed-in person belongs to, cached per request."""
    cached = getattr(request, "_vanthu_orgs", None)
    if cached is None:
        ids = member_org_ids(request.user)
        cached = list(Organization.objects.active().filter(id__in=ids).order_by("name")) if ids else []
        request._vanthu_orgs = cached
    return cached


def current_org(request: HttpRequest) -> Organization | None:
    """The organisation chosen in the session, or the person's first one."""
    if not request.user.is_authenticated:
        return None
    orgs = my_organizations(request)
    if not orgs:
        return None
    chosen = request.session.get(SESSION_KEY)
    for org in orgs:
        if org.id == chosen:
            return org
    return orgs[0]


def set_current_org(request: HttpRequest, org_id: int) -> bool:
    if any(o.id == org_id for o in my_organizations(request)):
        request.session[SESSION_KEY] = org_id
        return True
    return False


def current_roles(request: HttpRequest) -> set[str]:
    org = current_org(request)
    return set(roles_by_org(request.user).get(org.id, set())) if org else set()


# Pages of other apps that join the main navigation once their URLs are installed.
OPTIONAL_NAV = (("search:search", _("Tìm kiếm")), ("reports:index", _("Thống kê")))


def optional_nav() -> list[tuple[str, str]]:
    links = []
    for name, label in OPTIONAL_NAV:
        try:
            links.append((reverse(name), label))
        except NoReverseMatch:
            continue
    return links


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
        "nav_extra": optional_nav(),
        "audit_alert": _audit_alert(request),
    }


def _audit_alert(request: HttpRequest):
    """For administrators: the last failed verification of the audit chain, if the last one failed."""
    from vanthu.organizations.access import is_admin

    if not is_admin(request.user):
        return None
    from vanthu.audit.tasks import latest_break

    return latest_break()
