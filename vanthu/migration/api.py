"""Legacy records from Lotus Notes in the API: read-only, each organisation its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from vanthu.errors import NotFound
from vanthu.organizations.access import is_member
from vanthu.search.fold import fold
from vanthu.text import Line

from . import access
from .dxl import PICTURE_SRC
from .models import LegacyRecord

router = Router(tags=["migration"])
MAX_QUERY = 200


class LegacyListIn(Schema):
    organization_id: int | None = None
    form: Line(128) = ""
    q: Line(MAX_QUERY) = ""
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class RecordOut(Schema):
    id: int
    organization_id: int
    unid: str
    note_id: str
    form: str
    title: str
    created_at: datetime | None
    modified_at: datetime | None
    created_raw: str
    modified_raw: str
    parent_unid: str
    mapped_to: str  # the register (outgoing | incoming) its document entered, or ""
    document_id: int | None
    version: int
    url: str


class RecordList(Schema):
    items: list[RecordOut]
    count: int


class AttachmentOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    sha256: str
    url: str


class RecordDetail(RecordOut):
    sequence: int
    authors: list[dict[str, Any]]
    updated_by: list[str]
    items: list[dict[str, Any]]
    html: str
    text: str
    attachments: list[AttachmentOut]


def records_matching(user, *, organization_id: int | None = None, form: str = "", q: str = ""):
    """The person's legacy records, filtered: by organisation, form, and words typed with or without marks."""
    qs = access.visible_records(user).of_form(form)
    if organization_id is not None:
        if not is_member(user, organization_id):
            raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
        qs = qs.filter(organization_id=organization_id)
    for word in fold(q).split():
        qs = qs.filter(search_text__contains=word)
    return qs.newest_first()


def out(rec: LegacyRecord) -> dict:
    return {"id": rec.id, "organization_id": rec.organization_id, "unid": rec.unid, "note_id": rec.note_id, "form": rec.form,
            "title": rec.title, "created_at": rec.created_at, "modified_at": rec.modified_at, "created_raw": rec.created_raw,
            "modified_raw": rec.modified_raw, "parent_unid": rec.parent_unid, "mapped_to": rec.register,
            "document_id": rec.document_id, "version": rec.version,
            "url": reverse("migration:record", args=[rec.id])}


def attachment_url(rec_id: int, att_id: int) -> str:
    return reverse("migration:attachment", args=[rec_id, att_id])


def html_with_pictures(rec: LegacyRecord, attachments) -> str:
    """The stored rich text with its pictures pointing at their files."""
    html = rec.html
    for a in attachments:
        if a.kind == "picture":
            html = html.replace(f'src="{PICTURE_SRC}{a.sha256}"', f'src="{attachment_url(rec.id, a.id)}"')
    return html


@router.get("/legacy-records", response=RecordList, summary="Hồ sơ cũ từ Lotus Notes")
def list_records(request, params: Query[LegacyListIn]):
    qs = records_matching(request.user, organization_id=params.organization_id, form=params.form, q=params.q)
    items = [out(r) for r in qs[params.offset:params.offset + params.limit]]
    return {"items": items, "count": qs.count()}


@router.get("/legacy-records/{record_id}", response=RecordDetail, summary="Một hồ sơ cũ")
def get_record(request, record_id: int):
    rec = access.get_record(request.user, record_id)
    atts = list(rec.attachments.all())
    return {**out(rec), "sequence": rec.sequence, "authors": rec.authors, "updated_by": rec.updated_by, "items": rec.items,
            "html": html_with_pictures(rec, atts), "text": rec.text,
            "attachments": [{"id": a.id, "kind": a.kind, "name": a.name, "size": a.size, "sha256": a.sha256,
                             "url": attachment_url(rec.id, a.id)} for a in atts]}
