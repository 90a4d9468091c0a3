"""Writing DXL exports that look like an office's Domino database: for the tests, the benchmark
and the demo. Written as a stream (an attachment's base64 line by line), so a 2 GB export costs
no more memory than a small one.

The forms are those a party office's Notes operations database used: `VanBanDi` (outgoing),
`VanBanDen` (incoming), `PhanHoi` (a response to either, pointing at it with `$REF`).
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.sax.saxutils import escape, quoteattr

HEADER = ("<?xml version='1.0' encoding='utf-8'?>\n"
          "<!DOCTYPE database SYSTEM 'xmlschemas/domino_8_5_3.dtd'>\n")

# A 1×1 GIF: the "embedded picture" of rich text (a logo pasted into a Notes memo).
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

Chunks = Callable[[], Iterator[bytes]]


def noise(size: int, seed: str) -> Chunks:
    """`size` bytes that do not compress, made a MiB at a time from a seed (a large attachment)."""
    def chunks() -> Iterator[bytes]:
        rng = random.Random(seed)
        left = size
        while left > 0:
            n = min(left, 1 << 20)
            left -= n
            yield rng.randbytes(n)
    return chunks


def digest_of(chunks: Chunks) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    for c in chunks():
        h.update(c)
        size += len(c)
    return h.hexdigest(), size


@dataclass
class File:
    name: str
    data: bytes | None = None
    chunks: Chunks | None = None

    def stream(self) -> Iterator[bytes]:
        if self.data is not None:
            yield self.data
        elif self.chunks is not None:
            yield from self.chunks()


@dataclass
class SampleNote:
    form: str
    unid: str
    note_id: str
    created: str
    modified: str
    updated_by: list[str]
    items: list[str] = field(default_factory=list)  # XML of each <item>
    files: list[File] = field(default_factory=list)
    sequence: int = 1


# --- items ---------------------------------------------------------------------------------------

def _flags(names: bool = False, authors: bool = False, readers: bool = False, summary: bool = True) -> str:
    out = " summary='true'" if summary else ""
    for flag, on in (("names", names), ("authors", authors), ("readers", readers)):
        if on:
            out += f" {flag}='true'"
    return out


def text(name: str, value: str, **flags: bool) -> str:
    return f"<item name={quoteattr(name)}{_flags(**flags)}><text>{escape(value)}</text></item>"


def textlist(name: str, values: list[str], **flags: bool) -> str:
    inner = "".join(f"<text>{escape(v)}</text>" for v in values)
    return f"<item name={quoteattr(name)}{_flags(**flags)}><textlist>{inner}</textlist></item>"


def number(name: str, value: float | int) -> str:
    return f"<item name={quoteattr(name)}><number>{value}</number></item>"


def dt(name: str, value: str) -> str:
    return f"<item name={quoteattr(name)}><datetime>{value}</datetime></item>"


def dtlist(name: str, values: list[str]) -> str:
    inner = "".join(f"<datetime>{v}</datetime>" for v in values)
    return f"<item name={quoteattr(name)}><datetimelist>{inner}</datetimelist></item>"


def ref(parent_unid: str) -> str:
    return f"<item name='$REF'><text>{parent_unid}</text></item>"


def richtext(name: str, paragraphs: list[str], *, table: list[list[str]] | None = None, picture: bytes | None = None,
             attachment_refs: list[str] = ()) -> str:
    parts = ["<pardef id='1' leftmargin='1in'/>"]
    for i, p in enumerate(paragraphs):
        if i == 0:
            parts.append(f"<par def='1'><run><font style='bold'/>{escape(p)}</run></par>")
        else:
            parts.append(f"<par def='1'>{escape(p)}</par>")
    if table:
        rows = "".join("<tablerow>" + "".join(f"<tablecell><par def='1'>{escape(c)}</par></tablecell>" for c in row)
                       + "</tablerow>" for row in table)
        parts.append(f"<table widthtype='fixedleft' refwidth='6in'><tablecolumn width='3in'/>{rows}</table>")
    if picture is not None:
        parts.append(f"<par def='1'><picture width='1px' height='1px'><gif>{base64.b64encode(picture).decode()}</gif></picture></par>")
    for name_ in attachment_refs:
        parts.append(f"<par def='1'><attachmentref name={quoteattr(name_)} displayname={quoteattr(name_)}/></par>")
    return f"<item name={quoteattr(name)}><richtext>{''.join(parts)}</richtext></item>"


# --- the file --------------------------------------------------------------------------------------

def write_export(out: IO[bytes], notes: Iterable[SampleNote], *, title: str = "Văn thư điện tử - Đảng ủy Khối",
                 replica_id: str = "4825713A0021F3B7", design: bool = True, truncate_at: int | None = None) -> None:
    """Write a whole export; `truncate_at` stops after that many notes, mid-note (a broken copy)."""
    w = out.write
    w(HEADER.encode())
    w(f"<database xmlns='http://www.lotus.com/dxl' version='8.5' maintenanceversion='3.0' replicaid='{replica_id}' "
      f"path='vanthu\\dukhoi.nsf' title={quoteattr(title)}>\n".encode())
    w(b"<databaseinfo dbid='4825713A0021F3B7' odsversion='51' numberofdocuments='0'><datamodified><datetime>"
      b"20120105T081500,00+07</datetime></datamodified></databaseinfo>\n")
    w("<acl maxinternetaccess='reader'><aclentry name='-Default-' default='true' level='noaccess'/>"
      "<aclentry name='CN=Quản trị Notes/O=DUK' level='manager' deletedocs='true'/>"
      "<aclentry name='VanThu' level='editor' type='persongroup'/></acl>\n".encode())
    if design:
        for kind, name in (("form", "VanBanDi"), ("form", "VanBanDen"), ("form", "PhanHoi"), ("view", "Sổ văn bản đi"),
                           ("agent", "Nhắc hạn xử lý")):
            w(f"<{kind} name={quoteattr(name)} noteid='1{len(name)}a'><noteinfo noteid='1{len(name)}a' "
              f"unid='0{len(name):031d}'/></{kind}>\n".encode())
    for i, note in enumerate(notes):
        _note(out, note, cut=truncate_at is not None and i == truncate_at)
        if truncate_at is not None and i == truncate_at:
            return
    w(b"</database>\n")


def _note(out: IO[bytes], note: SampleNote, *, cut: bool = False) -> None:
    w = out.write
    w(f"<document form={quoteattr(note.form)}>\n<noteinfo noteid='{note.note_id}' unid='{note.unid}' sequence='{note.sequence}'>"
      f"<created><datetime dst='true'>{note.created}</datetime></created>"
      f"<modified><datetime>{note.modified}</datetime></modified>"
      f"<revised><datetime>{note.modified}</datetime></revised></noteinfo>\n".encode())
    w(("<updatedby>" + "".join(f"<name>{escape(n)}</name>" for n in note.updated_by) + "</updatedby>\n").encode())
    for item in note.items:
        w(item.encode() + b"\n")
    if cut:
        w(b"<item name='$FILE'><object><file name='cat-ngang.doc'><filedata>UEsDBBQABgAIAAAAIQ")
        return
    for f in note.files:
        w(f"<item name='$FILE' summary='true' sign='true' seal='true'><object><file hosttype='msdos' compression='none' "
          f"flags='storedindoc' encoding='none' name={quoteattr(f.name)}><created><datetime>{note.created}</datetime>"
          f"</created><modified><datetime>{note.modified}</datetime></modified><filedata>\n".encode())
        _base64(out, f.stream())
        w(b"</filedata></file></object></item>\n")
    w(b"</document>\n")


def _base64(out: IO[bytes], chunks: Iterator[bytes]) -> None:
    """Base64 in lines of 76 characters, as Domino writes it, from chunks of any size."""
    rest = b""
    for chunk in chunks:
        data = rest + chunk
        cut = len(data) - len(data) % 57
        body, rest = data[:cut], data[cut:]
        if body:
            enc = base64.b64encode(body)
            out.write(b"\n".join(enc[i:i + 76] for i in range(0, len(enc), 76)) + b"\n")
    if rest:
        out.write(base64.b64encode(rest) + b"\n")


def unid(n: int, salt: str = "VT") -> str:
    return hashlib.md5(f"{salt}{n}".encode()).hexdigest().upper()
