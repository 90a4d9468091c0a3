"""Who sees party members' records. The one place it is decided; not found and not allowed look alike.

Member records are personal data, political affiliation among them (sensitive under Vietnam's
personal data protection rules). Only a records officer (`RecordsOfficer`: the Bloc's organisation
board, a committee's office) sees them, for the organisation of the role and everything under it.
Document roles (clerk, leader, specialist, inspector, administrator) and the installation's
administrator give no access at all. With `VANTHU_MEMBER_RECORDS` off no one sees anything.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vanthu.errors import NotFound
from vanthu.organizations.access import administers_org, subtree_ids
from vanthu.organizations.models import Organization

from .models import IncomingTransfer, PartyMember, RecordsOfficer, Transfer


def records_enabled() -> bool:
    return bool(getattr(settings, "VANTHU_MEMBER_RECORDS", True))


def records_org_ids(user) -> set[int]:
    """The organisations whose members the person may see and manage (cached on the user per request)."""
    if not records_enabled() or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_vanthu_records_orgs", None)
    if cached is None:
        roots = set(RecordsOfficer.objects.filter(user=user, organization__is_active=True).values_list("organization_id", flat=True))
        cached = subtree_ids(roots) if roots else set()
        user._vanthu_records_orgs = cached
    return cached


def forget(user) -> None:
    """Drop the cached reach after a role changes."""
    if hasattr(user, "_vanthu_records_orgs"):
        del user._vanthu_records_orgs


def is_records_officer(user) -> bool:
    return bool(records_org_ids(user))


def manages_org(user, org_id: int | None) -> bool:
    return org_id is not None and org_id in records_org_ids(user)


def may_grant_records_role(user, org_id: int) -> bool:
    """An administrator of the organisation (or above it) names its records officers."""
    return records_enabled() and administers_org(user, org_id)


def _not_found(what: str = "member") -> NotFound:
    if what == "transfer":
        return NotFound(_("Không tìm thấy giấy giới thiệu chuyển sinh hoạt đảng."), code="transfer_not_found")
    if what == "organization":
        return NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    return NotFound(_("Không tìm thấy đảng viên."), code="party_member_not_found")


def require_officer(user) -> set[int]:
    """The person's reach, or 404 for everyone else (a page or list of member records is itself personal data)."""
    reach = records_org_ids(user)
    if not reach:
        raise _not_found()
    return reach


def visible_members(user) -> QuerySet[PartyMember]:
    return PartyMember.objects.filter(organization_id__in=records_org_ids(user))


def get_member(user, member_id: int) -> PartyMember:
    try:
        return visible_members(user).select_related("organization").get(id=member_id)
    except PartyMember.DoesNotExist:
        raise _not_found() from None


def get_managed_org(user, org_id: int | None) -> Organization:
    """An organisation within the person's reach, or 404 (whether it exists or not)."""
    if not manages_org(user, org_id):
        raise _not_found("organization")
    return Organization.objects.get(id=org_id)


def visible_transfers(user) -> QuerySet[Transfer]:
    """The sender's and the receiver's officers both see a transfer."""
    return Transfer.objects.touching(records_org_ids(user))


def get_transfer(user, transfer_id: int) -> Transfer:
    try:
        return visible_transfers(user).select_related("member", "from_org", "to_org").get(id=transfer_id)
    except Transfer.DoesNotExist:
        raise _not_found("transfer") from None


def visible_incoming(user) -> QuerySet[IncomingTransfer]:
    """Transfers from another installation: only the receiving organisation's officers (the record came to them)."""
    return IncomingTransfer.objects.filter(to_org_id__in=require_officer(user))


def get_incoming(user, incoming_id: int) -> IncomingTransfer:
    try:
        return visible_incoming(user).select_related("from_org", "to_org", "delivery").get(id=incoming_id)
    except IncomingTransfer.DoesNotExist:
        raise _not_found("transfer") from None


def scope_ids(user, org_id: int | None) -> set[int]:
    """The organisations a list or a statistic covers: one organisation's subtree, or the whole reach."""
    reach = require_officer(user)
    if org_id is None:
        return reach
    if org_id not in reach:
        raise _not_found("organization")
    return subtree_ids({org_id}) & reach
