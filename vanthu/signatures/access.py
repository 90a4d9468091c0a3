"""Who may do what with a document's signatures, in one place (the page and its view ask here)."""

from __future__ import annotations

from vanthu.documents.models import Delivery, Document
from vanthu.organizations.access import roles_by_org
from vanthu.organizations.models import Role


def may_reverify(user, document: Document) -> bool:
    """A clerk of the issuing organisation, or of one the document was delivered to, checks its
    signatures again (after the trust roots changed, or revocation data came back)."""
    clerk_of = {org_id for org_id, roles in roles_by_org(user).items() if Role.CLERK in roles}
    if not clerk_of:
        return False
    if document.issuer_id in clerk_of:
        return True
    return Delivery.objects.filter(document_id=document.id, recipient_id__in=clerk_of).exists()
