"""Highlighted snippets cut from the original text around the words that matched.

The passage shown is the one that holds the most of the query, in the file's content rather than
its letterhead (`ranking.split_body`): every document of an organisation shares "ĐẢNG BỘ KHỐI …
ĐẢNG CỘNG SẢN VIỆT NAM", which says nothing about why this one was found.

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


def _best_start(folded: str, matches: list[re.Match], width: int) -> int:
    """Where the excerpt that holds the most of the query starts: the most distinct words, then
    the most words typed side by side found side by side, then the earliest."""
    best, best_key = 0, None
    for k, m in enumerate(matches):
        end = m.start() + width - CONTEXT // 2
        inside = [x for x in matches[k:] if x.end() <= end]
        distinct = len({x.group() for x in inside})
        adjacent = sum(1 for a, b in zip(inside, inside[1:], strict=False) if not folded[a.end():b.start()].strip())
        key = (distinct, adjacent)
        if best_key is None or key > best_key:
            best, best_key = m.start(), key
    return best


def coverage(text: str, terms: list[str], prefixes: set[str] = frozenset()) -> int:
    """How many distinct query words `text` holds."""
    pat = _pattern(terms, set(prefixes))
    if pat is None:
        return 0
    return len({m.group() for m in pat.finditer(fold_same_length(unicodedata.normalize("NFC", " ".join(text.split()))))})


def highlight(text: str, terms: list[str], prefixes: set[str] = frozenset(), *, width: int = 2 * CONTEXT) -> str:
    """HTML: the excerpt of `text` that holds the most of the query (see `_best_start`), matches
    wrapped in <mark>, the rest escaped."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    pat = _pattern(terms, set(prefixes))
    folded = fold_same_length(text)
    matches = list(pat.finditer(folded)) if pat else []
    if matches:
        start = max(0, _best_start(folded, matches, width) - CONTEXT // 2)
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
