"""Who sees and runs what in the programme. The one place this is decided.

- the office: an inspector of an organisation runs the programme for it and its whole subtree
  (regulations, courses, inspections, reviews) and sees everything of those organisations;
  the installation administrator is the office of every organisation;
- an organisation's side: its clerks, leaders and administrators keep its inventory, fill its
  self-assessment, nominate its people, confirm its study sessions and report on recommendations;
- every member studies the regulations addressed to their organisation and sees its courses.
Any other request looks like "not found".
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vanthu.errors import NotAllowed, NotFound
from vanthu.organizations.access import member_org_ids, roles_by_org, subtree_ids
from vanthu.organizations.models import Organization, Role

from .models import Course, Inspection, Recommendation, Regulation

SIDE_ROLES = {Role.CLERK, Role.LEADER, Role.ADMIN}


def office_ids(user) -> set[int]:
    """Organisations whose programme the person runs (cached on the user per request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_vanthu_programme_office", None)
    if cached is None:
        if user.is_superuser:
            cached = set(Organization.objects.values_list("id", flat=True))
        else:
            roots = {org_id for org_id, held in roles_by_org(user).items() if Role.INSPECTOR in held}
            cached = subtree_ids(roots) if roots else set()
        user._vanthu_programme_office = cached
    return cached


def is_office(user, org_id: int | None) -> bool:
    return org_id is not None and org_id in office_ids(user)


def is_office_anywhere(user) -> bool:
    return bool(office_ids(user))


def side_ids(user) -> set[int]:
    """Organisations the person speaks for (clerk, leader or administrator there)."""
    return {org_id for org_id, held in roles_by_org(user).items() if held & SIDE_ROLES}


def speaks_for(user, org_id: int) -> bool:
    return org_id in side_ids(user)


def sees_org(user, org_id: int) -> bool:
    return org_id in member_org_ids(user) or is_office(user, org_id)


def get_org(user, org_id: int) -> Organization:
    """An organisation whose programme records the person may see."""
    if not sees_org(user, org_id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    return Organization.objects.get(id=org_id)


def require_office(user, org_id: int) -> None:
    if not is_office(user, org_id):
        raise NotAllowed(_("Chỉ cán bộ kiểm tra của cấp trên được làm việc này."), code="not_office")


def require_side(user, org_id: int) -> None:
    if not speaks_for(user, org_id):
        raise NotAllowed(_("Chỉ văn thư, lãnh đạo hoặc quản trị của tổ chức được làm việc này."), code="not_organization_side")


def check_side_or_not_found(user, org_id: int) -> None:
    """Writing for an organisation: not a member and not its office looks like not found."""
    get_org(user, org_id)
    require_side(user, org_id)


# --- regulations ----------------------------------------------------------------------------

def visible_regulations(user) -> QuerySet[Regulation]:
    return Regulation.objects.filter(
        Q(owner_id__in=office_ids(user)) | Q(targets__organization_id__in=member_org_ids(user))).distinct()


def get_regulation(user, regulation_id: int) -> Regulation:
    try:
        return visible_regulations(user).select_related("owner", "document").get(id=regulation_id)
    except Regulation.DoesNotExist:
        raise NotFound(_("Không tìm thấy quy chế, quy định."), code="regulation_not_found") from None


# --- training -------------------------------------------------------------------------------

def visible_courses(user) -> QuerySet[Course]:
    return Course.objects.filter(
        Q(owner_id__in=office_ids(user)) | Q(invitations__organization_id__in=member_org_ids(user))).distinct()


def get_course(user, course_id: int) -> Course:
    try:
        return visible_courses(user).select_related("owner").get(id=course_id)
    except Course.DoesNotExist:
        raise NotFound(_("Không tìm thấy lớp tập huấn."), code="course_not_found") from None


def course_org_ids(user, course: Course) -> set[int] | None:
    """Whose enrolments the person sees on a course: None for all (its office), else their own."""
    return None if is_office(user, course.owner_id) else member_org_ids(user)


# --- inspections ----------------------------------------------------------------------------

def visible_inspections(user) -> QuerySet[Inspection]:
    return Inspection.objects.filter(Q(owner_id__in=office_ids(user)) | Q(organization_id__in=member_org_ids(user)))


def get_inspection(user, inspection_id: int) -> Inspection:
    try:
        return visible_inspections(user).select_related("owner", "organization", "report_document").get(id=inspection_id)
    except Inspection.DoesNotExist:
        raise NotFound(_("Không tìm thấy cuộc kiểm tra."), code="inspection_not_found") from None


def get_recommendation(user, recommendation_id: int) -> Recommendation:
    qs = Recommendation.objects.filter(inspection__in=visible_inspections(user))
    try:
        return qs.select_related("inspection", "organization").get(id=recommendation_id)
    except Recommendation.DoesNotExist:
        raise NotFound(_("Không tìm thấy kiến nghị."), code="recommendation_not_found") from None
