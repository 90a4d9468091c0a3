"""Delegation of signing (ủy quyền ký): a leader going away names a deputy who, for a period,
approves and signs the documents submitted for the leader's signature.

The deputy signs in their own name, with their own certificate (the stamp and "Người ký" are
theirs), standing in for the leader: the document records whom they stood in for
(`Document.stood_in_for`), with which form (K/T or Q.) and by which delegation. A delegation is
never deleted; one ended early is cancelled, and both are audited.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.errors import InvalidState, NotAllowed, NotFound, Unprocessable
from vanthu.organizations.access import is_member
from vanthu.organizations.models import Membership, Organization, Role
from vanthu.text import NOTE_MAX, clean_text

from .access import may_delegate_signing, may_revoke_delegation
from .models import DELEGATION_FORMS, Delegation, Document, Signatory

# Long absences are covered by a new decision on who holds the office, not by a delegation.
MAX_DAYS = 366


def active_delegation(document: Document, deputy, *, day: date | None = None) -> Delegation | None:
    """The delegation in force today by which `deputy` stands in for the leader chosen to sign."""
    if document.signer_id is None or document.signer_id == deputy.id:
        return None
    day = day or timezone.localdate()
    return (Delegation.objects.active_on(day)
            .filter(organization_id=document.issuer_id, delegator_id=document.signer_id, deputy_id=deputy.id)
            .order_by("-starts_on", "-id").first())


def signature_block(document: Document, delegation: Delegation) -> tuple[str, str]:
    """The authority and position the deputy's signature block prints: "K/T BÍ THƯ" over the
    deputy's own position, or "Q. BÍ THƯ" (the acting head, who has no other line)."""
    office = document.signatory.position if document.signatory_id else ""
    office = office or document.signer_position
    return f"{delegation.form} {office}".strip(), delegation_position(delegation)


def delegation_position(delegation: Delegation) -> str:
    return "" if delegation.form == "Q." else delegation.position


def _is_leader(org_id: int, user_id: int) -> bool:
    return Membership.objects.filter(organization_id=org_id, user_id=user_id, role=Role.LEADER, user__is_active=True).exists()


@transaction.atomic
def create_delegation(*, user, organization: Organization, deputy_id: int, form: str, starts_on: date | None,
                      ends_on: date | None, reason: str = "", position: str = "") -> Delegation:
    """A leader with signing authority names a deputy (a leader of the same organisation) to
    approve and sign in their place from `starts_on` to `ends_on`, both included."""
    if not is_member(user, organization.id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    if not may_delegate_signing(user, organization.id):
        raise NotAllowed(_("Chỉ lãnh đạo có thẩm quyền ký mới ủy quyền ký được."), code="no_signing_authority")
    reason = clean_text(reason, field="reason", max_length=NOTE_MAX, multiline=True, label=_("Lý do"))
    position = clean_text(position, field="position", max_length=128, label=_("Chức vụ người được ủy quyền"))
    if form not in DELEGATION_FORMS:
        raise Unprocessable(_("Hình thức ủy quyền phải là K/T (ký thay) hoặc Q. (quyền)."), code="invalid_delegation_form",
                            details={"field": "form", "allowed": [str(f.value) for f in DELEGATION_FORMS]})
    if deputy_id == user.id:
        raise Unprocessable(_("Không thể tự ủy quyền cho chính mình."), code="delegation_to_self", details={"field": "deputy_id"})
    if not _is_leader(organization.id, deputy_id):
        raise Unprocessable(_("Người được ủy quyền phải là lãnh đạo của đơn vị."), code="unknown_deputy", details={"field": "deputy_id"})
    if starts_on is None:
        raise Unprocessable(_("Chưa nhập ngày bắt đầu."), code="starts_on_required", details={"field": "starts_on"})
    if ends_on is None:
        raise Unprocessable(_("Chưa nhập ngày kết thúc."), code="ends_on_required", details={"field": "ends_on"})
    if ends_on < starts_on:
        raise Unprocessable(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."), code="delegation_period_reversed", details={"field": "ends_on"})
    if ends_on < timezone.localdate():
        raise Unprocessable(_("Thời gian ủy quyền đã qua."), code="delegation_in_past", details={"field": "ends_on"})
    if ends_on - starts_on > timedelta(days=MAX_DAYS - 1):
        raise Unprocessable(_("Mỗi lần ủy quyền không quá %(n)s ngày.") % {"n": MAX_DAYS}, code="delegation_too_long",
                            details={"field": "ends_on"})
    if not position:
        own = Signatory.objects.of_organization(organization.id).filter(user_id=deputy_id).order_by("sort_order", "id").first()
        position = own.position if own else ""
    # One deputy at a time: two would leave the drafters guessing who signs.
    overlapping = (Delegation.objects.select_for_update()
                   .filter(organization=organization, delegator=user, revoked_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on)
                   .select_related("deputy").first())
    if overlapping is not None:
        raise InvalidState(
            _("Đồng chí đã ủy quyền cho %(name)s từ %(start)s đến %(end)s. Hãy hủy ủy quyền đó trước.") % {
                "name": overlapping.deputy.get_full_name(), "start": overlapping.starts_on.strftime("%d/%m/%Y"),
                "end": overlapping.ends_on.strftime("%d/%m/%Y")},
            code="delegation_overlaps", details={"delegation_id": overlapping.id})
    delegation = Delegation.objects.create(organization=organization, delegator=user, deputy_id=deputy_id, form=form,
                                           starts_on=starts_on, ends_on=ends_on, reason=reason, position=position, created_by=user)
    record("delegation_created", actor=user, obj=delegation, data={
        "organization": organization.id, "deputy": deputy_id, "form": form, "starts_on": starts_on, "ends_on": ends_on, "reason": reason})
    return delegation


@transaction.atomic
def revoke_delegation(delegation: Delegation, *, user) -> Delegation:
    """The leader who delegated ends it early: from now on the deputy no longer stands in."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if not may_revoke_delegation(user, delegation):
        raise NotAllowed(_("Chỉ người ủy quyền mới hủy được ủy quyền này."), code="not_the_delegator")
    if delegation.revoked_at is not None:
        raise InvalidState(_("Ủy quyền này đã được hủy."), code="delegation_revoked")
    delegation.revoked_at, delegation.revoked_by = timezone.now(), user
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    record("delegation_revoked", actor=user, obj=delegation, data={"deputy": delegation.deputy_id})
    return delegation
