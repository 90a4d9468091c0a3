"""Parsing what a person types into clauses both engines understand.

Grammar (forgiving: anything else is just words):
- words are ANDed: `xay dung dang`
- `"..."` is a phrase: `"chuyen doi so"`
- a trailing `*` makes the last word a prefix: `chuyen doi*`, `"chuyen doi*"`
- a chunk with inner punctuation is a phrase of its parts: `125-CV`, `125/CV`, `15-NQ/ĐU`
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .fold import TOKEN_RE, exact, fold

_CHUNK_RE = re.compile(r'"([^"]*)"(\*?)|(\S+)')
MAX_CLAUSES = 12


@dataclass(frozen=True)
class Clause:
    """Folded tokens matched in order (a phrase when more than one); the last may be a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False
    # Exact (with diacritics) tokens of this clause that carry a diacritic: used for ranking.
    exact_tokens: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.clauses

    @property
    def exact_tokens(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for c in self.clauses:
            for t in c.exact_tokens:
                seen.setdefault(t, None)
        return tuple(seen)

    @property
    def folded_terms(self) -> list[str]:
        return [t for c in self.clauses for t in c.tokens]


def _clause(text: str, prefix: bool) -> Clause | None:
    folded = TOKEN_RE.findall(fold(text))
    if not folded:
        return None
    exact_toks = tuple(t for t in TOKEN_RE.findall(exact(text)) if not t.isascii())
    return Clause(tokens=tuple(folded), prefix=prefix, exact_tokens=exact_toks)


def parse(q: str) -> ParsedQuery:
    clauses: list[Clause] = []
    for m in _CHUNK_RE.finditer(q or ""):
        if m.group(3) is not None:
            chunk = m.group(3)
            prefix = chunk.endswith("*")
            c = _clause(chunk.rstrip("*"), prefix)
        else:
            c = _clause(m.group(1), bool(m.group(2)) or m.group(1).rstrip().endswith("*"))
        if c is not None and c not in clauses:
            clauses.append(c)
    return ParsedQuery(tuple(clauses[:MAX_CLAUSES]))
