"""Which organisations' statistics a person may see. The one place this is decided.

- an inspector sees the organisation where they hold the role and its whole subtree;
- a clerk or a leader sees their own organisation;
- a superuser sees everything.
Any other request for an organisation's figures looks like "not found".
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from vanthu.errors import NotFound
from vanthu.organizations.access import roles_by_org
from vanthu.organizations.models import Organization, Role

OWN_ORG_ROLES = (Role.CLERK, Role.LEADER)


def children_map() -> dict[int | None, list[int]]:
    tree: dict[int | None, list[int]] = defaultdict(list)
    for oid, parent in Organization.objects.values_list("id", "parent_id"):
        tree[parent].append(oid)
    return tree


def subtree_ids(root_id: int, tree: dict[int | None, list[int]] | None = None) -> list[int]:
    """The organisation and everything under it (the tree is small: hundreds of rows)."""
    tree = tree if tree is not None else children_map()
    out, stack = [], [root_id]
    while stack:
        oid = stack.pop()
        out.append(oid)
        stack.extend(tree.get(oid, ()))
    return out


def scope_ids(user) -> set[int]:
    """Every organisation whose figures this person may see."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return set(Organization.objects.values_list("id", flat=True))
    roles = roles_by_org(user)
    tree = None
    out: set[int] = set()
    for org_id, held in roles.items():
        if Role.INSPECTOR in held:
            tree = tree if tree is not None else children_map()
            out.update(subtree_ids(org_id, tree))
        elif held & set(OWN_ORG_ROLES):
            out.add(org_id)
    return out


def inspector_roots(user) -> list[int]:
    """Organisations where the person is an inspector (the roots of their Bloc view)."""
    if getattr(user, "is_superuser", False):
        return list(Organization.objects.filter(parent__isnull=True).values_list("id", flat=True))
    return [oid for oid, held in roles_by_org(user).items() if Role.INSPECTOR in held]


def get_org(user, org_id: int) -> Organization:
    """An organisation whose figures the person may see; otherwise not found."""
    if org_id not in scope_ids(user):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    return Organization.objects.get(id=org_id)


def visible_subtree(user, org: Organization) -> list[int]:
    """The organisation's subtree, cut to what the person may see."""
    allowed = scope_ids(user)
    return [i for i in subtree_ids(org.id) if i in allowed]


def default_org(user) -> Organization | None:
    """Where a person's reports start: their inspector root, else their first own organisation."""
    roots = inspector_roots(user)
    ids = roots or sorted(scope_ids(user))
    return Organization.objects.filter(id__in=ids).order_by("parent_id", "name").first() if ids else None
