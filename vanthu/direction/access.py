"""Who sees and does what with directives and tasks. Not found and not allowed look alike (404).

- A directive and all its tasks are seen by the people of the directing organisation.
- A task is seen by the people of its lead organisation and of its co-operating ones (and its
  directive's header with it, not the other organisations' tasks).
- The directing side records directives and answers reports (confirm, send back, extensions):
  its leaders, and its clerks on a leader's behalf; only a leader decides an extension.
- The lead organisation accepts and reports: its leaders, clerks and specialists.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vanthu.errors import NotAllowed, NotFound
from vanthu.organizations.access import has_role, member_org_ids
from vanthu.organizations.models import Role

from .models import Directive, Task

DIRECTING_ROLES = (Role.LEADER, Role.CLERK)
DECIDING_ROLES = (Role.LEADER,)
REPORTING_ROLES = (Role.LEADER, Role.CLERK, Role.SPECIALIST)


def visible_directives(user) -> QuerySet[Directive]:
    return Directive.objects.filter(organization_id__in=member_org_ids(user))


def visible_tasks(user) -> QuerySet[Task]:
    orgs = member_org_ids(user)
    cooperating = Task.cooperating.through.objects.filter(organization_id__in=orgs).values("task_id")
    return Task.objects.filter(Q(directive__organization_id__in=orgs) | Q(organization_id__in=orgs) | Q(id__in=cooperating))


def get_directive(user, directive_id: int) -> Directive:
    try:
        return visible_directives(user).select_related("organization", "source_document").get(id=directive_id)
    except Directive.DoesNotExist:
        raise NotFound(_("Không tìm thấy ý kiến chỉ đạo."), code="directive_not_found") from None


def get_task(user, task_id: int) -> Task:
    try:
        return visible_tasks(user).with_related().get(id=task_id)
    except Task.DoesNotExist:
        raise NotFound(_("Không tìm thấy nhiệm vụ."), code="task_not_found") from None


def sees_directive(user, directive: Directive) -> bool:
    return directive.organization_id in member_org_ids(user)


def may_direct(user, org_id: int) -> bool:
    return has_role(user, org_id, *DIRECTING_ROLES)


def may_decide(user, task: Task) -> bool:
    return has_role(user, task.directive.organization_id, *DECIDING_ROLES)


def may_review(user, task: Task) -> bool:
    return has_role(user, task.directive.organization_id, *DIRECTING_ROLES)


def may_report(user, task: Task) -> bool:
    return has_role(user, task.organization_id, *REPORTING_ROLES)


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message, code="not_allowed")


def require_directing_org(user, org_id: int) -> None:
    """The organisation a directive is recorded for: a person not in it gets 404, a member without the role 403."""
    if org_id not in member_org_ids(user):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    require(may_direct(user, org_id), _("Chỉ lãnh đạo hoặc văn phòng của đơn vị được ghi ý kiến chỉ đạo."))
