"""Fetching documents, deliveries and files for a person. Not found and not allowed look alike.

Need to know inside an organisation (DOMAIN.md, roles):
- a clerk or a leader sees all of their organisation's correspondence: what it issued (drafts
  included) and everything delivered to it, accepted or not;
- so does every member of an organisation that set `all_members_see_correspondence`;
- anyone else (a specialist, an inspector, an organisation's administrator) sees, there, the
  incoming documents assigned to them (main, co-handler or for information), the documents a
  clerk, a leader or the drafter shared with them (`DocumentShare`), and the documents they drafted.

The other rules the pages, the API and the actions ask alike live here too, one predicate each:
who accepts an organisation's arrivals (`may_accept_for`, `arrivals_to_accept` for the bulk
acceptance), who reads an organisation's delegations of signing, names a deputy or ends one
(`sees_delegations_of`, `may_delegate_signing`, `may_revoke_delegation`), who shares a document.

Assignments belong to `workflow`, a layer above this one, so this module cannot read them: the
workflow app registers, at ready(), a function that gives the deliveries assigned to a person
(`register_assigned_deliveries`). The rule stays here, in one place; the layers keep pointing one way.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vanthu.errors import NotAllowed, NotFound
from vanthu.organizations.access import has_role, is_member, member_org_ids, roles_by_org
from vanthu.organizations.models import Organization, Role

from .models import (
    Delegation,
    Delivery,
    Document,
    DocumentFile,
    DocumentShare,
    Signatory,
    StoredFile,
)

FULL_VIEW_ROLES = frozenset({Role.CLERK, Role.LEADER})

# user -> a QuerySet of the ids of the deliveries assigned to them (values_list("…", flat=True)).
_assigned_sources: list[Callable[[object], QuerySet]] = []


def register_assigned_deliveries(source: Callable[[object], QuerySet]) -> None:
    """Let a higher app say which deliveries are assigned to a person (workflow, at ready())."""
    if source not in _assigned_sources:
        _assigned_sources.append(source)


def full_view_org_ids(user) -> set[int]:
    """The person's organisations whose whole correspondence they see (cached per request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    roles = roles_by_org(user)
    cached = getattr(user, "_vanthu_full_view", None)
    # Keyed to the roles map it was computed from: whatever drops that cache drops this one too.
    if cached is None or cached[0] is not roles:
        full = {org_id for org_id, held in roles.items() if held & FULL_VIEW_ROLES}
        rest = set(roles) - full
        if rest:
            full |= set(Organization.objects.filter(id__in=rest, all_members_see_correspondence=True)
                        .values_list("id", flat=True))
        cached = (roles, full)
        user._vanthu_full_view = cached
    return cached[1]


def sees_all_of(user, org_id: int | None) -> bool:
    """Whether the person sees all of one organisation's correspondence."""
    return org_id is not None and org_id in full_view_org_ids(user)


def narrow_org_ids(user) -> set[int]:
    """The person's organisations where they see only what they need to know."""
    return member_org_ids(user) - full_view_org_ids(user)


def _assigned(user) -> Q | None:
    cond = None
    for source in _assigned_sources:
        q = Q(id__in=source(user))
        cond = q if cond is None else cond | q
    return cond


def _shared_document_ids(user, org_ids) -> QuerySet:
    return DocumentShare.objects.filter(user=user, organization_id__in=org_ids).values("document_id")


def narrow_deliveries(user, org_ids) -> Q:
    """The deliveries to `org_ids` (where the person has the narrow view) that they need to know."""
    cond = Q(document_id__in=_shared_document_ids(user, org_ids))
    assigned = _assigned(user)
    if assigned is not None:
        cond |= assigned
    return Q(recipient_id__in=org_ids) & cond


def narrow_documents(user, org_ids) -> Q:
    """The documents issued by `org_ids` (narrow view) the person drafted or was shared."""
    return Q(issuer_id__in=org_ids) & (Q(created_by=user) | Q(id__in=_shared_document_ids(user, org_ids)))


def visible_delivery_rows(user) -> QuerySet[Delivery]:
    """Incoming records the person may see, in any of their organisations."""
    full, narrow = full_view_org_ids(user), narrow_org_ids(user)
    cond = Q(recipient_id__in=full)
    if narrow:
        cond |= narrow_deliveries(user, narrow)
    return Delivery.objects.filter(cond)


def deliveries_seen_in(user, org_id: int, qs: QuerySet[Delivery] | None = None) -> QuerySet[Delivery]:
    """One organisation's incoming records (its inbox) as this person sees them."""
    qs = Delivery.objects.for_organization(org_id) if qs is None else qs.filter(recipient_id=org_id)
    if sees_all_of(user, org_id):
        return qs
    return qs.filter(narrow_deliveries(user, {org_id}))


def documents_seen_in(user, org_id: int, qs: QuerySet[Document] | None = None) -> QuerySet[Document]:
    """One organisation's outgoing documents (its outgoing list) as this person sees them."""
    qs = Document.objects.issued_by(org_id) if qs is None else qs.filter(issuer_id=org_id)
    if sees_all_of(user, org_id):
        return qs
    return qs.filter(narrow_documents(user, {org_id}))


def visible_documents(user) -> QuerySet[Document]:
    """Documents a person may see: their organisations' correspondence, as far as they need to know."""
    full, narrow = full_view_org_ids(user), narrow_org_ids(user)
    addressed = Delivery.objects.filter(recipient_id__in=full).values("document_id")
    cond = Q(issuer_id__in=full) | Q(id__in=addressed)
    if narrow:
        cond |= narrow_documents(user, narrow)
        cond |= Q(id__in=Delivery.objects.filter(narrow_deliveries(user, narrow)).values("document_id"))
    return Document.objects.filter(cond)


def narrow_document_sources(user, org_ids) -> list[QuerySet]:
    """`visible_documents`' narrow part as subqueries of document ids, each read through its own
    index (drafter, share's person, assignment's person), for a query that ORs them with its own
    condition (search: `id IN (…) OR id IN (…)` next to the index match).

    Each id is one the person may see *provided* the document belongs to one of `org_ids` (issued
    by it or delivered to it): the caller ties them to those organisations, as the search index's
    organisation tokens do. The drafter's ones carry their issuer here."""
    sources = [
        Document.objects.filter(created_by=user, issuer_id__in=org_ids).values("id"),
        _shared_document_ids(user, org_ids),
    ]
    assigned = _assigned(user)
    if assigned is not None:
        sources.append(Delivery.objects.filter(assigned, recipient_id__in=org_ids).values("document_id"))
    return sources


def get_document(user, document_id: int, *, for_update: bool = False) -> Document:
    qs = visible_documents(user).with_related()
    if for_update:
        # Lock only the document row; the visibility subquery stays a plain read.
        if not qs.filter(id=document_id).exists():
            raise NotFound(_("Không tìm thấy văn bản."), code="document_not_found")
        return Document.objects.select_for_update(of=("self",)).select_related("issuer", "doc_type").get(id=document_id)
    try:
        return qs.get(id=document_id)
    except Document.DoesNotExist:
        raise NotFound(_("Không tìm thấy văn bản."), code="document_not_found") from None


def sees_as_issuer(user, document: Document) -> bool:
    """Whether the person sees the document as its issuing organisation does (all its recipients)."""
    if document.issuer_id is None or document.issuer_id not in member_org_ids(user):
        return False
    if sees_all_of(user, document.issuer_id):
        return True
    return documents_seen_in(user, document.issuer_id).filter(id=document.id).exists()


def visible_deliveries(user, document: Document) -> QuerySet[Delivery]:
    """The sender's organisation sees every recipient; a recipient sees only its own row."""
    qs = Delivery.objects.filter(document=document).select_related("recipient")
    if sees_as_issuer(user, document):
        return qs
    return qs.filter(id__in=visible_delivery_rows(user).filter(document=document).values("id"))


def get_delivery(user, delivery_id: int) -> Delivery:
    """A delivery as the recipient organisation sees it (inbox, incoming record).

    Actions lock the row themselves inside their own transaction."""
    qs = visible_delivery_rows(user).filter(id=delivery_id)
    try:
        return qs.select_related("document__issuer", "document__doc_type", "recipient").get()
    except Delivery.DoesNotExist:
        raise NotFound(_("Không tìm thấy văn bản đến."), code="delivery_not_found") from None


def get_file(user, sha256: str) -> StoredFile:
    uses = DocumentFile.objects.filter(file_id=sha256, document__in=visible_documents(user))
    if not uses.exists():
        raise NotFound(_("Không tìm thấy tệp."), code="file_not_found")
    return StoredFile.objects.get(sha256=sha256)


# --- accepting arrivals -----------------------------------------------------------------------

def may_accept_for(user, org_id: int | None) -> bool:
    """Who accepts (or refuses) an organisation's arrivals: its own clerk; a clerk of an
    organisation above or below it is not its clerk."""
    return org_id is not None and has_role(user, org_id, Role.CLERK)


def arrivals_to_accept(user, org_id: int, ids) -> QuerySet[Delivery]:
    """The organisation's deliveries among `ids`, for its clerk to accept at once (page and API).
    Ids of other organisations' deliveries (or made up) are simply not among them."""
    if not is_member(user, org_id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    if not may_accept_for(user, org_id):
        raise NotAllowed(_("Chỉ văn thư đơn vị mới được tiếp nhận văn bản đến."), code="role_not_allowed",
                         details={"required_roles": [Role.CLERK.value]})
    return Delivery.objects.for_organization(org_id).filter(id__in=ids).with_document()


# --- delegations of signing --------------------------------------------------------------------

def sees_delegations_of(user, org_id: int | None) -> bool:
    """Who signs in whose place is no secret inside the organisation (its drafters need it), and
    nobody else's business: a member of the organisation, not of one above or below it."""
    return org_id is not None and is_member(user, org_id)


def may_delegate_signing(user, org_id: int) -> bool:
    """A leader of the organisation who holds signing authority there names a deputy."""
    return has_role(user, org_id, Role.LEADER) and Signatory.objects.of_organization(org_id).filter(user=user).exists()


def may_revoke_delegation(user, delegation: Delegation) -> bool:
    """Only the leader who delegated ends it early."""
    return delegation.delegator_id == user.id


def delegations_of(user, org_id: int) -> QuerySet[Delegation]:
    """The organisation's delegations, newest first, for its members."""
    if not sees_delegations_of(user, org_id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    return Delegation.objects.filter(organization_id=org_id).select_related("delegator", "deputy").order_by("-starts_on", "-id")


def get_delegation(user, delegation_id: int) -> Delegation:
    found = Delegation.objects.filter(id=delegation_id).select_related("delegator", "deputy").first()
    if found is None or not sees_delegations_of(user, found.organization_id):
        raise NotFound(_("Không tìm thấy ủy quyền."), code="delegation_not_found")
    return found


# --- sharing -------------------------------------------------------------------------------------

def may_share(user, document: Document, org_id: int) -> bool:
    """Who may open a document to a colleague of `org_id`: a clerk or a leader of the organisation
    that holds it (issuer or recipient), or the drafter of one of its own documents (to ask a review)."""
    held = roles_by_org(user).get(org_id, set())
    if held & FULL_VIEW_ROLES:
        return True
    return document.issuer_id == org_id and document.created_by_id == user.id and org_id in member_org_ids(user)


def share_orgs(user, document: Document) -> list[int]:
    """The organisations through which the person may share this document (issuer, recipients)."""
    mine = member_org_ids(user)
    candidates = set()
    if document.issuer_id in mine:
        candidates.add(document.issuer_id)
    others = mine - {document.issuer_id}
    if others:  # most people belong to one organisation: then no question to ask
        candidates |= set(Delivery.objects.filter(document=document, recipient_id__in=others).values_list("recipient_id", flat=True))
    return sorted(o for o in candidates if may_share(user, document, o))
