"""Reading a Domino DXL export as a stream: one note at a time, never the whole file.

A DXL export is one `<database>` (namespace http://www.lotus.com/dxl) holding the ACL, design
notes (`<form>`, `<view>`, `<agent>`, …) and data notes (`<document form=…>`). `read_export`
yields, in file order, a `Note` for each `<document>`, a `DesignNote` for each design note and an
`Acl` for the ACL; each element is dropped from the tree as soon as it has been read, so memory
holds one note (with its attachments) whatever the file's size.

The file is untrusted: libxml2 is told never to load a DTD or touch the network, a DTD that
declares anything (an entity) is refused before parsing, the file is read as UTF-8 whatever it
declares, and the depth is bounded. The parser hands its events to `_Target`, which decodes an
attachment's base64 as it streams in (never held as text), so a 50 MB attachment parses with
libxml2's own limits left on (no `huge_tree`). A malformed or truncated file raises `ExportError`
naming the line where it broke; notes yielded before it are whole.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import cached_property
from html import escape
from typing import IO, Any

from lxml import etree

NS = "http://www.lotus.com/dxl"
_Q = "{" + NS + "}"
MAX_DEPTH = 96  # rich text nests tables in tables, but never this deep
DESIGN_TAGS = frozenset({"form", "subform", "view", "folder", "agent", "page", "frameset", "sharedfield",
                         "sharedcolumn", "scriptlibrary", "imageresource", "fileresource", "stylesheetresource",
                         "sharedactions", "outline", "navigator", "helpaboutdocument", "helpusingdocument",
                         "databasescript", "dataconnection", "note", "appletresource"})
LIST_KINDS = {"textlist": "text", "numberlist": "number", "datetimelist": "datetime"}
PICTURE_FORMATS = {"gif": "image/gif", "jpeg": "image/jpeg", "png": "image/png", "bmp": "image/bmp"}


class ExportError(Exception):
    """The export cannot be read on from here: malformed XML, truncated, or not DXL at all."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Blob:
    """A file of a note: a `$FILE` attachment or a picture embedded in rich text."""

    name: str
    data: bytes
    kind: str = "file"  # file | picture
    content_type: str = ""
    created: str = ""
    modified: str = ""

    @property
    def size(self) -> int:
        return len(self.data)

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Note:
    """One `<document>` as the export holds it."""

    form: str
    unid: str
    note_id: str
    sequence: int
    created: str  # the datetimes as written (`20090602T165055,48+02`); see parse_datetime
    modified: str
    updated_by: list[str]
    items: list[dict[str, Any]]  # {"name", "type", "values", "flags"}; rich text as {"html", "text"}
    attachments: list[Blob]
    pictures: list[Blob]
    parent_unid: str
    line: int

    def item(self, name: str) -> dict[str, Any] | None:
        folded = name.casefold()
        for item in self.items:
            if item["name"].casefold() == folded:
                return item
        return None

    def values(self, name: str) -> list[str]:
        item = self.item(name)
        if item is None:
            return []
        if item["type"] == "richtext":
            return [item["text"]] if item["text"] else []
        return [str(v) for v in item["values"]]

    def first(self, name: str) -> str:
        found = self.values(name)
        return found[0].strip() if found else ""

    def names(self) -> list[str]:
        """Every Notes name the note carries: who updated it, and names, authors and readers items."""
        out = list(self.updated_by)
        for item in self.items:
            if {"names", "authors", "readers"} & set(item["flags"]):
                out += [str(v) for v in item["values"] if str(v).strip()]
        return list(dict.fromkeys(out))

    def authors(self) -> list[str]:
        out = []
        for item in self.items:
            if "authors" in item["flags"]:
                out += [str(v) for v in item["values"] if str(v).strip()]
        return list(dict.fromkeys(out or self.updated_by))

    def plain_text(self) -> str:
        """Every text value and rich text, for search and for the classification rule."""
        parts = []
        for item in self.items:
            if item["name"].startswith("$"):
                continue
            if item["type"] == "richtext":
                parts.append(item["text"])
            elif item["type"] in ("text", "textlist"):
                parts.extend(str(v) for v in item["values"])
        return "\n".join(p for p in parts if p)


@dataclass
class DesignNote:
    kind: str
    name: str
    line: int


@dataclass
class Acl:
    entries: list[dict[str, str]] = field(default_factory=list)


@dataclass
class DatabaseInfo:
    title: str = ""
    replica_id: str = ""
    path: str = ""
    version: str = ""


# --- datetimes -----------------------------------------------------------------------------------

_DT = re.compile(r"^(?P<date>\d{8})?(?:T(?P<time>\d{6})(?:,(?P<frac>\d{1,6}))?)?(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$")


def parse_datetime(raw: str, *, default_offset: timedelta = timedelta(hours=7)) -> datetime | None:
    """`20090602T165055,48+02` → an aware datetime at +02:00 (the offset kept). A value without an
    offset is read at `default_offset` (Vietnam's); a time without a date, or nonsense, is None."""
    m = _DT.match((raw or "").strip())
    if not m or not m.group("date"):
        return None
    d, t, frac, zone = m.group("date"), m.group("time") or "000000", m.group("frac") or "0", m.group("zone")
    if zone is None:
        tz = timezone(default_offset)
    elif zone == "Z":
        tz = UTC
    else:
        digits = zone[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
        if minutes >= 24 * 60:
            return None
        tz = timezone(timedelta(minutes=minutes if zone[0] == "+" else -minutes))
    try:
        return datetime(int(d[:4]), int(d[4:6]), int(d[6:8]), int(t[:2]), int(t[2:4]), int(t[4:6]),
                        int(frac.ljust(6, "0")[:6]), tzinfo=tz)
    except ValueError:
        return None


# --- the stream ------------------------------------------------------------------------------------

class _Counting:
    """The file as lxml reads it, hashed and counted on the way (progress and the report's digest)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.fh.read(n if n and n > 0 else 1 << 20)
        self.sha256.update(chunk)
        self.bytes_read += len(chunk)
        return chunk


class ExportReader:
    """Iterate over an export's notes; `info`, `bytes_read` and `sha256` follow the stream."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.source = _Counting(fh)
        self.info = DatabaseInfo()

    @property
    def bytes_read(self) -> int:
        return self.source.bytes_read

    def sha256(self) -> str:
        """The whole file's digest: whatever lxml left unread (nothing, or trailing space) included."""
        while self.source.read(1 << 20):
            pass
        return self.source.sha256.hexdigest()

    def __iter__(self) -> Iterator[Note | DesignNote | Acl]:
        target = _Target(self)
        # encoding= overrides what the file declares, so that the byte check of the prolog
        # (_check_prolog) cannot be dodged by a declared UTF-16 or UTF-7. Domino writes UTF-8.
        parser = etree.XMLParser(target=target, encoding="utf-8", resolve_entities=False, no_network=True, load_dtd=False,
                                 dtd_validation=False, huge_tree=False, remove_comments=True, remove_pis=True)
        try:
            head = b""
            while chunk := self.source.read(CHUNK):
                if head is not None:
                    head = _check_prolog(head + chunk)
                parser.feed(chunk)
                yield from target.drain()
                target.line += chunk.count(b"\n")
            parser.close()
            yield from target.drain()
        except etree.XMLSyntaxError as exc:
            line = exc.lineno if exc.lineno else None
            raise ExportError(f"malformed or truncated XML: {exc.msg}", line=line) from None
        if not target.seen_root:
            raise ExportError("empty file", line=1)


MAX_PROLOG = 1 << 20


def _check_prolog(head: bytes) -> bytes | None:
    """Refuse a DTD that declares anything (entities above all: a parser target gets them
    expanded, `file:///etc/passwd` included). Domino's exports name their DTD and declare nothing.
    Returns the bytes seen so far while the root element has not started, None once it has."""
    root = head.find(b"<database")
    prolog = head if root < 0 else head[:root]
    doctype = prolog.find(b"<!DOCTYPE")
    if b"<!ENTITY" in prolog or (doctype >= 0 and b"[" in prolog[doctype:]):
        raise ExportError("a DTD with declarations (entities) is not accepted in a DXL export", line=prolog.count(b"\n") + 1)
    if root >= 0:
        return None
    if len(head) > MAX_PROLOG:
        raise ExportError("no <database> element in the first MB: not a DXL export", line=head.count(b"\n") + 1)
    return head


CHUNK = 64 * 1024  # what the parser is fed at a time; a note's `line` is the first of its last chunk
_BLOB_KEY = "{urn:vanthu:migration}blob"


class _Base64Sink:
    """Base64 decoded as it arrives, in pieces of any length, line breaks and all."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.rest = b""

    def feed(self, text: str) -> None:
        data = self.rest + "".join(text.split()).encode("ascii", "replace")
        cut = len(data) - len(data) % 4
        self.rest = data[cut:]
        if cut:
            self.out += base64.b64decode(data[:cut], validate=False)

    def close(self) -> bytes:
        if self.rest.strip(b"="):
            self.out += base64.b64decode(self.rest + b"=" * (-len(self.rest) % 4), validate=False)
        data = bytes(self.out)
        self.out = bytearray()
        return data


class _Target:
    """The parser's events, built into one top-level element at a time (`etree.TreeBuilder`), except
    an attachment's `<filedata>`, whose base64 goes to a decoder as libxml2 reads it: never held as
    text, so a 50 MB attachment costs its 50 MB once, and libxml2 keeps its own limits (no
    `huge_tree`)."""

    def __init__(self, reader: ExportReader) -> None:
        self.reader = reader
        self.tree = etree.TreeBuilder()
        self.depth = 0
        self.line = 1
        self.seen_root = False
        self.root: etree._Element | None = None
        self.done: list[etree._Element] = []
        self.sink: _Base64Sink | None = None
        self.blobs: dict[str, bytes] = {}  # decoded attachments of the notes not yet drained
        self.blob_count = 0

    def start(self, tag: str, attrib: dict, nsmap: dict | None = None) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExportError(f"nested deeper than {MAX_DEPTH} elements", line=self.line)
        if self.depth == 1:
            if tag != _Q + "database":
                raise ExportError("not a DXL database export (expected <database> in the DXL namespace)", line=self.line)
            self.seen_root = True
            self.reader.info = DatabaseInfo(title=attrib.get("title", ""), replica_id=attrib.get("replicaid", ""),
                                            path=attrib.get("path", ""), version=attrib.get("version", ""))
        elem = self.tree.start(tag, attrib)
        if self.depth == 1:
            self.root = elem
        if tag == _Q + "filedata":
            self.sink = _Base64Sink()

    def data(self, text: str) -> None:
        if self.sink is not None:
            self.sink.feed(text)
        elif self.depth > 1:  # text between top-level notes is only white space
            self.tree.data(text)

    def end(self, tag: str) -> None:
        elem = self.tree.end(tag)
        if self.sink is not None and tag == _Q + "filedata":
            self.blob_count += 1
            key = str(self.blob_count)
            self.blobs[key] = self.sink.close()
            elem.set(_BLOB_KEY, key)
            self.sink = None
        self.depth -= 1
        if self.depth == 1:
            self.done.append(elem)

    def close(self) -> None:
        return None

    def drain(self) -> Iterator[Note | DesignNote | Acl]:
        while self.done:
            elem = self.done.pop(0)
            try:
                found = _top_level(elem, self.blobs, self.line)
            finally:
                # Drop what has been read: memory holds one note whatever the file's size.
                for data_el in elem.iter(_Q + "filedata"):
                    self.blobs.pop(data_el.get(_BLOB_KEY, ""), None)
                if self.root is not None and elem.getparent() is self.root:
                    self.root.remove(elem)
            if found is not None:
                yield found


def read_export(fh: IO[bytes]) -> ExportReader:
    return ExportReader(fh)


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag[len(_Q):] if tag.startswith(_Q) else tag


def _top_level(elem: etree._Element, blobs: dict[str, bytes], line: int) -> Note | DesignNote | Acl | None:
    kind = _local(elem.tag)
    if kind == "document":
        return parse_note(elem, blobs, line)
    if kind == "acl":
        return Acl([{k: v for k, v in entry.attrib.items()} for entry in elem if _local(entry.tag) == "aclentry"])
    if kind in DESIGN_TAGS:
        return DesignNote(kind=kind, name=elem.get("name", ""), line=line)
    return None


# --- one note ----------------------------------------------------------------------------------------

def parse_note(elem: etree._Element, blobs: dict[str, bytes] | None = None, line: int = 0) -> Note:
    info = elem.find(_Q + "noteinfo")
    unid = (info.get("unid", "") if info is not None else "").strip().upper()
    created = modified = ""
    if info is not None:
        created = _datetime_text(info.find(_Q + "created"))
        modified = _datetime_text(info.find(_Q + "modified"))
    try:
        sequence = int(info.get("sequence", "0")) if info is not None else 0
    except ValueError:
        sequence = 0
    updated_by = [(n.text or "").strip() for n in elem.iterfind(f"{_Q}updatedby/{_Q}name") if (n.text or "").strip()]
    items: list[dict[str, Any]] = []
    attachments: list[Blob] = []
    pictures: list[Blob] = []
    parent = elem.get("parent", "")
    for item in elem.iterfind(_Q + "item"):
        parsed, files = _item(item, pictures, blobs or {})
        attachments += files
        if parsed["name"].casefold() == "$ref" and parsed["values"]:
            parent = parent or str(parsed["values"][0])
        items.append(parsed)
    return Note(form=elem.get("form", ""), unid=unid, note_id=(info.get("noteid", "") if info is not None else ""),
                sequence=sequence, created=created, modified=modified, updated_by=updated_by, items=items,
                attachments=attachments, pictures=pictures, parent_unid=parent.strip().upper(), line=line or elem.sourceline or 0)


def _datetime_text(holder: etree._Element | None) -> str:
    if holder is None:
        return ""
    dt = holder.find(_Q + "datetime")
    return (dt.text or "").strip() if dt is not None else ""


def _flags(item: etree._Element) -> list[str]:
    return sorted(k for k in ("names", "authors", "readers", "summary", "protected", "sign", "seal", "encrypted")
                  if item.get(k) == "true")


def _item(item: etree._Element, pictures: list[Blob], blobs: dict[str, bytes]) -> tuple[dict[str, Any], list[Blob]]:
    name = item.get("name", "")
    out: dict[str, Any] = {"name": name, "type": "empty", "values": [], "flags": _flags(item)}
    files: list[Blob] = []
    for value in item:
        kind = _local(value.tag)
        if kind in ("text", "number", "datetime"):
            out["type"] = kind
            out["values"].append(_scalar(kind, value))
        elif kind in LIST_KINDS:
            out["type"] = kind
            for child in value:
                ck = _local(child.tag)
                if ck == "datetimepair":
                    out["values"].append("/".join(_scalar("datetime", d) for d in child))
                else:
                    out["values"].append(_scalar(ck, child))
        elif kind == "richtext":
            html, text = richtext(value, pictures)
            out.update(type="richtext", html=html, text=text)
        elif kind == "object":
            out["type"] = "object"
            for f in value.iterfind(_Q + "file"):
                blob = _file(f, blobs)
                files.append(blob)
                out["values"].append(blob.name)
        elif kind == "noteref":
            out["type"] = "noteref"
            out["values"].append(value.get("unid", "").upper())
        else:
            out["type"] = kind or "unknown"
            out["values"].append(" ".join("".join(value.itertext()).split()))
    return out, files


def _scalar(kind: str, value: etree._Element) -> Any:
    text = (value.text or "").strip() if kind != "text" else (value.text or "")
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return text


def _b64(text: str | None) -> bytes:
    # b64decode drops the line breaks DXL wraps base64 in; validate=False tolerates them.
    return base64.b64decode(text or "", validate=False)


def _file(f: etree._Element, blobs: dict[str, bytes]) -> Blob:
    data_el = f.find(_Q + "filedata")
    if data_el is not None and data_el.get(_BLOB_KEY) in blobs:
        data = blobs[data_el.get(_BLOB_KEY)]  # decoded as it streamed in (_Target)
    else:
        try:
            data = _b64(data_el.text if data_el is not None else "")
        except ValueError as exc:
            raise ExportError(f"attachment {f.get('name', '')!r}: base64 unreadable ({exc})", line=f.sourceline) from None
    return Blob(name=f.get("name", ""), data=data, created=_datetime_text(f.find(_Q + "created")),
                modified=_datetime_text(f.find(_Q + "modified")))


# --- rich text to safe HTML ----------------------------------------------------------------------

BLOCK = {"par": "p", "table": "table", "tablerow": "tr", "tablecell": "td", "section": "section"}
PICTURE_SRC = "legacy-picture:"  # replaced by the file's address when a page shows it


def richtext(elem: etree._Element, pictures: list[Blob]) -> tuple[str, str]:
    """Rich text as HTML built from an allow-list (every text escaped, no attribute copied from
    the export), and as plain text. Embedded pictures become files of the note."""
    html: list[str] = []
    text: list[str] = []
    _render(elem, html, text, pictures)
    plain = "\n".join(line.strip() for line in "".join(text).splitlines())
    return "".join(html), re.sub(r"\n{3,}", "\n\n", plain).strip()


def _render(elem: etree._Element, html: list[str], text: list[str], pictures: list[Blob]) -> None:
    for child in elem:
        kind = _local(child.tag)
        if kind in ("pardef", "tablecolumn", "sectiontitle_pardef", "border", "background"):
            pass
        elif kind in BLOCK:
            tag = BLOCK[kind]
            html.append(f"<{tag}>")
            if kind == "table":
                html[-1] = '<table class="legacy-table">'
            _inline_text(child, html, text)
            _render(child, html, text, pictures)
            html.append(f"</{tag}>")
            text.append("\t" if kind == "tablecell" else "\n")
        elif kind == "run":
            style = ""
            font = child.find(_Q + "font")
            if font is not None:
                style = font.get("style", "")
            opens = [t for w, t in (("bold", "strong"), ("italic", "em"), ("underline", "u")) if w in style]
            html.extend(f"<{t}>" for t in opens)
            _inline_text(child, html, text)
            _render(child, html, text, pictures)
            html.extend(f"</{t}>" for t in reversed(opens))
        elif kind == "break":
            html.append("<br>")
            text.append("\n")
        elif kind == "tab":
            html.append(" ")
            text.append("\t")
        elif kind == "horizrule":
            html.append("<hr>")
        elif kind == "picture":
            _picture(child, html, pictures)
        elif kind == "attachmentref":
            name = child.get("displayname") or child.get("name", "")
            html.append(f'<span class="legacy-attachmentref">📎 {escape(name)}</span>')
            text.append(f" {name} ")
        elif kind in ("urllink", "doclink", "namedelementlink", "sectiontitle"):
            html.append("<span>" if kind != "sectiontitle" else "<h4>")
            _inline_text(child, html, text)
            _render(child, html, text, pictures)
            html.append("</span>" if kind != "sectiontitle" else "</h4>")
            if kind == "urllink" and child.get("href"):
                html.append(f' <span class="muted">({escape(child.get("href", ""))})</span>')
        elif kind == "font":
            pass
        else:
            _inline_text(child, html, text)
            _render(child, html, text, pictures)
        if child.tail:
            html.append(escape(child.tail))
            text.append(child.tail)


def _inline_text(elem: etree._Element, html: list[str], text: list[str]) -> None:
    if elem.text:
        html.append(escape(elem.text))
        text.append(elem.text)


def _picture(elem: etree._Element, html: list[str], pictures: list[Blob]) -> None:
    for fmt, ctype in PICTURE_FORMATS.items():
        data_el = elem.find(_Q + fmt)
        if data_el is None:
            continue
        try:
            data = _b64(data_el.text)
        except ValueError:
            return
        blob = Blob(name=f"picture-{len(pictures) + 1}.{fmt}", data=data, kind="picture", content_type=ctype)
        pictures.append(blob)
        alt = escape(elem.get("alttext", "") or blob.name)
        html.append(f'<img src="{PICTURE_SRC}{blob.sha256}" alt="{alt}">')
        return
    html.append('<span class="muted">[hình]</span>')
