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
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from .fold import TOKEN_RE, ascii_fold, diacritic_tokens, fold, fold_table, folded_tokens
from .query import ParsedQuery

WINDOW = 100  # candidates ranked for "relevance" (newest matches first)
# Counts are exact up to COUNT_CAP; past it a search reports "more than COUNT_CAP" (count_exact
# False) instead of walking every match of a common word, as large search engines do. A thousand
# hits is fifty pages: nobody reads further, they add a word or a filter.
COUNT_CAP = 1000
SCORE_BODY_CHARS = 1500  # how much of each candidate's body the ranking reads
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
    toks = folded_tokens(text)
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
    count: int = 0  # exact when count_exact, else a lower bound (COUNT_CAP)
    count_exact: bool = True

    @staticmethod
    def count_limit() -> int:
        """The LIMIT a count query takes: one more than the cap tells "more than" apart."""
        return COUNT_CAP + 1

    @classmethod
    def capped(cls, n: int) -> Result:
        """From a count taken with LIMIT count_limit()."""
        return cls(count=min(n, COUNT_CAP), count_exact=n <= COUNT_CAP)

    def past_end(self, offset: int) -> bool:
        return self.count == 0 or (self.count_exact and offset >= self.count)


_SEP_RE = re.compile(r"[\W_]+")
K1, B = 1.2, 0.75
TITLE_WEIGHT = 4.0


_WIDE_PUNCT = "“”‘’–—…•·«»\u00a0"


@lru_cache(maxsize=1)
def _norm_table() -> dict[int, str]:
    table = dict(fold_table())
    for ch in string.punctuation + _WIDE_PUNCT:
        table[ord(ch)] = " "
    return table


# ASCII punctuation to spaces, over the bytes `ascii_fold` gives (bytes.translate runs in C).
_PUNCT_BYTES = bytes(b if chr(b).isalnum() else 32 for b in range(128)) + bytes(range(128, 256))


def _norm(text: str) -> str:
    """Folded words separated by single spaces, padded, so that `str.count(" w ")` counts words.

    This runs for every candidate of every query, so the usual case stays in C: typographic
    punctuation to spaces, `ascii_fold`, then punctuation to spaces and one split.
    """
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if not text.isascii():
        for ch in _WIDE_PUNCT:
            if ch in text:
                text = text.replace(ch, " ")
    folded = ascii_fold(text)
    if folded is not None:
        return " " + " ".join(folded.translate(_PUNCT_BYTES).decode("ascii").split()) + " "
    folded = text.translate(_norm_table())
    if not folded.isascii():
        return " " + " ".join(_SEP_RE.sub(" ", fold(text)).split()) + " "
    return " " + " ".join(folded.split()) + " "


def _tf(clause_pat: str | re.Pattern, text: str) -> int:
    return len(clause_pat.findall(text)) if isinstance(clause_pat, re.Pattern) else text.count(clause_pat)


def _clause_patterns(query: ParsedQuery) -> list[str | re.Pattern]:
    pats: list[str | re.Pattern] = []
    for c in query.clauses:
        if c.prefix:
            pats.append(re.compile(" " + re.escape(" ".join(c.tokens)) + r"[0-9a-z]*(?= )"))
        else:
            pats.append(" " + " ".join(c.tokens) + " ")
    return pats


def score_texts(query: ParsedQuery, texts: dict[int, tuple[str, str]]) -> dict[int, float]:
    """BM25-like relevance of each candidate, from its text (title words weigh more).

    Every candidate contains every clause (the match is an AND), so the terms' rarity is the same
    for all of them and is left out; what ranks is how often and how prominently they occur.
    Computed here, for the candidates only, instead of by the engine over every match.
    """
    pats = _clause_patterns(query)
    if not pats or not texts:
        return {i: 0.0 for i in texts}
    normed = {i: (_norm(t), _norm(b)) for i, (t, b) in texts.items()}
    lengths = {i: (t.count(" ") - 1) * TITLE_WEIGHT + b.count(" ") - 1 for i, (t, b) in normed.items()}
    avg = max(1.0, sum(lengths.values()) / len(lengths))
    scores = {}
    for i, (t, b) in normed.items():
        norm = K1 * (1 - B + B * lengths[i] / avg)
        total = 0.0
        for p in pats:
            tf = TITLE_WEIGHT * _tf(p, t) + _tf(p, b)
            total += tf * (K1 + 1) / (tf + norm) if tf else 0.0
        scores[i] = total
    return scores


def rank_candidates(candidates: list[int], exact_ids: set[int], spec: Spec,
                    texts: dict[int, tuple[str, str]]) -> list[Hit]:
    """Exact-diacritic matches first, then by relevance, then newest; one page of it.

    `exact_ids` are what the engine's exact tokens found; a candidate whose text holds every
    exact token of the query counts as exact too (PostgreSQL indexes them for titles only)."""
    scores = score_texts(spec.query, texts)
    wanted = set(spec.query.exact_tokens)
    if wanted:
        exact_ids = exact_ids | {i for i, (t, b) in texts.items() if wanted <= set(diacritic_tokens(t + "\n" + b))}
    hits = [Hit(id=i, score=round(scores.get(i, 0.0), 6), exact=i in exact_ids) for i in candidates]
    hits.sort(key=lambda h: (h.exact, h.score, h.id), reverse=True)
    return hits[spec.offset: spec.offset + spec.limit]


_SAFE = re.compile(r"^[0-9a-zA-Z\u00c0-\u1fff]+$")


def check_token(tok: str) -> str:
    # Tokens come from TOKEN_RE, so they never hold quotes or operators; assert it anyway,
    # because they are spliced into MATCH / tsquery text.
    if not _SAFE.match(tok) and not tok.isalnum():
        raise ValueError(f"unsafe token {tok!r}")
    return tok

