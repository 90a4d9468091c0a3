"""Sharing a document with a named colleague (need to know, documents/access.py).

Clerks and leaders see all of their organisation's correspondence; a specialist sees what is
assigned to them, what they drafted, and what is shared with them here. A clerk or a leader of an
organisation that holds a document (its issuer or a recipient) shares it with a person of that
organisation to read; the drafter of a document shares it with a colleague to review. Each share
and each withdrawal is one audited action.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.errors import InvalidState, NotAllowed, Unprocessable
from vanthu.organizations.models import Membership
from vanthu.text import NOTE_MAX, clean_text

from . import access, events
from .models import Document, DocumentShare, SharePurpose


def _check_org(user, document: Document, org_id: int | None) -> int:
    orgs = access.share_orgs(user, document)
    if org_id is None and len(orgs) == 1:
        return orgs[0]
    if org_id not in orgs:
        raise NotAllowed(_("Chỉ văn thư, lãnh đạo đơn vị hoặc người soạn văn bản mới được chia sẻ văn bản."), code="share_not_allowed")
    return org_id


@transaction.atomic
def share_document(document: Document, *, user, person_id: int, organization_id: int | None = None,
                   purpose: str = SharePurpose.READ, note: str = "") -> DocumentShare:
    """Open `document` to one person of the organisation through which it is shared."""
    org_id = _check_org(user, document, organization_id)
    if access.handed_over(document.id, org_id):  # read-only there: read by the archive's rules only
        raise InvalidState(_("Văn bản đã nộp lưu, chỉ được xem: không chia sẻ được."), code="document_handed_over")
    if purpose not in SharePurpose.values:
        raise Unprocessable(_("Mục đích chia sẻ không hợp lệ."), code="invalid_share_purpose", details={"field": "purpose"})
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True, label=_("Ghi chú"))
    if not Membership.objects.for_user(person_id).filter(organization_id=org_id).exists():
        raise Unprocessable(_("Người được chia sẻ phải là thành viên của đơn vị."), code="person_not_in_organization",
                            details={"field": "person_id"})
    if person_id == user.id:
        raise Unprocessable(_("Không cần chia sẻ văn bản với chính mình."), code="share_with_self", details={"field": "person_id"})
    share, created = DocumentShare.objects.get_or_create(
        document=document, organization_id=org_id, user_id=person_id,
        defaults={"purpose": purpose, "note": note, "shared_by": user, "shared_at": timezone.now()},
    )
    if not created:
        raise InvalidState(_("Văn bản đã được chia sẻ với người này."), code="already_shared", details={"person_id": person_id})
    events.document_shared.publish(share=share, user=user)
    record("document_shared", actor=user, obj=document, data={"person": person_id, "organization": org_id, "purpose": purpose})
    return share


@transaction.atomic
def withdraw_share(share: DocumentShare, *, user) -> None:
    """Close a document again to the person it was shared with."""
    _check_org(user, share.document, share.organization_id)
    record("document_share_withdrawn", actor=user, obj=share.document,
           data={"person": share.user_id, "organization": share.organization_id})
    share.delete()


def shares_of(user, document: Document):
    """The shares of a document someone who may share it sees (the document page's list)."""
    orgs = access.share_orgs(user, document)
    return (DocumentShare.objects.filter(document=document, organization_id__in=orgs)
            .select_related("user", "shared_by", "organization").order_by("shared_at", "id"))
