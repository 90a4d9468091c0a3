"""The one interface both index engines implement, and what they share.

An index row (`IndexRow`) carries a document's searchable text and the tokens that decide who may
see it: `i<org id>` for the issuing organisation, `r<org id>` for each organisation the document
was delivered to. A query always ANDs the person's organisation tokens into the full-text match, so
that permission filtering is part of the index lookup (counts and pages are right; nothing leaks).

Plan, for speed at a million documents: the engines never rank every hit. They walk matches
newest-first (descending document id, which both indexes can do without sorting everything), stop
after a window of candidates, and rank only those — "recent and relevant first".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .fold import TOKEN_RE, diacritic_tokens, fold
from .query import ParsedQuery

WINDOW = 200  # candidates ranked for "relevance" (newest matches first)
MAX_BODY_CHARS = 200_000  # long enough for any administrative document; keeps rows bounded
MAX_TOKEN_LEN = 64


@dataclass
class IndexRow:
    id: int
    day: int  # yyyymmdd of the document's date, for date-range filters
    issuer_id: int | None
    recipient_ids: list[int]
    doc_type: str
    status: str
    urgency: str
    title: str  # number and symbol, type, subject, organisations, signer, dates
    body: str  # text of the main file and attachments (text layer or OCR)

    @property
    def orgs(self) -> str:
        toks = [f"i{self.issuer_id}"] if self.issuer_id else []
        toks += [f"r{r}" for r in sorted(set(self.recipient_ids))]
        return " ".join(toks)

    @property
    def meta(self) -> str:
        return " ".join(meta_tokens(self.doc_type, self.status, self.urgency))


def meta_token(kind: str, value: str) -> str:
    return kind + "".join(TOKEN_RE.findall(fold(value)))


def meta_tokens(doc_type: str, status: str, urgency: str) -> list[str]:
    return [meta_token("t", doc_type), meta_token("s", status), meta_token("u", urgency)]


def day_of(d: date | None) -> int:
    return d.year * 10000 + d.month * 100 + d.day if d else 0


def index_tokens(text: str) -> list[str]:
    toks = TOKEN_RE.findall(fold(text))
    if any(len(t) > MAX_TOKEN_LEN for t in toks):
        toks = [t for t in toks if len(t) <= MAX_TOKEN_LEN]
    return toks


def exact_tokens(text: str) -> list[str]:
    return [t for t in diacritic_tokens(text) if len(t) <= MAX_TOKEN_LEN]


@dataclass
class Spec:
    """One search: the parsed query, who asks (visible organisations) and the filters."""

    query: ParsedQuery
    org_ids: list[int]
    direction: str | None = None  # "incoming" | "outgoing" | None
    doc_type: str | None = None
    status: str | None = None
    urgency: str | None = None
    date_from: int | None = None
    date_to: int | None = None
    order: str = "relevance"  # "relevance" | "newest"
    limit: int = 20
    offset: int = 0

    def org_tokens(self) -> list[str]:
        kinds = {"incoming": "r", "outgoing": "i"}.get(self.direction or "", "ir")
        return [f"{k}{o}" for o in sorted(set(self.org_ids)) for k in kinds]

    def meta_filters(self) -> list[str]:
        out = []
        if self.doc_type:
            out.append(meta_token("t", self.doc_type))
        if self.status:
            out.append(meta_token("s", self.status))
        if self.urgency:
            out.append(meta_token("u", self.urgency))
        return out


@dataclass
class Hit:
    id: int
    score: float
    exact: bool = False


@dataclass
class Result:
    hits: list[Hit] = field(default_factory=list)
    count: int = 0


def rank_candidates(folded: list[tuple[int, float]], exact_ids: set[int], spec: Spec) -> list[Hit]:
    """Exact-diacritic matches first, then by relevance, then newest; one page of it."""
    hits = [Hit(id=i, score=round(s, 6), exact=i in exact_ids) for i, s in folded]
    hits.sort(key=lambda h: (h.exact, h.score, h.id), reverse=True)
    return hits[spec.offset: spec.offset + spec.limit]


_SAFE = re.compile(r"^[0-9a-zA-Z\u00c0-\u1fff]+$")


def check_token(tok: str) -> str:
    # Tokens come from TOKEN_RE, so they never hold quotes or operators; assert it anyway,
    # because they are spliced into MATCH / tsquery text.
    if not _SAFE.match(tok) and not tok.isalnum():
        raise ValueError(f"unsafe token {tok!r}")
    return tok

