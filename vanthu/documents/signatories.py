"""Signing authority (thẩm quyền ký), kept by the organisation's own administrator.

A Signatory row says that a leader of an organisation signs its documents, and how: the form
(T/M, K/T, T/L, T/U, Q. or in their own name), for whom, and the position printed under the
signature, and the period of authority. Drafters choose among the rows in force today
(SignatoryQuerySet.of_organization, actions.choose_signatory). Rows are never
deleted, only ended (is_active False): documents already drafted keep pointing at who signed.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.errors import NotFound, Unprocessable
from vanthu.organizations.access import administered_orgs, administers_org
from vanthu.organizations.models import Membership, Organization, Role
from vanthu.text import clean_text

from .models import Signatory, SigningForm


def administered_signatories(user) -> QuerySet[Signatory]:
    """The signing authority of every organisation the person administers, for listing."""
    return (Signatory.objects.filter(organization__in=administered_orgs(user))
            .select_related("organization", "user").order_by("organization__name", "-is_active", "sort_order", "id"))


def get_administered_signatory(user, signatory_id: int) -> Signatory:
    row = administered_signatories(user).filter(id=signatory_id).first()
    if row is None:
        raise NotFound(_("Không tìm thấy thẩm quyền ký."), code="signatory_not_found")
    return row


def _describe(row: Signatory) -> dict:
    return {"organization": row.organization.name, "signer": row.user.get_full_name(), "form": row.form,
            "on_behalf_of": row.on_behalf_of, "position": row.position, "active": row.is_active,
            "valid_from": row.valid_from.strftime("%d/%m/%Y") if row.valid_from else None,
            "valid_to": row.valid_to.strftime("%d/%m/%Y") if row.valid_to else None}


@transaction.atomic
def save_signatory(*, user, organization: Organization, person, form: str, on_behalf_of: str = "", position: str = "",
                   is_active: bool = True, sort_order: int = 10, valid_from: date | None = None,
                   valid_to: date | None = None, signatory: Signatory | None = None) -> Signatory:
    """Add a leader's signing authority, or change one (`signatory`). Only a person holding the
    leader role in that organisation can sign for it."""
    if not administers_org(user, organization.id) or (signatory is not None and not administers_org(user, signatory.organization_id)):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    if form not in SigningForm.values:
        raise Unprocessable(_("Hình thức ký không hợp lệ."), code="invalid_signing_form", details={"field": "form"})
    on_behalf_of = clean_text(on_behalf_of, field="on_behalf_of", max_length=96, label=_("Thay mặt, ký thay cho")).strip()
    position = clean_text(position, field="position", max_length=128, label=_("Chức vụ")).strip()
    if form and not on_behalf_of:
        raise Unprocessable(_("Hình thức %(form)s cần ghi rõ thay mặt hoặc ký thay cho ai, ví dụ BAN THƯỜNG VỤ hoặc BÍ THƯ.")
                            % {"form": form}, code="on_behalf_of_required", details={"field": "on_behalf_of"})
    if not Membership.objects.filter(user=person, organization=organization, role=Role.LEADER, user__is_active=True).exists():
        raise Unprocessable(_("Người ký phải là lãnh đạo của tổ chức này (có vai trò Lãnh đạo)."), code="signer_not_leader",
                            details={"field": "person"})
    if valid_from and valid_to and valid_to < valid_from:
        raise Unprocessable(_("Ngày kết thúc thẩm quyền không được trước ngày bắt đầu."), code="period_reversed",
                            details={"field": "valid_to"})
    created = signatory is None
    row = signatory or Signatory(organization=organization)
    before = {} if created else _describe(row)
    row.organization, row.user = organization, person
    row.form, row.on_behalf_of, row.position, row.is_active, row.sort_order = form, on_behalf_of, position, is_active, sort_order
    row.valid_from, row.valid_to = valid_from, valid_to
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise Unprocessable(_("Người này đã có thẩm quyền ký với đúng hình thức đó ở tổ chức này."), code="signatory_exists",
                            details={"field": "form"}) from None
    after = _describe(row)
    if created:
        record("signatory_added", actor=user, obj=row, data=after)
    else:
        changes = {k: [before[k], v] for k, v in after.items() if before.get(k) != v}
        record("signatory_changed", actor=user, obj=row,
               data={"organization": row.organization.name, "signer": row.user.get_full_name(), "changes": changes})
    return row
