"""GET /api/v1/search: full-text search over the documents the person may see."""

from __future__ import annotations

from datetime import date

from ninja import Field, Query, Router, Schema

from vanthu.documents.models import Document
from vanthu.text import Line

from . import service

router = Router(tags=["search"])


class SearchParams(Schema):
    q: Line(service.MAX_QUERY) = ""
    organization_id: int | None = None
    type: Line(16) | None = None
    status: Line(16) | None = None
    urgency: Line(16) | None = None
    direction: Line(16) | None = None
    date_from: date | None = None
    date_to: date | None = None
    order: Line(16) = "relevance"
    limit: int = 20
    offset: int = 0


class SearchItem(Schema):
    document_id: int
    symbol: str
    subject: str
    doc_type: str
    status: str
    urgency: str
    issuer_name: str
    issued_date: date | None
    snippet: str
    score: float
    exact: bool


class SearchOtherItem(Schema):
    id: int
    title: str
    snippet: str
    url: str
    date: date | None


class SearchOtherGroup(Schema):
    kind: str = Field(description="e.g. `legacy_record`: a record imported from Lotus Notes")
    label: str
    count: int
    count_exact: bool
    more_url: str = Field(description="The page listing every match of this kind")
    items: list[SearchOtherItem]


class SearchList(Schema):
    items: list[SearchItem]
    count: int = Field(description="Matches the person may see; a lower bound when count_exact is false")
    count_exact: bool = Field(description="False when more than `count` documents match (counting stops there)")
    corrected_q: str = Field("", description="When the query typed found nothing and a word looked misspelt: the corrected query whose results these are")
    others: list[SearchOtherGroup] = Field([], description="Other kinds of records that match (first page only, and not with a filter only documents have)")


def hydrate(page: service.SearchPage) -> list[dict]:
    """Attach the live document fields to the hits (in hit order)."""
    docs = Document.objects.select_related("issuer", "doc_type").in_bulk([h.document_id for h in page.items])
    out = []
    for h in page.items:
        doc = docs.get(h.document_id)
        if doc is None:  # deleted since it was indexed
            continue
        out.append({
            "document_id": doc.id, "symbol": doc.symbol, "subject": doc.subject, "doc_type": doc.doc_type.code,
            "status": doc.status, "urgency": doc.urgency, "issuer_name": doc.issuer_name,
            "issued_date": doc.issued_date, "snippet": h.snippet, "score": h.score, "exact": h.exact,
        })
    return out


@router.get("/search", response=SearchList, summary="Tìm kiếm toàn văn văn bản")
def search(request, params: Query[SearchParams]):
    """Words, "phrases", prefixes (`chuyen doi*`) and symbols (`125-CV`), with or without diacritics."""
    page = service.search(
        request.user, q=params.q, organization_id=params.organization_id, direction=params.direction,
        doc_type=params.type, status=params.status, urgency=params.urgency, date_from=params.date_from,
        date_to=params.date_to, order=params.order, limit=params.limit, offset=params.offset,
    )
    return {"items": hydrate(page), "count": page.count, "count_exact": page.count_exact, "corrected_q": page.corrected_q,
            "others": [others_out(g) for g in page.others]}


def others_out(g) -> dict:
    return {"kind": g.kind, "label": g.label, "count": g.count, "count_exact": g.count_exact, "more_url": g.more_url,
            "items": [{"id": h.id, "title": h.title, "snippet": h.snippet, "url": h.url, "date": h.day} for h in g.items]}
