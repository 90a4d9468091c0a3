"""Classified documents never enter VanThu (ARCHITECTURE invariant 5): the one rule every door uses.

Two questions, one answer each:

- `check_marking` — a confidentiality marking given as data (the API's and the forms'
  `confidentiality`, a peer package's `SecurityLevel`). An allow-list: only the ordinary level
  passes, in whatever form a person or another system writes it; anything else (Mật, Tối mật,
  Tuyệt mật in any Unicode form or case, a code such as "4", "Confidential", a typo) is refused
  with the message that points to the cipher channel. A marking we do not know could be a
  classified one, so not knowing it is a reason to refuse, never to let it in.
- `find_stamp` — a classification stamp printed on a PDF page, read from its text layer. Text
  cannot be allow-listed, so this one recognises the stamp (MẬT, TỐI MẬT, TUYỆT MẬT, with or without
  marks, letter-spaced, with a full stop, alone on its line or standing apart on the line of the
  number) and leaves the word "mật" inside ordinary phrases ("bí mật nhà nước", "BẢO MẬT") alone.
  A scan without a text layer shows it nothing: the paper registration form asks the clerk instead.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from vanthu.errors import Classified

CLASSIFIED_MESSAGE = (
    "Văn bản mật (Mật, Tối mật, Tuyệt mật) không được đưa vào hệ thống. "
    "Đề nghị chuyển văn bản qua kênh cơ yếu theo quy định."
)

# The level stored on every document that entered (Document.confidentiality).
ORDINARY = "thuong"

# Every way we accept of writing the ordinary level, after `normalise`: nothing at all (a peer
# that does not mark packages, an API client that leaves the field out), the API's own code,
# the Vietnamese word with or without its marks, "0" (the edXML convention of OtherInfo codes,
# where 0 is the ordinary value, as Priority's 0 is "thường"), and "normal".
ORDINARY_MARKINGS = frozenset({"", "thuong", "thường", "0", "normal"})

# No ordinary marking is longer; a longer one is refused before any work is spent on it.
_MAX_MARKING = 64


def normalise(marking: str) -> str:
    """NFC (a decomposed "thường" is the same word), case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", marking).casefold().split())


def check_marking(*markings: str | None, field: str = "confidentiality") -> str:
    """The level to store (ORDINARY) when every marking given is an ordinary one; otherwise
    raise Classified with the message that says to use the cipher channel. None counts as
    not marked. Several markings (a package may carry more than one) must all be ordinary."""
    for marking in markings:
        raw = marking or ""
        if len(raw) > _MAX_MARKING or normalise(raw) not in ORDINARY_MARKINGS:
            raise Classified(_(CLASSIFIED_MESSAGE), details={"field": field, "confidentiality": raw[:_MAX_MARKING]})
    return ORDINARY


# --- stamps in a page's text -------------------------------------------------------------------

# The stamp's words, matched on casefolded NFD text. Each allows the marks of the real word, each
# of them optional (a font without a Vietnamese cmap loses them: "MAT"), and no other marks, so
# that "mặt", "mắt", "mất", "mát" (face, eye, lose, cool) are never taken for "mật".
_MAT = "ma[\u0302\u0323]{0,2}t"
_TOI = "to[\u0302\u0301]{0,2}i"
_TUYET = "tuye[\u0302\u0323]{0,2}t"
_DO = "[dđ]o[\u0302\u0323]{0,2}"
_WORD = {"mat": re.compile(_MAT), "toi": re.compile(_TOI), "tuyet": re.compile(_TUYET), "do": re.compile(_DO)}
# A letter-spaced stamp ("T U Y Ệ T  M Ậ T") comes out of `_join_spaced_letters` as one token.
_JOINED_PREFIX = re.compile(_DO + _MAT)
_JOINED_LEVEL = re.compile(f"(?:(?P<tuyet>{_TUYET})|(?P<toi>{_TOI}))?{_MAT}")
_LEVELS = {"tuyet": "TUYỆT MẬT", "toi": "TỐI MẬT", "mat": "MẬT"}
# Lines without anything like "mật" (letter-spaced or not) are passed over without being split.
_CANDIDATE = re.compile(r"m\s*a[\u0302\u0323]{0,2}\s*t")
# What may stand around a stamp on a line: punctuation, then words that are stamps themselves
# (urgency: KHẨN, THƯỢNG KHẨN, HỎA TỐC). An uppercase word next to "MẬT" otherwise makes a
# compound (BÍ MẬT, BẢO MẬT, MẬT MÃ, MẬT KHẨU) rather than a stamp.
_PUNCT = ".,:;!?()[]{}<>«»\"'“”‘’*-–—_/|"
_URGENCY = frozenset({"khẩn", "thượng", "hỏa", "hoả", "tốc"})


def _core(token: str) -> str:
    return token.strip(_PUNCT)


def _fold(token: str) -> str:
    return unicodedata.normalize("NFD", _core(token).casefold())


def _is(word: str, folded: str) -> bool:
    return _WORD[word].fullmatch(folded) is not None


def _join_spaced_letters(tokens: list[str]) -> list[str]:
    """Runs of two or more single letters ("M Ậ T.", a stamp set with letter spacing) become one
    token ("MẬT."). A lone letter stays as it is."""
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        core = _core(token)
        if len(core) == 1 and core.isalpha():
            run.append(token)
            continue
        out.extend(["".join(run)] if len(run) > 1 else run)
        run = []
        if token:
            out.append(token)
    return out


def _stamp_at(folded: list[str], i: int) -> tuple[str, int] | None:
    """The level and the end index of a stamp that starts at token i ("Độ mật:" included);
    `folded` holds the tokens as `_fold` makes them."""
    if i + 1 < len(folded) and _is("do", folded[i]) and _is("mat", folded[i + 1]):
        i += 2  # "Độ mật: …": the level follows
    elif _JOINED_PREFIX.fullmatch(folded[i]):
        i += 1
    if i >= len(folded):
        return None
    joined = _JOINED_LEVEL.fullmatch(folded[i])
    if joined:
        return _LEVELS["tuyet" if joined.group("tuyet") else "toi" if joined.group("toi") else "mat"], i + 1
    for word in ("tuyet", "toi"):
        if i + 1 < len(folded) and _is(word, folded[i]) and _is("mat", folded[i + 1]):
            return _LEVELS[word], i + 2
    return None


def _stands_apart(token: str | None) -> bool:
    """A neighbour that cannot make a compound word with the stamp."""
    if token is None:
        return True
    core = _core(token)
    return not (core.isalpha() and core.isupper()) or core.casefold() in _URGENCY


def find_stamp(text: str) -> str | None:
    """The level ("MẬT", "TỐI MẬT", "TUYỆT MẬT") of a classification stamp in a page's text, or None.

    A stamp is either a whole line that does not start in lowercase ("MẬT.", "Mật", "M Ậ T",
    "Độ mật: Tối mật") or, on a line with other things (the number "Số 15-NQ/ĐU", the date), an
    uppercase stamp whose neighbours are not uppercase words. Lowercase "mật" is running text:
    a line that is only "mật." is the end of a sentence that wrapped, not a stamp."""
    for raw in unicodedata.normalize("NFC", text).splitlines():
        if not _CANDIDATE.search(unicodedata.normalize("NFD", raw.casefold())):
            continue
        tokens = _join_spaced_letters(raw.split())
        folded = [_fold(t) for t in tokens]
        for i in range(len(tokens)):
            found = _stamp_at(folded, i)
            if found is None:
                continue
            level, end = found
            stamp = [_core(t) for t in tokens[i:end]]
            if i == 0 and end == len(tokens) and stamp[0][:1].isupper():
                return level
            before = tokens[i - 1] if i > 0 else None
            after = tokens[end] if end < len(tokens) else None
            if all(t.isupper() for t in stamp) and _stands_apart(before) and _stands_apart(after):
                return level
    return None
