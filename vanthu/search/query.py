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
    quoted: bool = False  # typed in quotes: a phrase of its own, never merged with its neighbours


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

    def adjacent(self) -> ParsedQuery | None:
        """The words typed one after another, unquoted, as the phrase they were typed as:
        `dang bo khoi` → `"dang bo khoi"`, so that documents holding them side by side can be
        looked for (and ranked) above those that only hold them scattered. None when nothing
        was typed as a run of two or more words."""
        out: list[Clause] = []
        run: list[Clause] = []
        merged = False

        def flush() -> None:
            nonlocal merged
            if len(run) >= 2:
                out.append(Clause(tokens=tuple(t for c in run for t in c.tokens), prefix=run[-1].prefix,
                                  exact_tokens=tuple(t for c in run for t in c.exact_tokens)))
                merged = True
            else:
                out.extend(run)
            run.clear()

        for c in self.clauses:
            if len(c.tokens) == 1 and not c.quoted:
                if run and run[-1].prefix:  # a prefix ends a phrase
                    flush()
                run.append(c)
            else:
                flush()
                out.append(c)
        flush()
        return ParsedQuery(tuple(out)) if merged else None


def _clause(text: str, prefix: bool, quoted: bool = False) -> Clause | None:
    folded = TOKEN_RE.findall(fold(text))
    if not folded:
        return None
    exact_toks = tuple(t for t in TOKEN_RE.findall(exact(text)) if not t.isascii())
    return Clause(tokens=tuple(folded), prefix=prefix, exact_tokens=exact_toks, quoted=quoted or len(folded) > 1)


def parse(q: str) -> ParsedQuery:
    clauses: list[Clause] = []
    for m in _CHUNK_RE.finditer(q or ""):
        if m.group(3) is not None:
            chunk = m.group(3)
            prefix = chunk.endswith("*")
            c = _clause(chunk.rstrip("*"), prefix)
        else:
            c = _clause(m.group(1), bool(m.group(2)) or m.group(1).rstrip().endswith("*"), quoted=True)
        if c is not None and c not in clauses:
            clauses.append(c)
    return ParsedQuery(tuple(clauses[:MAX_CLAUSES]))
