"""Searching for a person: the one entry point pages and the API call.



"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from types import ModuleType

from django.db import connection
from django.utils.translation import gettext as _

from vanthu.documents import access as doc_access
from vanthu.errors import Unprocessable
from vanthu.security.metrics import SEARCH_LATENCY
from vanthu.text import clean_text

from . import engine_postgres, engine_sqlite, sources, typos
from .engine import Spec, day_of, head_text, join_title
from .query import ParsedQuery, parse
from .ranking import Texts, split_body
from .snippets import coverage, highlight

MAX_LIMIT = 100
MAX_OFFSET = 10_000
MAX_QUERY = 500  # characters; only the first clauses of a query count (query.MAX_CLAUSES)


def engine_for(conn=None) -> ModuleType:
    """The index engine of the database in use."""
    vendor = (conn or connection).vendor
    return engine_postgres if vendor == "postgresql" else engine_sqlite


def snippet_for(query: ParsedQuery, texts: Texts) -> str:
    """The passage that matched, highlighted: from the files' content (not the letterhead) when it
    holds as much of the query as the head and sender's lines do, else from those; the
    letterhead and the recipients only when nothing else matches."""
    terms = query.folded_terms
    prefixes = {c.tokens[-1] for c in query.clauses if c.prefix}
    content, _boiler = split_body(texts.body)
    head = head_text(texts.title, texts.parties)
    in_content, in_head = coverage(content, terms, prefixes), coverage(head, terms, prefixes)
    if in_content and in_content >= in_head:
        return highlight(content, terms, prefixes)
    if in_head:
        return highlight(head, terms, prefixes)
    if coverage(texts.body, terms, prefixes):
        return highlight(texts.body, terms, prefixes)
    return highlight(content or join_title(texts.title, texts.parties), terms, prefixes)


@dataclass
class SearchHit:
    document_id: int
    score: float
    exact: bool
    title: str
    snippet: str


@dataclass
class SearchPage:
    items: list[SearchHit]
    count: int  # exact when count_exact; otherwise "more than count" (engine.COUNT_CAP)
    count_exact: bool = True
    corrected_q: str = ""  # the corrected query searched instead, when the one typed found nothing
    others: list[sources.OtherGroup] = field(default_factory=list)  # other kinds of records (sources.py)


def build_spec(
    user, *, q: str, organization_id: int | None = None, direction: str | None = None,
    doc_type: str | None = None, status: str | None = None, urgency: str | None = None,
    date_from: date | None = None, date_to: date | None = None, order: str = "relevance",
    limit: int = 20, offset: int = 0,
) -> Spec:
    q = clean_text(q, field="q", max_length=MAX_QUERY, label=_("Từ khóa tìm kiếm"))
    if direction not in (None, "", "incoming", "outgoing"):
        raise Unprocessable(_("Chiều văn bản phải là “incoming” (đến) hoặc “outgoing” (đi)."), code="invalid_direction", details={"field": "direction"})
    if order not in ("relevance", "newest"):
        raise Unprocessable(_("Thứ tự phải là “relevance” hoặc “newest”."), code="invalid_order", details={"field": "order"})
    if not 1 <= limit <= MAX_LIMIT or not 0 <= offset <= MAX_OFFSET:
        raise Unprocessable(_("Tham số phân trang không hợp lệ."), code="invalid_page", details={"limit": limit, "offset": offset})
    if date_from and date_to and date_from > date_to:
        raise Unprocessable(_("Ngày bắt đầu phải trước ngày kết thúc."), code="invalid_date_range", details={"field": "date_from"})
    full, narrow = doc_access.full_view_org_ids(user), doc_access.narrow_org_ids(user)
    if organization_id is not None:
        # Searching as one of the person's organisations; any other id simply sees nothing.
        full, narrow = full & {organization_id}, narrow & {organization_id}
    # Wide where the person sees the whole correspondence, narrow where they need to know, in one
    # index query: the narrow part is documents/access.py's own subqueries, inside the query.
    narrow_sql = [qs.query.sql_with_params() for qs in doc_access.narrow_document_sources(user, narrow)] if narrow else []
    # Handed over to the archive there: left out unless the person reads them by its rules.
    hidden = doc_access.sealed_document_ids(user, full | narrow) if full or narrow else None
    return Spec(
        query=parse(q), org_ids=sorted(full), narrow_org_ids=sorted(narrow), narrow_sql=narrow_sql,
        hidden_sql=hidden.query.sql_with_params() if hidden is not None else None, direction=direction or None, doc_type=doc_type or None,
        status=status or None, urgency=urgency or None, date_from=day_of(date_from) if date_from else None,
        date_to=day_of(date_to) if date_to else None, order=order, limit=limit, offset=offset,
    )


def search(user, **params) -> SearchPage:
    """One page of the documents this person may see that match, with highlighted snippets.
    When nothing matches and a word looks misspelt, the correction that finds the most is
    searched instead (`corrected_q` says which)."""
    spec = build_spec(user, **params)
    doc_filters = spec.doc_type or spec.status or spec.urgency or spec.date_from or spec.date_to or spec.direction
    if spec.query.empty and not doc_filters:
        return SearchPage(items=[], count=0)
    # Other kinds of records on the first page only, and not when a filter only documents have is set.
    others = [] if spec.offset or doc_filters else sources.search_others(
        user, spec.query, organization_id=params.get("organization_id"))
    eng = engine_for()
    corrected = ""
    with connection.cursor() as cur, SEARCH_LATENCY.time():  # the engine's query, for /metrics
        result = eng.search(cur, spec)
        if result.count == 0 and not spec.query.empty:
            # Of the corrections, the one that strays least from the diacritics typed, then the
            # one that finds the most (the commoner word); each probe is a count and one row.
            best: tuple[int, int, str] | None = None
            for text, strays in typos.corrections(eng, cur, spec_text(params), spec.query):
                probe = eng.search(cur, replace(spec, query=parse(text), order="newest", limit=1, offset=0))
                if probe.count and (best is None or (-strays, probe.count) > (-best[0], best[1])):
                    best = (strays, probe.count, text)
            if best is not None:
                corrected = best[2]
                spec = replace(spec, query=parse(corrected))
                result = eng.search(cur, spec)
        texts = eng.fetch_text(cur, [h.id for h in result.hits])
    items = []
    for h in result.hits:
        t = texts.get(h.id) or Texts("", "", "")
        items.append(SearchHit(document_id=h.id, score=h.score, exact=h.exact, title=join_title(t.title, t.parties),
                               snippet=snippet_for(spec.query, t)))
    return SearchPage(items=items, count=result.count, count_exact=result.count_exact, corrected_q=corrected, others=others)


def spec_text(params: dict) -> str:
    return " ".join((params.get("q") or "").split())
