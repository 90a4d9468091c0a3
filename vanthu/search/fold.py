"""Folding Vietnamese text for search: the same function on both engines.

`fold` maps every letter to its base Latin letter and lower case: "Xây dựng Đảng" → "xay dung dang".
`đ`/`Đ` have no Unicode decomposition, so they are mapped explicitly. The browser's folding (the
recipients filter, `vanthu/static/vanthu/vanthu.js`) does the same; both are tested against one
table of cases, `tests/fold_cases.json`. Folding is done in Python,
not by the database, so that SQLite and PostgreSQL index and query exactly the same tokens.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Tokens are runs of letters and digits; everything else (spaces, "-", "/", ".") separates them,
# so "125-CV/ĐU" indexes as 125, cv, du and is found as the phrase "125 cv".
TOKEN_RE = re.compile(r"[^\W_]+")


# Letters with no Unicode decomposition that fold to "d": đ/Đ, and the look-alike Icelandic eth
# Ð/ð that text converted from old Vietnamese encodings (TCVN3, VNI) often carries instead of Đ.
D_LETTERS = "đĐðÐ"


def _fold_char(ch: str) -> str:
    if ch in D_LETTERS:
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return base.lower() or ch.lower()


@lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """A translate table for every precomposed Latin letter (Vietnamese and others) and đ."""
    table: dict[int, str] = {}
    for cp in range(0x00C0, 0x2000):
        ch = chr(cp)
        if not ch.isalpha():
            continue
        folded = _fold_char(ch)
        if folded != ch:
            table[cp] = folded
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp).lower()
    table[0x1E9E] = "ss"
    return table


def ascii_fold(text: str) -> bytes | None:
    """`fold(text)` as ASCII bytes when every character folds to exactly one ASCII letter, digit or
    sign (all of Vietnamese), else None.

    Runs in C (NFD, drop what is not ASCII, lower): several times faster than str.translate with
    a table, which matters because ranking folds every candidate's text at query time. `text`
    must be NFC. Equal lengths prove that only combining marks were dropped: a character with no
    ASCII base (“, ×, Ω) would be dropped whole and shorten the result.
    """
    if not text.isascii():
        for ch in D_LETTERS:
            if ch in text:
                text = text.replace(ch, "d")
        b = unicodedata.normalize("NFD", text).encode("ascii", "ignore")
        return b.lower() if len(b) == len(text) else None
    return text.lower().encode("ascii")


def fold(text: str) -> str:
    """Lower-case, diacritic-free form of `text`."""
    text = unicodedata.normalize("NFC", text)
    fast = ascii_fold(text)
    if fast is not None:
        return fast.decode("ascii")
    out = text.translate(fold_table())
    if not out.isascii():
        # Rare leftovers (combining marks not composable with their base): strip them.
        out = "".join(c for c in unicodedata.normalize("NFD", out) if not unicodedata.combining(c))
    return out.lower()


def exact(text: str) -> str:
    """The with-diacritics form used for exact matches: NFC, lower case."""
    return unicodedata.normalize("NFC", text).lower()


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text)


# Every ASCII byte that is not a letter or digit becomes a space: on ASCII-folded text, splitting
# on whitespace then gives exactly TOKEN_RE's tokens, several times faster (indexing folds and
# splits every word of every document).
_SEPARATORS = bytes(b if chr(b).isascii() and chr(b).isalnum() else 0x20 for b in range(256))


def folded_tokens(text: str) -> list[str]:
    """TOKEN_RE's tokens of `fold(text)`."""
    fast = ascii_fold(unicodedata.normalize("NFC", text))
    if fast is not None:
        return fast.translate(_SEPARATORS).decode("ascii").split()
    return TOKEN_RE.findall(fold(text))


def diacritic_tokens(text: str) -> list[str]:
    """The distinct exact tokens that carry a diacritic (or đ), sorted: what exact matching uses."""
    return sorted(t for t in set(TOKEN_RE.findall(exact(text))) if not t.isascii())


def has_diacritics(text: str) -> bool:
    return any(not t.isascii() for t in TOKEN_RE.findall(exact(text)))


def fold_same_length(text: str) -> str:
    """Fold character by character, keeping positions, so matches can be mapped back for snippets."""
    table = fold_table()
    fast = text.translate(table).lower()
    if len(fast) == len(text):
        return fast
    out = []
    for ch in text:
        f = ch.translate(table).lower()
        out.append(f if len(f) == 1 else ch)
    return "".join(out)
