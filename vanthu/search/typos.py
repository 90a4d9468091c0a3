"""Correcting a misspelt word when a query finds nothing.

The words of every document's head and sender's lines (subjects, organisations' and signers'
names) are kept in `search_words` as they are indexed. When a query finds nothing, each of its words
that is not among them is replaced by the known words one edit away (a letter swapped with the next,
changed, dropped or added; a word typed with diacritics by the known words written with them too,
those keeping the marks typed first, so that `hướg` is `hướng`, not `hưng` or `hùng`), and of the
corrected queries the one that strays least from the diacritics typed, then finds the most
documents, is what the person sees, with a note saying so.
Diacritics are not the matter here: folding already makes `chuyển đổi sô` find `chuyển đổi số`.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator
from types import ModuleType

from .fold import TOKEN_RE, exact, fold
from .query import ParsedQuery

LETTERS = "abcdefghijklmnopqrstuvwxyz"
# The letters of Vietnamese as typed with diacritics (lower case, NFC), for a word typed with them.
VIETNAMESE = (LETTERS + "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")
MIN_LEN = 3  # shorter words have too many neighbours to guess from
MAX_TRIES = 5  # corrected queries run at most (one that finds nothing stops at its count)


def edits(word: str, letters: str = LETTERS) -> list[str]:
    """Every word one edit away, the likelier slips first, without repeats."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    out += [a + c + b[1:] for a, b in splits if b for c in letters if c != b[0]]
    out += [a + b[1:] for a, b in splits if b]
    out += [a + c + b for a, b in splits for c in letters]
    return [w for w in dict.fromkeys(out) if w != word and len(w) >= 2]


def _typed(q: str, folded: str) -> str:
    """The word of `q` that folds to `folded`, as typed (lower case)."""
    return next((exact(m.group()) for m in TOKEN_RE.finditer(q) if fold(m.group()) == folded), folded)


def _replace(q: str, bad: str, good: str) -> str:
    """`q` with every typed word that folds to `bad` replaced by `good` (the rest kept as typed)."""
    out, pos = [], 0
    for m in TOKEN_RE.finditer(q):
        if fold(m.group()) == bad:
            out += [q[pos:m.start()], good]
            pos = m.end()
    return "".join(out) + q[pos:]


def _marks(word: str) -> Counter:
    """The diacritics of a word (its combining marks, and đ)."""
    return Counter(c for c in unicodedata.normalize("NFD", word) if unicodedata.combining(c) or c == "đ")


def _mark_distance(a: Counter, b: Counter) -> int:
    return sum(((a - b) + (b - a)).values())


def corrections(eng: ModuleType, cur, q: str, query: ParsedQuery) -> Iterator[tuple[str, int]]:
    """Corrected texts of `q` to try, each with how far it strays from the diacritics typed
    (0: every corrected word keeps them all; more: marks changed, or only the letters kept)."""
    words = [t for c in query.clauses for t in c.tokens if len(t) >= MIN_LEN and t.isalpha()]
    known = eng.known_words(cur, words) if words else set()
    unknown = [w for w in dict.fromkeys(words) if w not in known]
    if not unknown:
        return
    choices: dict[str, list[tuple[str, int]]] = {}
    for w in unknown:
        typed = _typed(q, w)
        options: list[tuple[str, int]] = []
        if not typed.isascii():
            candidates = edits(typed, VIETNAMESE)
            found = eng.known_words(cur, candidates)
            marks = _marks(typed)
            options = sorted(((c, _mark_distance(_marks(c), marks)) for c in candidates if c in found), key=lambda o: o[1])
        stray = 1 + max((o[1] for o in options), default=len(_marks(typed)))  # letters only: the furthest
        candidates = edits(w)
        found = eng.known_words(cur, candidates)
        written = {fold(o) for o, _d in options}
        options += [(c, stray if not typed.isascii() else 0) for c in candidates if c in found and c not in written]
        choices[w] = options
    for k in range(MAX_TRIES):
        text, changed, strays = q, False, 0
        for w, options in choices.items():
            if options:
                good, stray = options[min(k, len(options) - 1)]
                text = _replace(text, w, good)
                changed, strays = True, strays + stray
        if not changed or (k and all(len(o) <= k for o in choices.values())):
            return
        yield text, strays
