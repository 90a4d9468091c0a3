"""Archival packages: a case file, a year or the whole archive, for another system to ingest and
check on its own.

The layout is a BagIt bag (RFC 8493), which archival systems read as it is:

    bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
    data/archive.json  data/archive.xml          every case file and document, described
    data/handovers/<id>/muc-luc-nop-luu.pdf  bien-ban-giao-nhan.pdf
    data/<year>/<case file code>/muc-luc-van-ban.pdf
    data/<year>/<case file code>/<nnn>-<document id>/<role>-<n>.pdf   (and pdfa-<n>.pdf for a scan)
    data/<year>/chua-lap-ho-so/<document id>-<role>-<n>.pdf           documents of the year in no case file

`manifest-sha256.txt` names every file under data/ with its SHA-256, `tagmanifest-sha256.txt`
the other three. `verify_package` needs nothing but the package: it reports each file changed,
missing or not in a manifest. Files are copied (never linked: editing a package must never
reach the storage) and hashed while they are written, in one pass.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone
from lxml import etree

from vanthu.documents.models import Delivery, DocStatus, Document, DocumentFile
from vanthu.documents.storage import path_for
from vanthu.organizations.models import Organization

from .models import (
    CaseFile,
    CaseItem,
    CaseStatus,
    Handover,
    HandoverStatus,
    LongTermEvidence,
    PdfaCopy,
)

FORMAT = "VanThu-Archive/1"
CHUNK = 1 << 20
DOC_BATCH = 2000
UNFILED = "chua-lap-ho-so"
TAG_FILES = ("bagit.txt", "bag-info.txt", "manifest-sha256.txt")
MANIFESTS = ("manifest-sha256.txt", "tagmanifest-sha256.txt")
_STORED = re.compile(r"[0-9a-f]{64}")  # a storage file's name: its SHA-256


# --- writing -------------------------------------------------------------------------------------

class _Sink:
    """Where a package's files go: a directory, or one ZIP file (stored: PDFs are compressed)."""

    def __init__(self, target: Path, as_zip: bool) -> None:
        self.target = target
        self.zip: zipfile.ZipFile | None = None
        if as_zip:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.zip = zipfile.ZipFile(target, "x", compression=zipfile.ZIP_STORED, allowZip64=True)
        else:
            target.mkdir(parents=True, exist_ok=False)
        self._dirs: set = set()
        self.root = str(target)

    def copy(self, rel: str, source: Path, sha256: str | None = None) -> tuple[str, int]:
        """Copy a file in; `sha256` when the storage already names the file by it (content-addressed),
        so that it is not hashed again: `verify_package` rehashes, and would show a storage file
        whose bytes no longer match its name."""
        if sha256 is not None and self.zip is None:
            dest = os.path.join(self.root, rel)
            folder = os.path.dirname(dest)
            if folder not in self._dirs:
                os.makedirs(folder, exist_ok=True)
                self._dirs.add(folder)
            size = os.stat(source).st_size  # FileNotFoundError before anything is written
            shutil.copyfile(source, dest)  # the kernel's copy (copy_file_range/sendfile)
            return sha256, size
        h = hashlib.sha256()
        size = 0
        if self.zip is not None:
            with open(source, "rb") as src, self.zip.open(rel, "w", force_zip64=True) as out:
                while chunk := src.read(CHUNK):
                    if sha256 is None:
                        h.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            return sha256 or h.hexdigest(), size
        dest = self.target / rel
        if dest.parent not in self._dirs:
            dest.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(dest.parent)
        with open(source, "rb") as src, open(dest, "xb") as out:
            while chunk := src.read(CHUNK):
                h.update(chunk)
                out.write(chunk)
                size += len(chunk)
        return h.hexdigest(), size

    def write(self, rel: str, data: bytes) -> tuple[str, int]:
        if self.zip is not None:
            self.zip.writestr(rel, data)
        else:
            dest = self.target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        return hashlib.sha256(data).hexdigest(), len(data)

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _safe(name: str) -> str:
    """A path segment from a code or a name: no separators, nothing hidden."""
    cleaned = re.sub(r"[^\w.\-]+", "_", name, flags=re.UNICODE).strip("._") or "_"
    return cleaned[:80]


@dataclass
class ExportResult:
    path: Path
    files: int = 0
    bytes: int = 0
    documents: int = 0
    case_files: int = 0
    missing: list[str] = field(default_factory=list)  # stored files absent from the storage

    def as_dict(self) -> dict:
        return {"path": str(self.path), "files": self.files, "bytes": self.bytes, "documents": self.documents,
                "case_files": self.case_files, "missing": self.missing}


_DOC_FIELDS = ("id", "symbol", "number", "doc_type__code", "subject", "issuer_id", "issuer__name", "issuer__code",
               "external_issuer_name", "external_issuer_code", "issued_date", "source", "status", "signer_name",
               "signer_position", "page_count", "authoritative_file__file_id")


class _File(NamedTuple):
    file_id: str
    role: str
    name: str


def _doc_meta(d: dict) -> dict:
    """A document's description in the package, from its row (read as values: a year holds 100,000)."""
    return {"id": d["id"], "symbol": d["symbol"], "number": d["number"], "type": d["doc_type__code"], "subject": d["subject"],
            "issuer": d["issuer__name"] if d["issuer_id"] else d["external_issuer_name"],
            "issuer_code": d["issuer__code"] if d["issuer_id"] else d["external_issuer_code"],
            "issued_date": d["issued_date"].isoformat() if d["issued_date"] else None, "source": d["source"], "status": d["status"],
            "signer": d["signer_name"], "signer_position": d["signer_position"], "page_count": d["page_count"],
            "authoritative_sha256": d["authoritative_file__file_id"], "files": []}


def _year_documents(org_id: int, year: int | None):
    """Every document the organisation issued or registered as received (in `year`, if given)."""
    received = Delivery.objects.filter(recipient_id=org_id, incoming_number__isnull=False)
    issued = Q(issuer_id=org_id, status__in=[DocStatus.ISSUED, DocStatus.REVOKED])
    if year is not None:
        received = received.filter(accepted_at__year=year)
        issued &= Q(issued_date__year=year)
    return Document.objects.filter(issued | Q(id__in=received.values("document_id")))


def _batched(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), DOC_BATCH):
        yield ids[i:i + DOC_BATCH]


def _files_of(doc_ids: list[int]) -> dict[int, list[_File]]:
    out: dict[int, list[_File]] = {}
    rows = DocumentFile.objects.filter(document_id__in=doc_ids).order_by("document_id", "role", "position", "id")
    for doc_id, file_id, role, name in rows.values_list("document_id", "file_id", "role", "name"):
        out.setdefault(doc_id, []).append(_File(file_id, role, name))
    return out


def _documents(doc_ids: list[int]) -> dict[int, dict]:
    return {d["id"]: d for d in Document.objects.filter(id__in=doc_ids).values(*_DOC_FIELDS)}


def export_package(organization: Organization, target: Path, *, year: int | None = None, case_file_ids: Iterable[int] | None = None,
                   as_zip: bool = False) -> ExportResult:
    """Write the package of an organisation's archive (a year, a few case files, or all of it)."""
    sink = _Sink(target, as_zip)
    result = ExportResult(path=target)
    manifest: list[tuple[str, str]] = []
    try:
        def put(rel: str, source: Path | None = None, data: bytes | None = None) -> str | None:
            full = f"data/{rel}"
            if source is not None:
                try:
                    sha, size = sink.copy(full, source, source.name if _STORED.fullmatch(source.name) else None)
                except FileNotFoundError:  # a stored file gone from the storage: named, not fatal
                    result.missing.append(rel)
                    return None
            else:
                sha, size = sink.write(full, data or b"")
            manifest.append((sha, full))
            result.files += 1
            result.bytes += size
            return sha

        files_qs = CaseFile.objects.of_organization(organization.id).exclude(status__in=[CaseStatus.PLANNED, CaseStatus.DISPOSED])
        if case_file_ids is not None:
            files_qs = files_qs.filter(id__in=list(case_file_ids))
        elif year is not None:
            files_qs = files_qs.filter(file_list__year=year)
        case_files = list(files_qs.with_related().order_by("file_list__year", "code"))
        result.case_files = len(case_files)
        items_by_file: dict[int, list[CaseItem]] = {}
        for item in CaseItem.objects.filter(case_file__in=case_files).select_related("record").order_by("case_file_id", "position", "id"):
            items_by_file.setdefault(item.case_file_id, []).append(item)

        described_files = []
        filed_doc_ids: set[int] = set()
        for cf in case_files:
            base = f"{cf.file_list.year}/{_safe(cf.code)}"
            entry = {"id": cf.id, "code": cf.code, "title": cf.title, "year": cf.file_list.year,
                     "heading": f"{cf.heading.code}. {cf.heading.title}" if cf.heading_id else "",
                     "retention": cf.retention.code, "retention_label": cf.retention.label, "status": cf.status,
                     "start_date": _iso(cf.start_date), "end_date": _iso(cf.end_date), "page_count": cf.page_count,
                     "document_count": cf.document_count, "responsible": cf.responsible.get_full_name() if cf.responsible_id else "",
                     "contents_sheet": None, "items": []}
            if cf.contents_sheet_id:
                rel = f"{base}/muc-luc-van-ban.pdf"
                if put(rel, path_for(cf.contents_sheet_id)):
                    entry["contents_sheet"] = f"data/{rel}"
            items = items_by_file.get(cf.id, [])
            doc_ids = [i.document_id for i in items if i.document_id]
            filed_doc_ids.update(doc_ids)
            docs, files = _documents(doc_ids), _files_of(doc_ids)
            derived = _derived([df.file_id for fs in files.values() for df in fs])
            for n, item in enumerate(items, 1):
                if item.document_id:
                    meta = _doc_meta(docs[item.document_id])
                    folder = f"{base}/{n:03d}-{item.document_id}/"
                    _put_doc_files(put, folder, files.get(item.document_id, []), meta, derived)
                    result.documents += 1
                else:
                    meta = {"id": None, "title": item.title, "date": _iso(item.record_date), "files": []}
                    rel = f"{base}/{n:03d}-tai-lieu/{_safe(item.record_name or 'tai-lieu')}"
                    rel = rel if rel.lower().endswith(".pdf") else rel + ".pdf"
                    if put(rel, path_for(item.record_id)):
                        meta["files"].append({"path": f"data/{rel}", "sha256": item.record_id, "role": "record"})
                    pdfa = _derived([item.record_id])[0].get(item.record_id)
                    if pdfa and put(f"{base}/{n:03d}-tai-lieu/pdfa.pdf", path_for(pdfa)):
                        meta["files"].append({"path": f"data/{base}/{n:03d}-tai-lieu/pdfa.pdf", "sha256": pdfa, "role": "pdfa"})
                meta["position"] = n
                entry["items"].append(meta)
            described_files.append(entry)

        unfiled = []
        if case_file_ids is None:
            all_ids = list(_year_documents(organization.id, year).order_by("id").values_list("id", flat=True))
            # Filed anywhere (another year's case file too): that file's package holds it, not "unfiled".
            filed = set(CaseItem.objects.filter(organization_id=organization.id, document_id__isnull=False)
                        .values_list("document_id", flat=True)) | filed_doc_ids
            todo = [i for i in all_ids if i not in filed]
            for batch in _batched(todo):
                docs, files = _documents(batch), _files_of(batch)
                derived = _derived([df.file_id for fs in files.values() for df in fs])
                for doc_id in batch:
                    d = docs[doc_id]
                    meta = _doc_meta(d)
                    y = year or (d["issued_date"].year if d["issued_date"] else timezone.localdate().year)
                    # One directory for the year's unfiled documents, their files named by the document.
                    _put_doc_files(put, f"{y}/{UNFILED}/{doc_id}-", files.get(doc_id, []), meta, derived)
                    unfiled.append(meta)
                    result.documents += 1

        handovers = []
        hq = Handover.objects.filter(organization=organization, status=HandoverStatus.RECEIVED)
        if year is not None:
            hq = hq.filter(year=year)
        for h in hq.prefetch_related("case_files").order_by("id"):
            if case_file_ids is not None and not {c.id for c in h.case_files.all()} & {c.id for c in case_files}:
                continue
            base = f"handovers/{h.id}"
            put(f"{base}/muc-luc-nop-luu.pdf", path_for(h.handover_list_id))
            put(f"{base}/bien-ban-giao-nhan.pdf", path_for(h.record_id))
            handovers.append({"id": h.id, "year": h.year, "case_files": sorted(c.code for c in h.case_files.all()),
                              "handover_list": f"data/{base}/muc-luc-nop-luu.pdf", "record": f"data/{base}/bien-ban-giao-nhan.pdf",
                              "unit_signed_at": _iso(h.unit_signed_at), "archive_signed_at": _iso(h.archive_signed_at)})

        description = {"format": FORMAT, "created_at": timezone.now().isoformat(),
                       "organization": {"code": organization.code, "name": organization.name}, "year": year,
                       "case_files": described_files, "unfiled": unfiled, "handovers": handovers}
        put("archive.json", data=json.dumps(description, ensure_ascii=False).encode())  # no indent: the C encoder
        put("archive.xml", data=_as_xml(description))

        lines = "".join(f"{sha}  {path}\n" for sha, path in sorted(manifest, key=lambda m: m[1]))
        tags = {
            "bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
            "bag-info.txt": (f"Source-Organization: {organization.name}\nOrganization-Address: {organization.code}\n"
                             f"Bagging-Date: {timezone.localdate().isoformat()}\nExternal-Description: {FORMAT}"
                             f"{' ' + str(year) if year else ''}\nPayload-Oxum: {result.bytes}.{result.files}\n").encode(),
            "manifest-sha256.txt": lines.encode(),
        }
        tag_lines = []
        for name in TAG_FILES:
            sha, _size = sink.write(name, tags[name])
            tag_lines.append(f"{sha}  {name}\n")
        sink.write("tagmanifest-sha256.txt", "".join(tag_lines).encode())
    finally:
        sink.close()
    return result


def _derived(shas: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """({source: its PDF/A copy}, {source: its long-term (B-LTA) copy}) for the files given."""
    pdfa = dict(PdfaCopy.objects.filter(source_id__in=shas).values_list("source_id", "pdfa_id"))
    lta = dict(LongTermEvidence.objects.filter(source_id__in=shas).values_list("source_id", "current_id"))
    return pdfa, lta


def _put_doc_files(put, prefix: str, files: list[_File], meta: dict, derived: tuple[dict, dict]) -> None:
    """A document's files as they entered; a scan's PDF/A copy and a signed file's long-term copy beside them."""
    counts: dict[str, int] = {}
    pdfa, lta = derived
    for df in files:
        counts[df.role] = counts.get(df.role, 0) + 1
        stem = f"{prefix}{df.role}-{counts[df.role]}"
        if put(f"{stem}.pdf", path_for(df.file_id)):
            meta["files"].append({"path": f"data/{stem}.pdf", "sha256": df.file_id, "role": df.role, "name": df.name})
        for suffix, copies in (("pdfa", pdfa), ("lta", lta)):
            sha = copies.get(df.file_id)
            if sha and put(f"{stem}-{suffix}.pdf", path_for(sha)):
                meta["files"].append({"path": f"data/{stem}-{suffix}.pdf", "sha256": sha, "role": f"{df.role}-{suffix}", "of": df.file_id})


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _as_xml(description: dict) -> bytes:
    """The same description as XML (for systems that ingest XML metadata), built by lxml."""
    root = etree.Element("archive", format=FORMAT, created_at=description["created_at"])
    org = description["organization"]
    etree.SubElement(root, "organization", code=org["code"]).text = org["name"]

    def attrs(d: dict, skip: tuple[str, ...]) -> dict[str, str]:
        return {k: str(v) for k, v in d.items() if k not in skip and v is not None}

    def doc(parent, d: dict) -> None:
        el = etree.SubElement(parent, "document", attrs(d, ("files", "subject", "title")))
        etree.SubElement(el, "subject").text = d.get("subject") or d.get("title") or ""
        for f in d["files"]:
            etree.SubElement(el, "file", attrs(f, ()))

    for cf in description["case_files"]:
        el = etree.SubElement(root, "case_file", attrs(cf, ("items", "title")))
        etree.SubElement(el, "title").text = cf["title"]
        for item in cf["items"]:
            doc(el, item)
    unfiled = etree.SubElement(root, "unfiled")
    for d in description["unfiled"]:
        doc(unfiled, d)
    for h in description["handovers"]:
        etree.SubElement(root, "handover", id=str(h["id"]), year=str(h["year"]), list=h["handover_list"], record=h["record"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- checking ------------------------------------------------------------------------------------

class _Source:
    """A package to read: a directory or a ZIP file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None

    def names(self) -> list[str]:
        if self.zip is not None:
            return [n for n in self.zip.namelist() if not n.endswith("/")]
        out = []
        for root, _dirs, files in os.walk(self.path):
            for f in files:
                out.append(PurePosixPath(Path(root, f).relative_to(self.path).as_posix()).as_posix())
        return out

    def sha256(self, name: str) -> str | None:
        h = hashlib.sha256()
        try:
            fh = self.zip.open(name) if self.zip is not None else open(self.path / name, "rb")
        except (KeyError, FileNotFoundError, IsADirectoryError):
            return None
        with fh:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
        return h.hexdigest()

    def read(self, name: str) -> bytes | None:
        try:
            if self.zip is not None:
                return self.zip.read(name)
            return (self.path / name).read_bytes()
        except (KeyError, FileNotFoundError, IsADirectoryError):
            return None


def _parse_manifest(data: bytes, name: str, problems: list[dict]) -> dict[str, str]:
    entries: dict[str, str] = {}
    for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(None, 1)
        if len(parts) != 2 or not re.fullmatch(r"[0-9a-f]{64}", parts[0]):
            problems.append({"path": name, "problem": f"malformed line {n}"})
            continue
        entries[parts[1].strip()] = parts[0]
    return entries


def verify_package(path: Path) -> dict:
    """{"files": n, "problems": [{"path", "problem"}]}: each changed, missing or unexpected file."""
    problems: list[dict] = []
    if not path.exists():
        return {"files": 0, "problems": [{"path": str(path), "problem": "missing"}]}
    try:
        src = _Source(path)
    except zipfile.BadZipFile:
        return {"files": 0, "problems": [{"path": str(path), "problem": "not a package (neither a directory nor a ZIP file)"}]}
    expected: dict[str, str] = {}
    for manifest in MANIFESTS:
        data = src.read(manifest)
        if data is None:
            problems.append({"path": manifest, "problem": "missing"})
            continue
        expected.update(_parse_manifest(data, manifest, problems))
    present = set(src.names())
    checked = 0
    for name in sorted(expected):
        if name not in present:
            problems.append({"path": name, "problem": "missing"})
            continue
        checked += 1
        if src.sha256(name) != expected[name]:
            problems.append({"path": name, "problem": "changed"})
    for name in sorted(present - set(expected) - {"tagmanifest-sha256.txt"}):
        problems.append({"path": name, "problem": "unexpected"})
    return {"files": checked, "problems": problems}


def default_name(organization: Organization, year: int | None) -> str:
    return f"luu-tru-{_safe(organization.code)}-{year or 'tat-ca'}-{date.today():%Y%m%d}"
