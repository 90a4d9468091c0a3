"""The one interface both index engines implement, and what they share.

An index row (`IndexRow`) carries a document's searchable text and the tokens that decide who may
see it: `i<org id>` for the issuing organisation, `r<org id>` for each organisation the document
was delivered to. A query always ANDs the person's organisation tokens into the full-text match, so
that permission filtering is part of the index lookup (counts and pages are right; nothing leaks).

Plan, for speed at a million documents: the engines never rank every hit. They walk matches
newest-first (descending document id, which both indexes can do without sorting everything), stop
after a window of candidates, and rank only those — "recent and relevant first". When more match
than the window, the newest matches of narrower queries (`head_queries`: the words in the head, the
words typed side by side as a phrase) join the candidates, so that the best matches are reached
however old; `ranking.py` orders them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from . import ranking
from .fold import TOKEN_RE, diacritic_tokens, fold, folded_tokens
from .query import ParsedQuery
from .ranking import Texts

WINDOW = 100  # candidates ranked for "relevance" (newest matches first)
# When more documents match than WINDOW, the newest matches of narrower queries join the
# candidates, however old they are: the words in the head (number, symbol, type, subject), the words
# typed side by side standing side by side (anywhere, and in the head). So a subject that holds the
# phrase is reached even when thousands of newer documents hold its words scattered.
EXTRA_WINDOW = 30
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
    title: str  # the head: number and symbol, type, subject
    body: str  # text of the main file and attachments (text layer or OCR)
    parties: str = ""  # the sender's lines (number, organisation, signer, date, place), "\n\n", the recipients

    @property
    def full_title(self) -> str:
        return join_title(self.title, self.parties)

    @property
    def orgs(self) -> str:
        toks = [f"i{self.issuer_id}"] if self.issuer_id else []
        toks += [f"r{r}" for r in sorted(set(self.recipient_ids))]
        return " ".join(toks)

    @property
    def meta(self) -> str:
        return " ".join(meta_tokens(self.doc_type, self.status, self.urgency))


def join_title(title: str, parties: str) -> str:
    """The title and the parties as one text: what the engines index with the title's weight
    (rows indexed before the two were apart hold everything in `title`)."""
    return title + "\n" + parties if parties else title


def head_text(title: str, parties: str) -> str:
    """What narrower queries look in: the head and the sender's lines (not the recipients)."""
    sender = parties.partition("\n\n")[0]
    return title + "\n" + sender if sender else title


MAX_WORD_LEN = 30


def vocabulary(rows) -> list[str]:
    """The distinct words of the rows' heads and senders' lines (subjects, organisations' and
    signers' names) that a misspelt query word is corrected to (`typos.py`): folded, and those
    that carry diacritics also as written (lower case)."""
    words: set[str] = set()
    for r in rows:
        text = head_text(r.title, r.parties)
        words.update(t for t in folded_tokens(text) if 2 <= len(t) <= MAX_WORD_LEN and t.isalpha())
        # And as written, with their diacritics: `hướg` is then corrected to `hướng`, not `hùng`.
        words.update(t for t in diacritic_tokens(text) if 2 <= len(t) <= MAX_WORD_LEN and t.isalpha())
    return sorted(words)


def head_index_text(title: str, parties: str) -> str:
    """What the head index holds (SQLite `search_head`, PostgreSQL `H…` tokens): `head_text`
    without the sender's numbers (the register number, the date), which nobody looks for there
    and which would only make the index larger."""
    sender = parties.partition("\n\n")[0]
    words = " ".join(t for t in TOKEN_RE.findall(sender) if not t.isdigit())
    return title + "\n" + words if words else title


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
    org_ids: list[int]  # the organisations whose correspondence the person sees whole
    direction: str | None = None  # "incoming" | "outgoing" | None
    # The organisations where the person sees only what they need to know (documents/access.py),
    # and, as SQL subqueries of document ids (`narrow_document_sources`), what that is. A row of
    # those organisations matches only if its id is in one of them; a row of `org_ids` always.
    narrow_org_ids: list[int] = field(default_factory=list)
    narrow_sql: list[tuple[str, tuple]] = field(default_factory=list)
    # A subquery (SQL with %s placeholders, and its parameters) giving the ids of documents the
    # person may not find in these organisations: handed over to the archive (documents/access.py).
    hidden_sql: tuple[str, tuple] | None = None
    doc_type: str | None = None
    status: str | None = None
    urgency: str | None = None
    date_from: int | None = None
    date_to: int | None = None
    order: str = "relevance"  # "relevance" | "newest"
    limit: int = 20
    offset: int = 0

    def org_tokens(self) -> list[str]:
        """The organisation tokens the index match ORs: every organisation the person searches."""
        return self._tokens(set(self.org_ids) | set(self.narrow_org_ids))

    def full_tokens(self) -> list[str]:
        """The tokens of the organisations seen whole: a row holding one needs no further check."""
        return self._tokens(set(self.org_ids))

    def _tokens(self, org_ids: set[int]) -> list[str]:
        kinds = {"incoming": "r", "outgoing": "i"}.get(self.direction or "", "ir")
        return [f"{k}{o}" for o in sorted(org_ids) for k in kinds]

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


def needs_more(result: Result, candidates: list[int]) -> bool:
    """More documents match than the candidates already taken (so narrower queries may reach
    better ones further back)."""
    return not (result.count_exact and result.count <= len(candidates))


def head_queries(query: ParsedQuery) -> list[tuple[ParsedQuery, bool]]:
    """The narrower queries whose newest matches join the candidates: (query, in the head only).
    The words in the head (`head_text`: the head and the sender's lines); and, when words were
    typed side by side, them side by side anywhere and in the head."""
    out = [(query, True)]
    adjacent = query.adjacent()
    if adjacent is not None:
        out += [(adjacent, True), (adjacent, False)]
    return out


def rank_candidates(candidates: list[int], exact_ids: set[int], spec: Spec, texts: dict[int, Texts]) -> list[Hit]:
    """One page of the candidates in `ranking`'s order (see its docstring).

    `exact_ids` are what the engine's exact tokens found: they hold every word typed with
    diacritics as typed, wherever in the document (the text read here is the body's start)."""
    scores = ranking.with_recency(ranking.score_texts(spec.query, texts), {i: t.day for i, t in texts.items()})
    wanted = len(set(spec.query.exact_tokens))
    keyed = []
    for i in dict.fromkeys(candidates):
        t = texts.get(i)
        if t is None:  # removed from the index since the candidates were taken
            continue
        n_exact = wanted if i in exact_ids else ranking.exact_found(spec.query, t)
        score = scores.get(i, 0.0)
        keyed.append((ranking.order_key(n_exact, score, i), Hit(id=i, score=round(score, 6), exact=bool(wanted) and n_exact == wanted)))
    keyed.sort(key=lambda kh: kh[0], reverse=True)
    return [h for _k, h in keyed[spec.offset: spec.offset + spec.limit]]


_SAFE = re.compile(r"^[0-9a-zA-Z\u00c0-\u1fff]+$")


def check_token(tok: str) -> str:
    # Tokens come from TOKEN_RE, so they never hold quotes or operators; assert it anyway,
    # because they are spliced into MATCH / tsquery text.
    if not _SAFE.match(tok) and not tok.isalnum():
        raise ValueError(f"unsafe token {tok!r}")
    return tok

