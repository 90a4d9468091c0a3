"""Reading what a signed PDF shows, with pyHanko: each signature's certificate holder and the
text its visible stamp draws (decoded through the embedded font's ToUnicode map)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pyhanko.pdf_utils.reader import PdfFileReader

_SHOW = re.compile(rb"\[([^\]]*)\]\s*TJ|<([0-9A-Fa-f]+)>\s*Tj")
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


@dataclass
class ShownSignature:
    field: str
    holder: str  # the signing certificate's common name
    stamp: str  # the text the visible stamp draws, lines joined by "\n"


def _cmap(font) -> dict[int, str]:
    out: dict[int, str] = {}
    tu = font.get("/ToUnicode")
    if tu is None:
        return out
    data = tu.get_object().data.decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])", block):
            codes = range(int(lo, 16), int(hi, 16) + 1)
            if dst.startswith("["):  # one destination per code
                for code, one in zip(codes, re.findall(r"<([0-9A-Fa-f]+)>", dst), strict=False):
                    out[code] = bytes.fromhex(one).decode("utf-16-be")
            else:
                start = int(dst[1:-1], 16)
                for i, code in enumerate(codes):
                    out[code] = chr(start + i)
    return out


def _texts(xobject, depth: int = 0) -> list[str]:
    """Every line a form XObject (and the forms it draws) shows."""
    xobject = xobject.get_object()
    res = xobject.get("/Resources")
    res = res.get_object() if res is not None else {}
    cmap: dict[int, str] = {}
    for font in (res.get("/Font") or {}).values():
        cmap.update(_cmap(font.get_object()))
    lines = []
    for m in _SHOW.finditer(xobject.data):
        raw = b"".join(bytes.fromhex(h.decode()) for h in _HEX.findall(m.group(0)))
        lines.append("".join(cmap.get(int.from_bytes(raw[i:i + 2], "big"), "?") for i in range(0, len(raw), 2)))
    if depth < 4:
        for sub in (res.get("/XObject") or {}).values():
            lines += _texts(sub, depth + 1)
    return lines


def shown_signatures(data: bytes) -> list[ShownSignature]:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    out = []
    for sig in reader.embedded_signatures:
        holder = str(sig.signer_cert.subject.native.get("common_name", ""))
        field = sig.sig_field
        ap = field.get("/AP")
        stamp = "\n".join(_texts(ap["/N"])) if ap is not None else ""
        out.append(ShownSignature(field=sig.field_name, holder=holder, stamp=stamp))
    return out
