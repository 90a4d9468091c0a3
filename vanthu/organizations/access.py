"""Who belongs where, and with which roles. The one place organisation access is decided."""

from __future__ import annotations

from collections import defaultdict

from .models import Membership, Organization, Role


def roles_by_org(user) -> dict[int, set[str]]:
    """{organization_id: {role, …}} for a signed-in user, cached on the user object per request."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_vanthu_roles", None)
    if cached is None:
        cached = defaultdict(set)
        for org_id, role in Membership.objects.for_user(user).values_list("organization_id", "role"):
            cached[org_id].add(role)
        cached = dict(cached)
        user._vanthu_roles = cached
    return cached


def member_org_ids(user) -> set[int]:
    return set(roles_by_org(user))


def has_role(user, org_id: int, *roles: str) -> bool:
    return bool(roles_by_org(user).get(org_id, set()) & set(roles))


def is_member(user, org_id: int) -> bool:
    return org_id in roles_by_org(user)


def is_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(Role.ADMIN in r for r in roles_by_org(user).values())


def can_see_members(user, org: Organization) -> bool:
    return is_admin(user) or is_member(user, org.id)
