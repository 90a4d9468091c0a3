"""Correcting a misspelt word when a query finds nothing.

The words of every document's head and sender's lines (subjects, organisations' and signers'
names) are kept in `search_words` as they are indexed. When a query finds nothing, each of its words
that is not among them is replaced by the known words one edit away (a letter swapped with the next,
changed, dropped or added), and of the corrected queries the one that finds the most documents is
what the person sees, with a note saying so.
Diacritics are not the matter here: folding already makes `chuyển đổi sô` find `chuyển đổi số`.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

from .fold import TOKEN_RE, fold
from .query import ParsedQuery

LETTERS = "abcdefghijklmnopqrstuvwxyz"
MIN_LEN = 3  # shorter words have too many neighbours to guess from
MAX_TRIES = 5  # corrected queries run at most (one that finds nothing stops at its count)


def edits(word: str) -> list[str]:
    """Every word one edit away, the likelier slips first, without repeats."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    out += [a + c + b[1:] for a, b in splits if b for c in LETTERS if c != b[0]]
    out += [a + b[1:] for a, b in splits if b]
    out += [a + c + b for a, b in splits for c in LETTERS]
    return [w for w in dict.fromkeys(out) if w != word and len(w) >= 2]


def _replace(q: str, bad: str, good: str) -> str:
    """`q` with every typed word that folds to `bad` replaced by `good` (the rest kept as typed)."""
    out, pos = [], 0
    for m in TOKEN_RE.finditer(q):
        if fold(m.group()) == bad:
            out += [q[pos:m.start()], good]
            pos = m.end()
    return "".join(out) + q[pos:]


def corrections(eng: ModuleType, cur, q: str, query: ParsedQuery) -> Iterator[str]:
    """Corrected texts of `q` to try, best first (nothing when every word is known)."""
    words = [t for c in query.clauses for t in c.tokens if len(t) >= MIN_LEN and t.isalpha()]
    known = eng.known_words(cur, words) if words else set()
    unknown = [w for w in dict.fromkeys(words) if w not in known]
    if not unknown:
        return
    choices: dict[str, list[str]] = {}
    for w in unknown:
        candidates = edits(w)
        found = eng.known_words(cur, candidates)
        choices[w] = [c for c in candidates if c in found]
    for k in range(MAX_TRIES):
        text, changed = q, False
        for w, options in choices.items():
            if options:
                text = _replace(text, w, options[min(k, len(options) - 1)])
                changed = True
        if not changed or (k and all(len(o) <= k for o in choices.values())):
            return
        yield text
