"""Highlighted snippets cut from the original text around the words that matched.

Matching is done on the folded text (so `xay dung` highlights "xây dựng"), then mapped back to
the original characters, which `fold_same_length` keeps at the same positions.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape

from .fold import fold_same_length

CONTEXT = 90


def _pattern(terms: list[str], prefixes: set[str]) -> re.Pattern | None:
    alts = []
    for t in sorted(set(terms), key=len, reverse=True):
        tail = r"[^\W_]*" if t in prefixes else ""
        alts.append(re.escape(t) + tail)
    if not alts:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alts) + r")(?![^\W_])")


def highlight(text: str, terms: list[str], prefixes: set[str] = frozenset(), *, width: int = 2 * CONTEXT) -> str:
    """HTML: an excerpt of `text` around the first match, matches wrapped in <mark>, rest escaped."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    pat = _pattern(terms, set(prefixes))
    folded = fold_same_length(text)
    matches = list(pat.finditer(folded)) if pat else []
    if matches:
        start = max(0, matches[0].start() - CONTEXT)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    else:
        start = 0
    end = min(len(text), start + width)
    while end < len(text) and not text[end].isspace() and end - start < width + 20:
        end += 1
    out, pos = [], start
    for m in matches:
        if m.start() < start:
            continue
        if m.end() > end:
            break
        out.append(escape(text[pos:m.start()]))
        out.append("<mark>" + escape(text[m.start():m.end()]) + "</mark>")
        pos = m.end()
    out.append(escape(text[pos:end]))
    return ("… " if start > 0 else "") + "".join(out) + (" …" if end < len(text) else "")


def has_match(text: str, terms: list[str], prefixes: set[str] = frozenset()) -> bool:
    pat = _pattern(terms, set(prefixes))
    return bool(pat and pat.search(fold_same_length(unicodedata.normalize("NFC", text))))
