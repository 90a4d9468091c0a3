"""The clerk's number stamp, as on paper: the number and symbol and the place and date written
onto the first page, in the places the layout reserves for them (Hướng dẫn 36-HD/VPTW).

A leader signs before the number exists, and a signature forbids changing the page afterwards.
So, before the leader's signature, two empty read-only text fields are put over those places
(`reserve`); at issue they are filled (`fill`: a form-filling change, which a signature allows)
and the organisation's seal then covers the filled page. A reader of the PDF sees
"Số 29-CV/ĐU" and "Hà Nội, ngày 07 tháng 12 năm 2026" where the draft left them blank.

The places are found in the first page's text layer: the line that begins with "Số" (the number
left blank, "Số      -CV/ĐU") and the one with "ngày … tháng … năm". A page without them gets
the usual places of a party document's header.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStamp, TextStampStyle
from pypdf import PdfReader

from .signing import stamp_font_path

NUMBER_FIELD = "SoVaKyHieu"
DATE_FIELD = "DiaDanhNgayThang"
FONT_SIZE = 12
STAMP_MARGIN = 10  # pyHanko's text stamp draws its text this far inside its box
# Where the header puts them when the text layer does not say (A4, points from the bottom left).
DEFAULT_NUMBER_BOX = (70.0, 712.0, 290.0, 731.0)
DEFAULT_DATE_BOX = (310.0, 712.0, 560.0, 731.0)

_NUMBER = re.compile(r"^\s*Số\b")
_DATE = re.compile(r"ngày.*tháng.*năm", re.IGNORECASE)


@dataclass(frozen=True)
class Places:
    number: tuple[float, float, float, float]
    date: tuple[float, float, float, float]


def date_line(place: str, on: date) -> str:
    """"Hà Nội, ngày 07 tháng 12 năm 2026" (days and months below 10 with their zero)."""
    text = f"ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"
    return f"{place}, {text}" if place else text.capitalize()


def number_line(symbol: str, *, party_style: bool = True) -> str:
    """"Số 29-CV/ĐU" for a party document, "Số: 15/NQ-UBND" for a state one."""
    return f"Số {symbol}" if party_style else f"Số: {symbol}"


def find_places(data: bytes) -> Places:
    """The boxes to write in: over the first page's blank number and its date line."""
    page = PdfReader(io.BytesIO(data), strict=False).pages[0]
    width = float(page.mediabox.width)
    lines: list[tuple[float, float, str]] = []  # the text of a line, as pypdf joins it, where it starts
    shows: list[tuple[float, float]] = []  # where each text-showing operator starts

    def where(cm, tm) -> tuple[float, float]:
        return tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]

    def visit_text(text, cm, tm, _font, _size):
        if text.strip():
            lines.append((*where(cm, tm), text))

    def visit_op(op, _args, cm, tm):
        if op in (b"Tj", b"TJ", b"'", b'"'):
            shows.append(where(cm, tm))

    try:
        page.extract_text(visitor_text=visit_text, visitor_operand_before=visit_op)
    except Exception:  # a page whose text cannot be read gets the usual places
        lines = []
    number = next(((x, y) for x, y, t in lines if _NUMBER.match(t)), None)
    when = next(((x, y, t) for x, y, t in lines if _DATE.search(t)), None)

    def starts_on(y: float) -> list[float]:
        return sorted({round(sx, 1) for sx, sy in shows if abs(sy - y) < 2})

    date_box = DEFAULT_DATE_BOX
    date_x = None
    if when is not None:
        x, y, text = when
        # On the number's line (the usual two-column header) the date is the right-hand part.
        if _NUMBER.match(text):
            right = [sx for sx in starts_on(y) if sx > x + 100]
            date_x = right[-1] if right else None
        else:
            date_x = x
        if date_x is not None:
            date_box = (date_x - 1, y - 4, max(width - 20, date_x + 250), y + FONT_SIZE + 2)
    number_box = DEFAULT_NUMBER_BOX
    if number is not None:
        x, y = number
        beside = [sx for sx in starts_on(y) if sx > x + 5]
        number_box = (x - 1, y - 4, min([x + 230, width - 20, *[sx - 4 for sx in beside]]), y + FONT_SIZE + 2)
    return Places(number=number_box, date=date_box)


def _fields(writer: IncrementalPdfFileWriter) -> list:
    form = writer.root.get("/AcroForm")
    return list(form.get_object().get("/Fields", [])) if form is not None else []


def _named(writer: IncrementalPdfFileWriter, name: str):
    for ref in _fields(writer):
        if str(ref.get_object().get("/T", "")) == name:
            return ref
    return None


def has_places(data: bytes) -> bool:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    return _named(writer, NUMBER_FIELD) is not None


def _append(writer: IncrementalPdfFileWriter, owner, key: str, refs: list, *, owner_is_root: bool) -> None:
    """Add `refs` to the array `owner[key]` (direct or indirect, present or not), marking what changed."""
    raw = owner.raw_get(key) if key in owner else None
    if isinstance(raw, generic.IndirectObject):
        raw.get_object().extend(refs)
        writer.mark_update(raw)
        return
    if raw is None:
        owner[generic.NameObject(key)] = generic.ArrayObject(refs)
    else:
        raw.extend(refs)
    if owner_is_root:
        writer.update_root()
    else:
        writer.update_container(owner)


def reserve(data: bytes) -> bytes:
    """The PDF with the two empty fields over the number's and the date's places (unchanged if
    it has them). An incremental update: what was there stays byte for byte."""
    if NUMBER_FIELD.encode() in data and has_places(data):
        return data
    places = find_places(data)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    refs = []
    for name, box in ((NUMBER_FIELD, places.number), (DATE_FIELD, places.date)):
        field = generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
            generic.NameObject("/FT"): generic.NameObject("/Tx"),
            generic.NameObject("/T"): generic.TextStringObject(name),
            generic.NameObject("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in box]),
            generic.NameObject("/F"): generic.NumberObject(4),  # printed
            generic.NameObject("/Ff"): generic.NumberObject(1),  # read-only: no one types into it
            generic.NameObject("/P"): page_ref,
            generic.NameObject("/DA"): generic.TextStringObject(f"/Helv {FONT_SIZE} Tf 0 g"),
            generic.NameObject("/V"): generic.TextStringObject(""),
        })
        refs.append(writer.add_object(field))
    _append(writer, page, "/Annots", refs, owner_is_root=False)
    if "/AcroForm" not in writer.root:
        writer.root[generic.NameObject("/AcroForm")] = writer.add_object(generic.DictionaryObject({
            generic.NameObject("/Fields"): generic.ArrayObject(refs)}))
        writer.update_root()
    else:
        raw = writer.root.raw_get("/AcroForm")
        if isinstance(raw, generic.IndirectObject):
            _append(writer, raw.get_object(), "/Fields", refs, owner_is_root=False)
        else:
            _append(writer, raw, "/Fields", refs, owner_is_root=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@lru_cache(maxsize=1)
def _style() -> TextStampStyle:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    return TextStampStyle(stamp_text="%(text)s", border_width=0,
                          text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(stamp_font_path(), font_size=FONT_SIZE),
                                                              font_size=FONT_SIZE))


def _appearance(writer: IncrementalPdfFileWriter, box, text: str) -> generic.IndirectObject:
    """White over the blank the draft left, and the text on it, scaled to the box's height."""
    w, h = box[2] - box[0], box[3] - box[1]
    stamp_ref = TextStamp(writer, _style(), text_params={"text": text}).as_form_xobject()
    stamp = stamp_ref.get_object()
    raw = [float(v) for v in stamp["/BBox"]]
    bx = [min(raw[0], raw[2]), min(raw[1], raw[3]), max(raw[0], raw[2]), max(raw[1], raw[3])]
    sw = bx[2] - bx[0]
    # The stamp draws its text at a margin of STAMP_MARGIN from its box's lower left corner, at
    # the page's own size: its baseline goes where the blank's was (4 points above the field's
    # bottom), shrunk only if the line would not fit.
    scale = min(1.0, w / max(sw - 2 * STAMP_MARGIN, 1.0))
    tx = 1 - (bx[0] + STAMP_MARGIN) * scale
    ty = 4 - (bx[1] + STAMP_MARGIN) * scale
    content = (f"q 1 1 1 rg 0 0 {w:.2f} {h:.2f} re f Q "
               f"q {scale:.4f} 0 0 {scale:.4f} {tx:.2f} {ty:.2f} cm /S Do Q").encode()
    xobject = generic.StreamObject({
        generic.NameObject("/Type"): generic.NameObject("/XObject"),
        generic.NameObject("/Subtype"): generic.NameObject("/Form"),
        generic.NameObject("/BBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, w, h)]),
        generic.NameObject("/Resources"): generic.DictionaryObject({
            generic.NameObject("/XObject"): generic.DictionaryObject({generic.NameObject("/S"): stamp_ref}),
        }),
    }, stream_data=content)
    return writer.add_object(xobject)


def fill(data: bytes, *, number: str, when: str) -> bytes:
    """The PDF with its reserved places filled (reserved first if it has none and is unsigned)."""
    if not has_places(data):
        data = reserve(data)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    for name, text in ((NUMBER_FIELD, number), (DATE_FIELD, when)):
        ref = _named(writer, name)
        field = ref.get_object()
        box = [float(v) for v in field["/Rect"]]
        field[generic.NameObject("/V")] = generic.TextStringObject(text)
        field[generic.NameObject("/AP")] = generic.DictionaryObject({generic.NameObject("/N"): _appearance(writer, box, text)})
        writer.mark_update(ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
