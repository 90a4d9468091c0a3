"""Signing PDFs with pyHanko: PAdES B-B (or B-T with a timestamp authority) and the visible stamps.

Two stamps in the signature block of the last page (DOMAIN.md): the leader's (the certificate
holder's name, the authority and position, the time) and below it, overlapping, the
organisation's seal (its name, the number and symbol, the time). Times read as a Vietnamese
reader writes them, `07/12/2026 11:29` at +07:00; DejaVu Sans so that Vietnamese renders. Fonts,
seal images and timestamp clients are built once per process.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko.stamp import TextStampStyle

from vanthu.documents import pdfgen

from . import tsaclient

# fontTools logs every table it prunes at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LEADER_FIELD = "ChuKyLanhDao"
SEAL_FIELD = "ChuKyToChuc"
# Bottom right of the last page, where the signature block of a party document sits (points):
# the leader's stamp, and the seal's below it, overlapping its lower part as a seal on paper does.
LEADER_BOX = (360, 108, 565, 168)
STAMP_BOX = (300, 45, 540, 115)


def iso_vn(moment: datetime) -> str:
    """ISO 8601 with Vietnam's offset, seconds precision: 2026-03-01T09:30:00+07:00 (machines)."""
    return moment.astimezone(VN_TZ).replace(microsecond=0).isoformat()


def vn_time(moment: datetime) -> str:
    """A moment as people read it on stamps and pages: 07/12/2026 11:29 (Vietnam's time)."""
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class StampText:
    """What a visible stamp says: "Ký bởi: <holder>", a second line, an optional third, the time.
    With `seal_label` the organisation's seal is drawn behind the text."""

    signer_name: str
    organization_name: str
    seal_label: str = ""
    extra: str = ""
    box: tuple[int, int, int, int] = STAMP_BOX

    def text(self, moment: datetime) -> str:
        lines = [f"Ký bởi: {self.signer_name}", self.organization_name, self.extra, f"Thời gian ký: {vn_time(moment)}"]
        return "\n".join(line for line in lines if line)


def _font_path() -> str:
    # The documents app's lookup (VANTHU_FONT_PATH or DejaVu Sans), with its clear error.
    return pdfgen.font_path()


# The characters a stamp may use: ASCII, every Vietnamese letter, a little punctuation. Fewer
# glyphs make the per-signature subsetting cheaper (pyHanko re-subsets on every embed).
_VIETNAMESE = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư"
_STAMP_CHARS = (set(range(0x20, 0x7F)) | {ord(c) for c in _VIETNAMESE} | set(range(0x1EA0, 0x1EFA))
                | {0xA0, 0xB7, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026})


@lru_cache(maxsize=1)
def stamp_font_path() -> str:
    """DejaVu Sans cut down to the stamp's characters, made once per data dir.

    pyHanko subsets the font it embeds on every signature; subsetting the full DejaVu Sans (with
    its large layout tables) costs ~120 ms a time, a font of only the needed glyphs a few ms.
    """

    from fontTools import subset
    from fontTools.ttLib import TTFont

    source = Path(_font_path())
    target = Path(settings.DATA_DIR) / "fonts" / f"stamp-v3-{source.stem}-{int(source.stat().st_mtime)}.ttf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        opts = subset.Options()
        opts.layout_features = []
        opts.hinting = False
        opts.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF", "kern"]
        font = TTFont(str(source))
        sub = subset.Subsetter(opts)
        sub.populate(unicodes=_STAMP_CHARS)
        sub.subset(font)
        # pyHanko writes glyph widths in font units while PDF expects 1/1000 em: DejaVu's 2048
        # units per em would double the letter spacing. Rescaled to 1000, both agree.
        from fontTools.ttLib.scaleUpem import scale_upem

        scale_upem(font, 1000)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(tmp))
        os.replace(tmp, target)
    return str(target)


@lru_cache(maxsize=1)
def _text_box_style() -> TextBoxStyle:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    return TextBoxStyle(font=GlyphAccumulatorFactory(stamp_font_path(), font_size=9), leading=12)


@lru_cache(maxsize=256)
def _seal_png(label: str) -> bytes:
    """A red round seal with the organisation's short name, drawn once per organisation."""
    from PIL import Image, ImageDraw, ImageFont

    size = 240
    img = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    red = (200, 20, 30, 255)
    d.ellipse((6, 6, size - 6, size - 6), outline=red, width=10)
    d.ellipse((34, 34, size - 34, size - 34), outline=red, width=4)
    font = ImageFont.truetype(_font_path(), 44)
    text = label[:12]
    w = d.textlength(text, font=font)
    d.text(((size - w) / 2, size / 2 - 26), text, fill=red, font=font)
    d.text(((size - d.textlength("★", font=font)) / 2, size / 2 - 78), "★", fill=red, font=font)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@lru_cache(maxsize=256)
def _stamp_style(label: str) -> TextStampStyle:
    # Built once per organisation: pyHanko's PdfImage may be embedded into many files. Without a
    # label, the leader's stamp: text in a thin frame.
    from PIL import Image

    if not label:
        return TextStampStyle(stamp_text="%(text)s", text_box_style=_text_box_style(), border_width=1)
    seal = PdfImage(Image.open(io.BytesIO(_seal_png(label))))
    return TextStampStyle(
        stamp_text="%(text)s", text_box_style=_text_box_style(), background=seal, background_opacity=0.7,
        border_width=1,
    )


def timestamper() -> timestamps.TimeStamper | None:
    """An RFC 3161 client for VANTHU_TSA_URL, or None (then signatures are B-B)."""
    return tsaclient.configured()


def sign_pdf(data: bytes, signer: signers.Signer, *, field_name: str, reason: str = "", location: str = "",
             stamp: StampText | None = None, signed_at: datetime | None = None) -> bytes:
    """Add one PAdES signature as an incremental update; the earlier revisions stay byte-identical."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None, location=location or None,
    )
    if stamp is None:
        spec = fields.SigFieldSpec(sig_field_name=field_name)
        style = None
        params = None
    else:
        last_page = int(writer.root["/Pages"]["/Count"]) - 1
        spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=last_page, box=stamp.box)
        style = _stamp_style(stamp.seal_label)
        params = {"text": stamp.text(signed_at or datetime.now(VN_TZ))}
    ts = timestamper()
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=ts, stamp_style=style, new_field_spec=spec)
    out = io.BytesIO()
    # pyHanko sizes the signature by making a throw-away one first (a whole second CMS and
    # signature). The size only depends on the signer and the timestamp authority, so the
    # first signature's reservation is remembered and reused.
    size_key = (getattr(settings, "VANTHU_TSA_URL", "") or "", md_size_key(meta))
    reserved = _reserved.get(signer, {}).get(size_key)
    with _token_lock(signer):
        pdf_signer.sign_pdf(writer, output=out, appearance_text_params=params, bytes_reserved=reserved)
    result = out.getvalue()
    if reserved is None:
        m = _CONTENTS.search(result, len(data))
        if m:
            _reserved.setdefault(signer, {})[size_key] = len(m.group(1))
    return result


_reserved: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_token_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_token_locks_guard = threading.Lock()


def _token_lock(signer: signers.Signer):
    """A PKCS#11 session is not safe to share between threads: one signature at a time per token
    session. Keys held in memory need no lock."""
    if type(signer).__module__ != "pyhanko.sign.pkcs11":
        return contextlib.nullcontext()
    with _token_locks_guard:
        lock = _token_locks.get(signer)
        if lock is None:
            lock = _token_locks[signer] = threading.Lock()
    return lock
_CONTENTS = re.compile(rb"/Contents\s*<([0-9a-fA-F]+)>")


def md_size_key(meta: signers.PdfSignatureMetadata) -> str:
    return meta.md_algorithm or "sha256"


def field_names(data: bytes) -> list[str]:
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return [name for name, _value, _ref in enumerate_sig_fields(reader)]
