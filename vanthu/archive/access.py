"""Who sees and does what in the archive. Not found and not allowed look alike (404).

- Every member of an organisation sees its file lists and its case files' descriptions.
- The organisation's clerk, leaders and administrator keep the file list (headings, entries).
- Clerk, leaders and specialists file documents into case files that are not yet handed over;
  a specialist only into those they are responsible for.
- After handover a case file is read-only, and its contents are read by the archivist (appointed
  by the organisation's administrator) or by someone whose request the archivist approved, until
  the date the approval names.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vanthu.errors import NotFound
from vanthu.organizations.access import has_role, is_member, member_org_ids
from vanthu.organizations.models import Role

from .models import (
    AccessRequest,
    Archivist,
    CaseFile,
    CaseItem,
    CaseStatus,
    Disposal,
    FileList,
    Handover,
)

LIST_KEEPERS = (Role.CLERK, Role.LEADER, Role.ADMIN)
FILERS = (Role.CLERK, Role.LEADER, Role.SPECIALIST)


def archivist_org_ids(user) -> set[int]:
    """The organisations whose archive the person keeps (cached per request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_vanthu_archivist", None)
    if cached is None:
        cached = set(Archivist.objects.filter(user=user, organization_id__in=member_org_ids(user))
                     .values_list("organization_id", flat=True))
        user._vanthu_archivist = cached
    return cached


def is_archivist(user, org_id: int) -> bool:
    return org_id in archivist_org_ids(user)


def keeps_file_list(user, org_id: int) -> bool:
    return has_role(user, org_id, *LIST_KEEPERS)


def appoints_archivists(user, org_id: int) -> bool:
    return has_role(user, org_id, Role.ADMIN)


def may_file(user, case_file: CaseFile) -> bool:
    """May add, remove and order documents, and open or close the case file."""
    if case_file.is_read_only:
        return False
    if has_role(user, case_file.organization_id, Role.CLERK, Role.LEADER):
        return True
    return has_role(user, case_file.organization_id, Role.SPECIALIST) and case_file.responsible_id == user.pk


def may_read_contents(user, case_file: CaseFile) -> bool:
    if not is_member(user, case_file.organization_id):
        return False
    if case_file.status == CaseStatus.DISPOSED:
        return False
    if case_file.status != CaseStatus.HANDED_OVER:
        return True
    if is_archivist(user, case_file.organization_id):
        return True
    return AccessRequest.objects.granting(user).filter(case_file=case_file).exists()


def sealed_documents(user) -> QuerySet[CaseItem]:
    """The documents of handed-over case files the person may not read, each with the organisation
    that handed it over (`document_id`, `organization_id`); for None, all of them. Registered with
    documents/access.py, which cuts every path to a document through that organisation. Subqueries
    on small tables only, so that the rule stays inside the one SQL query: the person is neither
    that organisation's archivist nor holds an approved request for the case file running until
    today or later. The documents of disposed case files are sealed to everyone, the archivist too:
    the organisation keeps them no more."""
    qs = CaseItem.objects.filter(sealed=True, document__isnull=False)
    if not getattr(user, "is_authenticated", False):
        return qs
    return (qs.exclude(organization_id__in=Archivist.objects.filter(user=user).values("organization_id"), disposed=False)
            .exclude(case_file_id__in=AccessRequest.objects.granting(user).values("case_file_id"), disposed=False))


def disposed_documents() -> QuerySet[CaseItem]:
    """The documents of disposed case files, each with the organisation that disposed of them
    (`document_id`, `organization_id`): the registers mark their lines so (documents/access.py)."""
    return CaseItem.objects.filter(sealed=True, disposed=True, document__isnull=False)


def archive_readable_documents(user) -> list[QuerySet[CaseItem]]:
    """The documents of handed-over case files the person reads by the archive's rules, in the
    organisations they belong to (`document_id`, `organization_id`): as its archivist, or by an
    approved request for the case file running until today or later; never those of a disposed
    case file. Two queries, each driven by its small table (most people hold neither role nor
    request, and then cost nothing).
    Registered with documents/access.py: reading by request reaches past one's need to know."""
    if not getattr(user, "is_authenticated", False):
        return []
    sealed = CaseItem.objects.filter(sealed=True, disposed=False, document__isnull=False, organization_id__in=member_org_ids(user))
    return [
        sealed.filter(organization_id__in=Archivist.objects.filter(user=user).values("organization_id")),
        sealed.filter(case_file_id__in=AccessRequest.objects.granting(user).values("case_file_id")),
    ]


def may_hand_over(user, org_id: int) -> bool:
    """The unit's side of a handover: prepares and signs the handover record."""
    return has_role(user, org_id, Role.CLERK, Role.LEADER)


# --- fetching ----------------------------------------------------------------------------------

def visible_file_lists(user) -> QuerySet[FileList]:
    return FileList.objects.filter(organization_id__in=member_org_ids(user))


def visible_case_files(user) -> QuerySet[CaseFile]:
    return CaseFile.objects.filter(organization_id__in=member_org_ids(user))


def get_file_list(user, file_list_id: int) -> FileList:
    try:
        return visible_file_lists(user).select_related("organization").get(id=file_list_id)
    except FileList.DoesNotExist:
        raise NotFound(_("Không tìm thấy danh mục hồ sơ."), code="file_list_not_found") from None


def get_case_file(user, case_file_id: int, *, for_update: bool = False) -> CaseFile:
    qs = visible_case_files(user)
    if for_update:
        if not qs.filter(id=case_file_id).exists():
            raise NotFound(_("Không tìm thấy hồ sơ."), code="case_file_not_found")
        return CaseFile.objects.select_for_update(of=("self",)).with_related().get(id=case_file_id)
    try:
        return qs.with_related().get(id=case_file_id)
    except CaseFile.DoesNotExist:
        raise NotFound(_("Không tìm thấy hồ sơ."), code="case_file_not_found") from None


def get_item(user, case_file: CaseFile, item_id: int) -> CaseItem:
    try:
        return case_file.items.select_related("document").get(id=item_id)
    except CaseItem.DoesNotExist:
        raise NotFound(_("Không tìm thấy văn bản trong hồ sơ."), code="case_item_not_found") from None


def get_handover(user, handover_id: int) -> Handover:
    try:
        return Handover.objects.select_related("organization").get(id=handover_id, organization_id__in=member_org_ids(user))
    except Handover.DoesNotExist:
        raise NotFound(_("Không tìm thấy biên bản nộp lưu."), code="handover_not_found") from None


def get_access_request(user, request_id: int) -> AccessRequest:
    """The requester sees their own; the archivist every request of the archive."""
    try:
        req = AccessRequest.objects.select_related("case_file", "requester").get(id=request_id)
    except AccessRequest.DoesNotExist:
        raise NotFound(_("Không tìm thấy đề nghị khai thác."), code="access_request_not_found") from None
    if req.requester_id == user.pk and is_member(user, req.organization_id):
        return req
    if is_archivist(user, req.organization_id):
        return req
    raise NotFound(_("Không tìm thấy đề nghị khai thác."), code="access_request_not_found")


def require_member(user, org_id: int) -> None:
    if not is_member(user, org_id):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")


def disposals_of(user, org_id: int) -> QuerySet[Disposal]:
    require_member(user, org_id)
    return Disposal.objects.filter(organization_id=org_id)
