"""Who belongs where, and with which roles. The one place organisation access is decided.

Administration has two levels:
- the installation administrator (Django's `is_superuser`, as `createsuperuser` and the demo make
  the first one) holds the installation-wide powers: trust roots and signing certificates, peers
  for exchange, the whole audit log, the sign-in policy, and every model of the admin site;
- an organisation administrator (the `admin` role in an organisation) administers that
  organisation and everything under it: its details, its sub-organisations, the roles in them, and
  the people who belong only there.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet

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


# --- administration ----------------------------------------------------------------------------

def is_installation_admin(user) -> bool:
    """Installation-wide powers: trust roots, peers, the whole audit log, the sign-in policy."""
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def is_org_admin(user) -> bool:
    """Holds the admin role in at least one active organisation."""
    return any(Role.ADMIN in roles for roles in roles_by_org(user).values())


def administers_anything(user) -> bool:
    """May open the administration pages (what they show depends on the predicates below)."""
    return is_installation_admin(user) or is_org_admin(user)


def subtree_ids(root_ids: set[int]) -> set[int]:
    """The organisations given and everything under them, inactive ones included (one query a level)."""
    found = set(root_ids)
    frontier = set(root_ids)
    while frontier:
        frontier = set(Organization.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return found


def administered_org_ids(user) -> set[int]:
    """The organisations where the person holds the admin role, and their subtrees (cached per request).

    Not the installation administrator's reach: callers ask `administers_org`, which says yes to them."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_vanthu_administered", None)
    if cached is None:
        roots = {org_id for org_id, roles in roles_by_org(user).items() if Role.ADMIN in roles}
        cached = subtree_ids(roots) if roots else set()
        user._vanthu_administered = cached
    return cached


def administers_org(user, org_id: int | None) -> bool:
    if is_installation_admin(user):
        return True
    return org_id is not None and org_id in administered_org_ids(user)


def administered_orgs(user) -> QuerySet[Organization]:
    if is_installation_admin(user):
        return Organization.objects.all()
    return Organization.objects.filter(id__in=administered_org_ids(user))


def administers_person(user, person) -> bool:
    """A person is administered by whoever administers every organisation they belong to.

    Someone who also belongs elsewhere is out of reach (an organisation's administrator cannot take
    over a person another organisation relies on), and so are installation administrators."""
    if is_installation_admin(user):
        return True
    if person.is_superuser:
        return False
    org_ids = set(Membership.objects.filter(user=person).values_list("organization_id", flat=True))
    return bool(org_ids) and org_ids <= administered_org_ids(user)


def administered_people(user) -> QuerySet:
    """The people `administers_person` says yes to, as a QuerySet of users."""
    users = get_user_model().objects.all()
    if is_installation_admin(user):
        return users
    ids = administered_org_ids(user)
    elsewhere = Membership.objects.filter(user=OuterRef("pk")).exclude(organization_id__in=ids)
    return users.filter(is_superuser=False, memberships__organization_id__in=ids).exclude(Exists(elsewhere)).distinct()


def people_of_administered_orgs(user) -> QuerySet:
    """Everyone holding a role in an organisation the person administers (whom they may give roles to there)."""
    users = get_user_model().objects.all()
    if is_installation_admin(user):
        return users
    return users.filter(memberships__organization_id__in=administered_org_ids(user)).distinct()


def can_see_members(user, org: Organization) -> bool:
    return is_member(user, org.id) or administers_org(user, org.id)
