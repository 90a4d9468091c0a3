"""Relevance among the candidates: where the words stand, whether they stand together, whether
they carry the diacritics the person typed, and how recent the document is.

A document's text is read in zones, each with its weight in the score:

| zone | what | weight |
|---|---|---|
| head | number and symbol, type, subject (`IndexRow.title`) | 5 |
| sender | number, issuing organisation, signer, date, place (`IndexRow.parties`, before a blank line) | 2 |
| recipients | the organisations it was sent to (`IndexRow.parties`, after the blank line) | 0.5 |
| content | the files' text | 1 |
| boilerplate | the letterhead above the subject ("ĐẢNG BỘ …", "ĐẢNG CỘNG SẢN VIỆT NAM", "Số …", the place and date) and everything from "Nơi nhận:" on | 0.15 |

The score is BM25 in each zone (its own length normalisation and saturation), times the share of
the query the zone holds, weighted by the zone and summed; counted for every clause of the query,
and for every pair
of words typed side by side (unquoted) that the document holds side by side: "Đảng bộ Khối" in a
subject outranks the same three words scattered through a letterhead and a list of recipients.
The terms' rarity (idf) is left out: every candidate holds every clause.

Order: how many of the words typed with diacritics the document holds as typed, then the score
raised a little for recent documents (so that of two documents equally about the words, the newer
comes first), then the id.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .fold import ascii_fold, exact, fold, fold_table
from .query import ParsedQuery

# (weight, length normalisation b, saturation k1) per zone, in the order `_zones` gives them. The
# short zones saturate fast: a subject that says a word twice is hardly more about it.
HEAD, SENDER, RECIPIENTS, CONTENT, BOILER = (5.0, 0.5, 0.5), (2.0, 0.5, 0.5), (0.5, 0.75, 1.2), (1.0, 0.75, 1.2), (0.15, 0.0, 1.2)
ZONE_PARAMS = (HEAD, SENDER, RECIPIENTS, CONTENT, BOILER)
PAIR_WEIGHT = 1.0  # a pair of typed words found side by side counts as much as a word
# Recency: the newest candidate's score counts up to RECENCY_BOOST more, halving every
# RECENCY_HALF_LIFE days further back. Equal documents come newest first; a better one stays above.
RECENCY_BOOST = 0.15
RECENCY_HALF_LIFE = 180
HEADER_LINES = 14  # the letterhead is looked for in the first lines of a file
# Read on the line in lower case, with or without its diacritics (a scan's OCR may lose them).
_DATE_LINE = re.compile(r"\bng[aà]y\b.*\bth[aá]ng\b.*\bn[aă]m\b")
_FOOTER = re.compile(r"^\s*(n[oơ]i nh[aậ]n)\b")


@dataclass
class Texts:
    """What the ranking and the snippets read of an indexed document."""

    title: str  # head: number and symbol, type, subject
    parties: str  # the sender's lines (number, organisation, signer, date, place), a blank line, the recipients
    body: str
    day: int = 0  # yyyymmdd


def _is_heading(line: str) -> bool:
    """A letterhead line: no lower-case letter (upper-case names, "*", "Số   -CV/ĐU")."""
    return not any(ch.islower() for ch in line)


FILE_SEP = "\f"  # between the files of a document in its index row (`indexing.build_rows`)


def split_body(body: str) -> tuple[str, str]:
    """(content, boilerplate) of a document's text, file by file (an attachment's text is content
    again after the main file's "Nơi nhận:")."""
    if FILE_SEP not in body:
        return _split_file(body)
    parts = [_split_file(p) for p in body.split(FILE_SEP)]
    return "\n".join(c for c, _b in parts if c), "\n".join(b for _c, b in parts if b)


def _split_file(body: str) -> tuple[str, str]:
    """(content, boilerplate) of a file's text.

    The letterhead: the lines before and including the place-and-date line ("Hà Nội, ngày … tháng
    … năm …") when it comes within the first lines, else the leading lines without a lower-case
    letter (never the whole text). The footer: from "Nơi nhận:" to the end (distribution list,
    signature block)."""
    lines = body.split("\n")
    end = 0
    for i, line in enumerate(lines[:HEADER_LINES]):
        if len(line) < 80 and _DATE_LINE.search(line.lower()):
            end = i + 1
            break
    else:
        limit = min(len(lines) - 1, HEADER_LINES // 2)
        while end < limit and _is_heading(lines[end]):
            end += 1
    footer = len(lines)
    for i in range(end, len(lines)):
        if _FOOTER.match(lines[i][:20].lower()):
            footer = i
            break
    if end == 0 and footer == len(lines):
        return body, ""
    return "\n".join(lines[end:footer]), "\n".join(lines[:end] + lines[footer:])


_SEP_RE = re.compile(r"[\W_]+")
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
    if not text:
        return ""
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


def _pattern(tokens: Iterable[str], prefix: bool) -> str | re.Pattern:
    words = " ".join(tokens)
    if prefix:
        return re.compile(" " + re.escape(words) + r"[0-9a-z]*(?= )")
    return " " + words + " "


def _count(pat: str | re.Pattern, text: str) -> int:
    return len(pat.findall(text)) if isinstance(pat, re.Pattern) else text.count(pat)


def units(query: ParsedQuery) -> list[tuple[str | re.Pattern, float]]:
    """What is counted: each clause, and each pair of words typed side by side (unquoted)."""
    out: list[tuple[str | re.Pattern, float]] = [(_pattern(c.tokens, c.prefix), 1.0) for c in query.clauses]
    adjacent = query.adjacent()
    if adjacent is not None:
        for c in adjacent.clauses:
            if c.quoted or len(c.tokens) < 2 or c in query.clauses:
                continue
            for k in range(len(c.tokens) - 1):
                last = k + 2 == len(c.tokens)
                out.append((_pattern(c.tokens[k:k + 2], c.prefix and last), PAIR_WEIGHT))
    return out


_ZONE_SEP = "\x01"  # kept through folding (ASCII) and punctuation (mapped to itself below)
_PUNCT_KEEP_SEP = _PUNCT_BYTES[:1] + b"\x01" + _PUNCT_BYTES[2:]


def _zones(t: Texts) -> tuple[str, ...]:
    """The zones' normalised words, folded in one pass (folding is most of the ranking's cost)."""
    content, boiler = split_body(t.body)
    sender, _sep, recipients = t.parties.partition("\n\n")
    parts = (t.title, sender, recipients, content, boiler)
    text = _ZONE_SEP.join(parts)
    if _ZONE_SEP not in "".join(parts) and unicodedata.is_normalized("NFC", text):
        if not text.isascii():
            for ch in _WIDE_PUNCT:
                if ch in text:
                    text = text.replace(ch, " ")
        folded = ascii_fold(text)
        if folded is not None:
            zones = folded.translate(_PUNCT_KEEP_SEP).decode("ascii").split(_ZONE_SEP)
            return tuple(" " + " ".join(z.split()) + " " if z.strip() else "" for z in zones)
    return tuple(_norm(p) for p in parts)


def score_texts(query: ParsedQuery, texts: dict[int, Texts]) -> dict[int, float]:
    """The score of each candidate over its zones (see the module's docstring)."""
    pats = units(query)
    if not pats or not texts:
        return {i: 0.0 for i in texts}
    zoned = {i: _zones(t) for i, t in texts.items()}
    lengths = {i: [max(0, z.count(" ") - 1) for z in zs] for i, zs in zoned.items()}
    n = len(zoned)
    avg = [max(1.0, sum(ls[k] for ls in lengths.values()) / n) for k in range(len(ZONE_PARAMS))]
    total_weight = sum(w for _p, w in pats)
    scores = {}
    for i, zs in zoned.items():
        total = 0.0
        for k, z in enumerate(zs):
            if not z:
                continue
            weight, b, k1 = ZONE_PARAMS[k]
            norm = 1 - b + b * lengths[i][k] / avg[k]
            zone, covered = 0.0, 0.0
            for pat, w in pats:
                c = _count(pat, z)
                if c:
                    tf = c / norm
                    zone += w * tf * (k1 + 1) / (tf + k1)
                    covered += w
            # A zone that holds all of the query counts fully; one that holds a word of it, that
            # much less: the whole name of an organisation in the sender's lines outweighs two
            # of its words in a subject.
            total += weight * zone * covered / total_weight
        scores[i] = total
    return scores


@lru_cache(maxsize=256)
def _word_re(word: str) -> re.Pattern:
    return re.compile(r"(?<![^\W_])" + re.escape(word) + r"(?![^\W_])")


def exact_found(query: ParsedQuery, t: Texts) -> int:
    """How many of the words typed with diacritics the document holds as typed."""
    wanted = query.exact_tokens
    if not wanted:
        return 0
    text = exact(t.title + "\n" + t.parties + "\n" + t.body)
    return sum(1 for w in set(wanted) if w in text and _word_re(w).search(text))


def _ordinal(day: int) -> int:
    try:
        return date(day // 10000, day // 100 % 100, day % 100).toordinal()
    except ValueError:
        return 0


def with_recency(scores: dict[int, float], days: dict[int, int]) -> dict[int, float]:
    """Each score raised by how recent the document is, next to the newest candidate."""
    ordinals = {i: _ordinal(d) for i, d in days.items()}
    newest = max(ordinals.values(), default=0)
    return {i: s * (1 + RECENCY_BOOST * 0.5 ** (max(0, newest - ordinals.get(i, 0)) / RECENCY_HALF_LIFE))
            for i, s in scores.items()}


def order_key(n_exact: int, score: float, doc_id: int) -> tuple:
    return (n_exact, score, doc_id)
