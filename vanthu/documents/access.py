"""Fetching documents, deliveries and files for a person. Not found and not allowed look alike."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vanthu.errors import NotFound
from vanthu.organizations.access import member_org_ids

from .models import Delivery, Document, DocumentFile, StoredFile


def visible_documents(user) -> QuerySet[Document]:
    """Documents a person may see: those of their organisations, and those addressed to them."""
    orgs = member_org_ids(user)
    addressed = Delivery.objects.filter(recipient_id__in=orgs).values("document_id")
    return Document.objects.filter(Q(issuer_id__in=orgs) | Q(id__in=addressed))


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


def visible_deliveries(user, document: Document) -> QuerySet[Delivery]:
    """The sender's organisation sees every recipient; a recipient sees only its own row."""
    orgs = member_org_ids(user)
    qs = Delivery.objects.filter(document=document).select_related("recipient")
    if document.issuer_id in orgs:
        return qs
    return qs.filter(recipient_id__in=orgs)


def get_delivery(user, delivery_id: int) -> Delivery:
    """A delivery as the recipient organisation sees it (inbox, incoming record).

    Actions lock the row themselves inside their own transaction."""
    qs = Delivery.objects.filter(id=delivery_id, recipient_id__in=member_org_ids(user))
    try:
        return qs.select_related("document__issuer", "document__doc_type", "recipient").get()
    except Delivery.DoesNotExist:
        raise NotFound(_("Không tìm thấy văn bản đến."), code="delivery_not_found") from None


def get_file(user, sha256: str) -> StoredFile:
    uses = DocumentFile.objects.filter(file_id=sha256, document__in=visible_documents(user))
    if not uses.exists():
        raise NotFound(_("Không tìm thấy tệp."), code="file_not_found")
    return StoredFile.objects.get(sha256=sha256)
