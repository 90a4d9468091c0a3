"""Reads the pages and the API share: lists of an organisation's archive (indexed, no N+1)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from vanthu.documents.models import Delivery, Document
from vanthu.workflow.models import Assignee

from .actions import org_documents
from .models import CaseFile, CaseItem, FileList


def file_lists(org_id: int) -> QuerySet[FileList]:
    return FileList.objects.filter(organization_id=org_id).annotate(n=Count("case_files")).order_by("-year")


def case_files(org_id: int, *, year: int | None = None, status: str = "") -> QuerySet[CaseFile]:
    qs = CaseFile.objects.of_organization(org_id).with_related()
    if year:
        qs = qs.filter(file_list__year=year)
    if status:
        qs = qs.filter(status=status)
    return qs


def _filed(org_id: int):
    return CaseItem.objects.filter(organization_id=org_id, document_id=OuterRef("pk"))


def unfiled(org_id: int, year: int) -> QuerySet[Document]:
    """The organisation's documents of the year (issued, or received and registered) in no case file."""
    received = Delivery.objects.filter(recipient_id=org_id, incoming_number__isnull=False, accepted_at__year=year).values("document_id")
    docs = Document.objects.filter(Q(issuer_id=org_id, status="issued", issued_date__year=year) | Q(id__in=received))
    return docs.exclude(Exists(_filed(org_id))).order_by("issued_date", "id").only("id", "symbol", "subject", "issued_date")


def proposals(cf: CaseFile, limit: int = 50) -> QuerySet[Document]:
    """Unfiled documents of the case file's year that its responsible person handled (as the main
    handler of an assignment) or drafted: the case file of that work."""
    if not cf.responsible_id:
        return Document.objects.none()
    year = cf.file_list.year
    handled = Assignee.objects.filter(user_id=cf.responsible_id, role="main", assignment__delivery__recipient_id=cf.organization_id,
                                      assignment__delivery__accepted_at__year=year).values("assignment__delivery__document_id")
    docs = org_documents(cf.organization_id).filter(Q(id__in=handled) | Q(created_by_id=cf.responsible_id, issued_date__year=year))
    return docs.exclude(Exists(_filed(cf.organization_id))).order_by("-issued_date", "-id").only(
        "id", "symbol", "subject", "issued_date")[:limit]
