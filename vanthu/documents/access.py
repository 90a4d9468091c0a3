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

Handed over to the archive (nộp lưu): once an organisation has handed a case file over to its
archive, the documents in it are read there only by the archive's rules (the archivist, or someone
whose request the archivist approved, until the date the approval names). The archive app, above
this one, registers at ready() which (document, organisation) pairs are sealed to a person
(`register_handed_over`); every path to a document through an organisation (issued by it,
delivered to it) is cut where that organisation sealed it. Only that organisation's path: a copy
delivered to another organisation that has not handed it over stays readable there. The filter is
part of the same SQL query (`open_in`: NOT EXISTS a sealed row for this (organisation, document),
a probe of one partial index that PostgreSQL turns into an anti-join for a list), never a check per
row in Python; no extra query. A question about one document (`visible_documents(user,
document_id=…)`: the document page, `get_document`, `get_file`) pins every subquery to that
document, so that it costs a few index probes whatever the size of the organisation's archive.
Lists of work (inbox, outgoing, dashboard, search) leave sealed documents out; the registers keep
their rows, marked and without a link (`documents_seen_in(..., sealed="mark")`), those of disposed
case files marked so (`disposed`): disposal seals them in that organisation for everyone.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import reduce

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
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


# user -> rows with `document_id` and `organization_id`: the documents an organisation handed over
# to its archive that the person may not read there (archive, at ready()); for None, all of them.
_sealed_sources: list[Callable[[object], QuerySet]] = []
# user -> querysets of rows with `document_id` and `organization_id`: the handed-over documents the
# person reads by the archive's rules, in organisations they belong to (archivist, approved request).
_archive_readers: list[Callable[[object], list[QuerySet]]] = []
# () -> rows with `document_id` and `organization_id`: the documents an organisation disposed of
# (sealed there for everyone); the registers mark them so.
_disposed_sources: list[Callable[[], QuerySet]] = []


def register_handed_over(sealed: Callable[[object], QuerySet], readable: Callable[[object], list[QuerySet]],
                         disposed: Callable[[], QuerySet] | None = None) -> None:
    """Let a higher app (archive) say which documents organisations handed over, sealed to whom,
    which of them a person reads by the archive's rules (even beyond their need to know), and
    which an organisation disposed of."""
    if sealed not in _sealed_sources:
        _sealed_sources.append(sealed)
    if readable not in _archive_readers:
        _archive_readers.append(readable)
    if disposed is not None and disposed not in _disposed_sources:
        _disposed_sources.append(disposed)


def _pinned(qs: QuerySet, field: str, document_id) -> QuerySet:
    """`qs` narrowed to one document (an id) or a few (a subquery or list of ids); as is for None."""
    if document_id is None:
        return qs
    if isinstance(document_id, int):
        return qs.filter(**{field: document_id})
    return qs.filter(**{f"{field}__in": document_id})


def _archive_read_q(user, row_q: Callable[[QuerySet], Q], document_id=None) -> Q | None:
    """The OR of `row_q` over the archive's readable rows for the person, None when there are none."""
    conds = [row_q(_pinned(rows, "document_id", document_id)) for source in _archive_readers for rows in source(user)]
    return reduce(operator.or_, conds) if conds else None


def _archive_read(user, document_id=None) -> Q | None:
    """Documents the person reads by the archive's rules (a Q on Document)."""
    return _archive_read_q(user, lambda rows: Q(Exists(rows.filter(document_id=OuterRef("id")))), document_id)


def _archive_read_delivery(user, document_id=None) -> Q | None:
    """Incoming records whose document the person reads by the archive's rules in that organisation."""
    return _archive_read_q(user, lambda rows: Q(Exists(rows.filter(document_id=OuterRef("document_id"),
                                                                       organization_id=OuterRef("recipient_id")))), document_id)


def _sealed_here(user, org_ids, document: str, org: str | None = None) -> list[QuerySet]:
    """The sealed rows of this row's (organisation, document), among `org_ids`' (the organisation
    is the row's field `org`, or the one of `org_ids`). Each a probe of the partial index on
    (organisation, document); should PostgreSQL hash them instead, `org_ids` bounds the set."""
    org_ids = sorted(org_ids)
    if len(org_ids) == 1:
        where = {"organization_id": org_ids[0]}
    else:
        where = {"organization_id__in": org_ids, "organization_id": OuterRef(org)}
    return [source(user).filter(document_id=OuterRef(document), **where) for source in _sealed_sources]


def open_in(user, org_ids, document: str, org: str) -> Q:
    """The rows of `org_ids` (field `org`) whose document (field `document`) is not sealed to the
    person in that organisation: NOT EXISTS a sealed row for the row's (organisation, document),
    one probe of the partial index per row, or an anti-join on it when the query lists many rows.
    (A NOT IN the organisation's sealed ids would hash every id it sealed, even for one document.)"""
    cond = Q(**{f"{org}__in": sorted(org_ids)})
    if not org_ids:
        return cond
    for rows in _sealed_here(user, org_ids, document, org):
        cond &= ~Exists(rows)
    return cond


def handed_over(document_id: int, org_id: int | None) -> bool:
    """Whether the organisation handed the document over to its archive: there it is read-only."""
    return org_id is not None and any(
        source(None).filter(document_id=document_id, organization_id=org_id).exists() for source in _sealed_sources)


def handed_over_here(org: str, document: str) -> ExpressionWrapper:
    """An annotation: whether the row's organisation (field `org`) handed the row's document (field
    `document`) over to its archive, so that there it is read-only (the document page asks it in
    the queries it runs anyway)."""
    conds = [Q(Exists(source(None).filter(organization_id=OuterRef(org), document_id=OuterRef(document)))) for source in _sealed_sources]
    return ExpressionWrapper(reduce(operator.or_, conds) if conds else Value(False), output_field=BooleanField())


def sealed_document_ids(user, org_ids) -> QuerySet | None:
    """The ids of the documents sealed to the person in any of `org_ids` (search leaves them out)."""
    parts = [source(user).filter(organization_id__in=list(org_ids)).order_by().values("document_id") for source in _sealed_sources]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else parts[0].union(*parts[1:])


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


def _narrow_deliveries_open(user, org_ids, document_id=None) -> Q:
    cond = Q(document_id__in=_pinned(_shared_document_ids(user, org_ids), "document_id", document_id))
    assigned = _assigned(user)
    if assigned is not None:
        cond |= assigned
    return Q(recipient_id__in=org_ids) & cond


def narrow_deliveries(user, org_ids, document_id=None) -> Q:
    """The deliveries to `org_ids` (where the person has the narrow view) that they need to know."""
    return _narrow_deliveries_open(user, org_ids, document_id) & open_in(user, org_ids, "document_id", "recipient_id")


def _narrow_documents_open(user, org_ids, document_id=None) -> Q:
    shared = _pinned(_shared_document_ids(user, org_ids), "document_id", document_id)
    return Q(issuer_id__in=org_ids) & (Q(created_by=user) | Q(id__in=shared))


def narrow_documents(user, org_ids, document_id=None) -> Q:
    """The documents issued by `org_ids` (narrow view) the person drafted or was shared."""
    return _narrow_documents_open(user, org_ids, document_id) & open_in(user, org_ids, "id", "issuer_id")


def visible_delivery_rows(user, *, document_id=None) -> QuerySet[Delivery]:
    """Incoming records the person may see, in any of their organisations (of one document:
    `document_id`, every subquery pinned to it)."""
    full, narrow = full_view_org_ids(user), narrow_org_ids(user)
    cond = open_in(user, full, "document_id", "recipient_id")
    if narrow:
        cond |= narrow_deliveries(user, narrow, document_id)
    archive = _archive_read_delivery(user, document_id)
    if archive is not None:
        cond |= archive
    return _pinned(Delivery.objects.filter(cond), "document_id", document_id)


def _with_sealed(qs: QuerySet, user, how: str, org_id: int, document: str) -> QuerySet:
    """hide: leave the sealed rows out (an anti-join on the partial index); mark: keep them, each
    with `sealed` saying which they are and `disposed` which the organisation disposed of."""
    rows = _sealed_here(user, {org_id}, document)
    if not rows:
        return qs
    if how == "mark":
        disposed = [source().filter(organization_id=org_id, document_id=OuterRef(document)) for source in _disposed_sources]
        return qs.annotate(
            sealed=ExpressionWrapper(reduce(operator.or_, (Q(Exists(r)) for r in rows)), output_field=BooleanField()),
            disposed=ExpressionWrapper(reduce(operator.or_, (Q(Exists(r)) for r in disposed)) if disposed else Value(False),
                                       output_field=BooleanField()))
    for r in rows:
        qs = qs.filter(~Exists(r))
    return qs


def deliveries_seen_in(user, org_id: int, qs: QuerySet[Delivery] | None = None, *, sealed: str = "hide") -> QuerySet[Delivery]:
    """One organisation's incoming records (its inbox) as this person sees them.

    `sealed="mark"` (the register) keeps the records of documents handed over to the archive,
    annotated `sealed`; by default they are left out."""
    qs = Delivery.objects.for_organization(org_id) if qs is None else qs.filter(recipient_id=org_id)
    if not sees_all_of(user, org_id):
        qs = qs.filter(Q(recipient_id=org_id) & _narrow_deliveries_open(user, {org_id}))
    return _with_sealed(qs, user, sealed, org_id, "document_id")


def documents_seen_in(user, org_id: int, qs: QuerySet[Document] | None = None, *, sealed: str = "hide") -> QuerySet[Document]:
    """One organisation's outgoing documents (its outgoing list) as this person sees them.

    `sealed="mark"` (the register) keeps the documents handed over to the archive, annotated
    `sealed`; by default they are left out."""
    qs = Document.objects.issued_by(org_id) if qs is None else qs.filter(issuer_id=org_id)
    if not sees_all_of(user, org_id):
        qs = qs.filter(Q(issuer_id=org_id) & _narrow_documents_open(user, {org_id}))
    return _with_sealed(qs, user, sealed, org_id, "id")


def visible_documents(user, *, document_id=None) -> QuerySet[Document]:
    """Documents a person may see: their organisations' correspondence, as far as they need to know.

    `document_id` (an id, or a subquery of ids) asks about those documents only: every subquery
    is pinned to them, so that one document costs a few index probes, not a hash of every
    delivery to the organisation (the rule is the same)."""
    full, narrow = full_view_org_ids(user), narrow_org_ids(user)
    addressed = _pinned(Delivery.objects.filter(open_in(user, full, "document_id", "recipient_id")), "document_id", document_id)
    cond = open_in(user, full, "id", "issuer_id") | Q(id__in=addressed.values("document_id"))
    if narrow:
        cond |= narrow_documents(user, narrow, document_id)
        received = _pinned(Delivery.objects.filter(narrow_deliveries(user, narrow, document_id)), "document_id", document_id)
        cond |= Q(id__in=received.values("document_id"))
    archive = _archive_read(user, document_id)
    if archive is not None:
        cond |= archive
    return _pinned(Document.objects.filter(cond), "id", document_id)


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
    for reader in _archive_readers:  # the case files the archive lets them read (archivist, request)
        sources.extend(rows.order_by().values("document_id") for rows in reader(user))
    return sources


def get_document(user, document_id: int, *, for_update: bool = False, mark_handed_over: bool = False) -> Document:
    """`mark_handed_over`: with `handed_over_by_issuer`, whether its issuer handed it over (read-only there)."""
    qs = visible_documents(user, document_id=document_id).with_related()
    if mark_handed_over:
        qs = qs.annotate(handed_over_by_issuer=handed_over_here("issuer_id", "id"))
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
    return documents_seen_in(user, document.issuer_id, Document.objects.filter(id=document.id)).exists()


def visible_deliveries(user, document: Document) -> QuerySet[Delivery]:
    """The sender's organisation sees every recipient; a recipient sees only its own row."""
    qs = Delivery.objects.filter(document=document).select_related("recipient")
    if sees_as_issuer(user, document):
        return qs
    return qs.filter(id__in=visible_delivery_rows(user, document_id=document.id).values("id"))


def get_delivery(user, delivery_id: int) -> Delivery:
    """A delivery as the recipient organisation sees it (inbox, incoming record).

    Actions lock the row themselves inside their own transaction."""
    qs = visible_delivery_rows(user).filter(id=delivery_id)
    try:
        return qs.select_related("document__issuer", "document__doc_type", "recipient").get()
    except Delivery.DoesNotExist:
        raise NotFound(_("Không tìm thấy văn bản đến."), code="delivery_not_found") from None


def get_file(user, sha256: str) -> StoredFile:
    used_by = DocumentFile.objects.filter(file_id=sha256).values("document_id")
    uses = DocumentFile.objects.filter(file_id=sha256, document__in=visible_documents(user, document_id=used_by))
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
