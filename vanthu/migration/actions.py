"""Importing one Notes note: one transaction each (a savepoint inside the importer's batch of a
second's notes), so that a run killed midway leaves only whole notes behind, and the next run (the
UNID is the key) finishes the job with no duplicate and no gap.

A note becomes a legacy record (always, unless it is classified) and, when the mapping names its
form, a document in the organisation's register, through the documents app's own action
(`documents.legacy.enter_legacy_document`), in the same transaction: both or neither.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.documents.actions import Upload
from vanthu.documents.classification import check_marking, find_stamp
from vanthu.documents.legacy import LegacyEntry, enter_legacy_document
from vanthu.documents.models import DocumentType
from vanthu.documents.pdf import inspect_pdf
from vanthu.documents.storage import write_blob
from vanthu.errors import Classified, NotAllowed, Unprocessable, VanThuError
from vanthu.organizations.models import Organization
from vanthu.search.fold import fold
from vanthu.text import without_refused

from .access import may_migrate
from .dxl import Blob, Note, parse_datetime
from .mapping import MARKING_ITEMS, FormMapping, Mapping, MappingError, parse_mapping
from .models import ImportRun, LegacyAttachment, LegacyRecord, LegacyRecordVersion, NotesName

CREATED, UPDATED, UNCHANGED, OLDER, REFUSED, ERROR = "created", "updated", "unchanged", "older", "refused", "error"
_UNID = re.compile(r"^[0-9A-F]{32}$")
TITLE_ITEMS = ("Subject", "TrichYeu", "Title", "TieuDe")


@dataclass
class Outcome:
    status: str
    record: LegacyRecord | None = None
    register: str = ""
    message: str = ""
    mapping_error: str = ""


@dataclass
class NameBook:
    """Notes names → VanThu users: the names table, then the mapping file's [names] (by username)."""

    users: dict[str, int | None] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, mapping: Mapping) -> NameBook:
        users: dict[str, int | None] = dict(NotesName.objects.values_list("name", "user_id"))
        wanted = {v for v in mapping.names.values() if v}
        by_username = dict(get_user_model().objects.filter(username__in=wanted).values_list("username", "id"))
        for name, username in mapping.names.items():
            if by_username.get(username):
                users[canonical(name)] = by_username[username]
        return cls(users=users)

    def user_id(self, name: str) -> int | None:
        key = canonical(name)
        self.seen.add(key)
        return self.users.get(key)

    def unmapped(self) -> list[str]:
        return sorted(n for n in self.seen if not self.users.get(n))

    def save_seen(self) -> None:
        """Every name met goes into the names table, for the office to fill (export as CSV)."""
        NotesName.objects.bulk_create([NotesName(name=n[:255]) for n in sorted(self.seen)], ignore_conflicts=True)


def canonical(name: str) -> str:
    """`CN=Nguyễn Văn An/OU=VP/O=DUK`, whitespace tidied; an abbreviated `Nguyễn Văn An/VP/DUK` stays as it is."""
    return "/".join(part.strip() for part in " ".join(name.split()).split("/"))


def common_name(name: str) -> str:
    first = canonical(name).split("/")[0]
    return first[3:] if first.upper().startswith("CN=") else first


# --- what a note holds ---------------------------------------------------------------------------

def content_digest(note: Note) -> str:
    """The digest of everything a record keeps of a note (items, attachments), to find changes and to verify."""
    body = {"form": note.form, "items": note.items,
            "files": [[b.kind, b.name, b.size, b.sha256] for b in [*note.attachments, *note.pictures]]}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def title_of(note: Note, spec: FormMapping | None) -> str:
    names = ([spec.item("subject")] if spec and spec.item("subject") else []) + list(TITLE_ITEMS)
    for name in names:
        value = note.first(name)
        if value:
            return " ".join(value.split())[:500]
    return f"{note.form} {note.unid}"[:500]


def refusal(note: Note, spec: FormMapping | None) -> str | None:
    """The classification rule of every door (documents.classification), applied to a note: its
    marking items, a stamp in its title or text, a stamp on a PDF attachment's first pages."""
    markings = [v for name in {*MARKING_ITEMS, *([spec.item("confidentiality")] if spec and spec.item("confidentiality") else [])}
                for v in note.values(name)]
    try:
        check_marking(*markings)
    except Classified as exc:
        return exc.message
    if find_stamp(title_of(note, spec)) or find_stamp(note.plain_text()):
        return _("Văn bản mang dấu độ mật.")
    for blob in note.attachments:
        if blob.name.lower().endswith(".pdf"):
            try:
                inspect_pdf(blob.data, blob.name)
            except Classified as exc:
                return exc.message
            except VanThuError:
                pass  # unreadable as PDF: kept as the file it is
    return None


# --- the action ------------------------------------------------------------------------------------

def import_note(note: Note, *, organization: Organization, run: ImportRun | None, mapping: Mapping, names: NameBook,
                user, dry_run: bool = False) -> Outcome:
    """Import one note (see the module's docstring). Never raises for the note's own faults: the
    outcome says what happened, and a refused or failed note leaves nothing behind."""
    if not _UNID.match(note.unid):
        return Outcome(ERROR, message=_("Thiếu UNID hoặc UNID không hợp lệ (dòng %(line)s).") % {"line": note.line})
    spec = mapping.for_form(note.form)
    refused = refusal(note, spec)
    if refused:
        return Outcome(REFUSED, message=refused)
    for n in note.names():  # the report lists every unmapped name of the export, imported now or before
        names.user_id(n)
    digest = content_digest(note)
    existing = LegacyRecord.objects.filter(organization=organization, unid=note.unid).first()
    if existing is not None and existing.content_sha256 == digest:
        if spec is None or existing.document_id is not None or dry_run:
            return Outcome(UNCHANGED, record=existing, register=existing.register or (spec.register if spec else ""))
        # Kept before without its document (the mapping lacked the form, or the entry failed):
        # the mapping now names it, so it enters its register now.
        try:
            with transaction.atomic():
                error = _map(existing, note, organization, spec, user, mapping.types)
        except Classified as exc:
            return Outcome(REFUSED, record=existing, message=exc.message)
        return Outcome(UNCHANGED, record=existing, register=existing.register, mapping_error=error)
    if existing is not None and not _newer(note, existing):
        return Outcome(OLDER, record=existing, register=existing.register,
                       message=_("Bản trong tệp cũ hơn bản đã nhập; giữ bản đã nhập."))
    authors = [{"notes": n, "user_id": names.user_id(n), "name": common_name(n)} for n in note.authors()]
    if dry_run:
        return Outcome(UPDATED if existing else CREATED, register=spec.register if spec else "")
    for blob in [*note.attachments, *note.pictures]:
        write_blob(blob.data)  # content-addressed, idempotent: a killed run leaves at most unused files
    try:
        with transaction.atomic():
            if existing is None:
                rec, mapping_error = _create(note, organization, run, spec, authors, digest, user, mapping.types)
            else:
                rec, mapping_error = _update(existing, note, run, spec, authors, digest, user), ""
    except Classified as exc:
        return Outcome(REFUSED, message=exc.message)
    return Outcome(UPDATED if existing else CREATED, record=rec, register=rec.register, mapping_error=mapping_error)


def _newer(note: Note, rec: LegacyRecord) -> bool:
    if note.sequence != rec.sequence:
        return note.sequence > rec.sequence
    new, old = parse_datetime(note.modified), rec.modified_at
    return bool(new and (old is None or new > old))


def _fields(note: Note, authors: list[dict], digest: str, spec: FormMapping | None) -> dict:
    rich = [i for i in note.items if i["type"] == "richtext"]
    text = note.plain_text()
    title = title_of(note, spec)
    return {
        "note_id": note.note_id[:16], "form": note.form[:128], "sequence": note.sequence,
        "created_raw": note.created[:40], "modified_raw": note.modified[:40],
        "created_at": parse_datetime(note.created), "modified_at": parse_datetime(note.modified),
        "updated_by": note.updated_by, "authors": authors, "parent_unid": note.parent_unid[:32], "title": title,
        "items": note.items, "html": "".join(f'<section data-item="{_attr(i["name"])}">{i["html"]}</section>' for i in rich),
        "text": text, "search_text": fold(f"{title}\n{text}"), "content_sha256": digest,
    }


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _attachments(rec: LegacyRecord, note: Note) -> None:
    LegacyAttachment.objects.bulk_create([
        LegacyAttachment(record=rec, kind=b.kind, name=(b.name or b.sha256[:12])[:255], size=b.size, sha256=b.sha256,
                         content_type=b.content_type[:128], position=i)
        for i, b in enumerate([*note.attachments, *note.pictures])])


def _create(note: Note, org: Organization, run: ImportRun | None, spec: FormMapping | None, authors: list[dict],
            digest: str, user, types: dict) -> tuple[LegacyRecord, str]:
    rec = LegacyRecord.objects.create(organization=org, unid=note.unid, first_run=run, last_run=run,
                                      **_fields(note, authors, digest, spec))
    _attachments(rec, note)
    mapping_error = _map(rec, note, org, spec, user, types) if spec is not None else ""
    record("legacy_record_imported", actor=user, obj=rec, data={
        "unid": rec.unid, "form": rec.form, "run": run.id if run else None, "document": rec.document_id,
        "content_sha256": digest})
    return rec, mapping_error


def _map(rec: LegacyRecord, note: Note, org: Organization, spec: FormMapping, user, types: dict) -> str:
    """Enter the record's document in its register; "" or why it could not (the record stays)."""
    try:
        with transaction.atomic():  # a savepoint: a document that cannot enter leaves the record
            doc = enter_legacy_document(_entry(note, spec, types), organization=org, files=_uploads(note, spec), user=user)
    except Classified:
        raise
    except (VanThuError, ValueError) as exc:
        return getattr(exc, "message", str(exc))
    rec.document = doc
    rec.register = spec.register
    rec.save(update_fields=["document", "register"])
    return ""


def _update(rec: LegacyRecord, note: Note, run: ImportRun | None, spec: FormMapping | None, authors: list[dict],
            digest: str, user) -> LegacyRecord:
    rec = LegacyRecord.objects.select_for_update().get(pk=rec.pk)
    LegacyRecordVersion.objects.create(
        record=rec, version=rec.version, sequence=rec.sequence, modified_raw=rec.modified_raw, items=rec.items,
        html=rec.html, content_sha256=rec.content_sha256,
        attachments=[{"kind": a.kind, "name": a.name, "size": a.size, "sha256": a.sha256} for a in rec.attachments.all()])
    for name, value in _fields(note, authors, digest, spec).items():
        setattr(rec, name, value)
    rec.version += 1
    rec.last_run = run
    rec.save()
    rec.attachments.all().delete()
    _attachments(rec, note)
    record("legacy_record_updated", actor=user, obj=rec, data={
        "unid": rec.unid, "version": rec.version, "run": run.id if run else None, "content_sha256": digest})
    return rec


# --- a mapped note as a document -------------------------------------------------------------------

def _entry(note: Note, spec: FormMapping, types: dict) -> LegacyEntry:
    symbol = note.first(spec.item("symbol")) if spec.item("symbol") else ""
    number = _int(note.first(spec.item("number"))) if spec.item("number") else None
    if number is None and symbol and spec.register == "outgoing":  # "15-CV/ĐUK": our register's number
        number = _int(symbol)
    issued = parse_datetime(note.first(spec.item("date"))) if spec.item("date") else None
    received = parse_datetime(note.first(spec.item("received"))) if spec.item("received") else None
    markings = tuple(note.values(spec.item("confidentiality"))) if spec.item("confidentiality") else ()
    return LegacyEntry(
        register=spec.register, doc_type=_doc_type(note, spec, types), subject=note.first(spec.item("subject")),
        number=number, symbol=symbol, issued_date=issued.date() if issued else None, term=spec.term,
        issuer_name=" ".join(note.values(spec.item("issuer"))) if spec.item("issuer") else "",
        signer_name=common_name(note.first(spec.item("signer"))) if spec.item("signer") else "",
        incoming_number=_int(note.first(spec.item("incoming_number"))) if spec.item("incoming_number") else None,
        received_at=received or issued or parse_datetime(note.created), created_at=parse_datetime(note.created),
        markings=markings,
    )


def _int(value: str) -> int | None:
    m = re.match(r"\s*0*(\d{1,9})", value or "")
    return int(m.group(1)) if m else None


def _doc_type(note: Note, spec: FormMapping, cache: dict) -> DocumentType:
    wanted = note.first(spec.item("doc_type")) if spec.item("doc_type") else ""
    for value in (wanted, spec.default_doc_type):
        if not value:
            continue
        if value not in cache:
            cache[value] = DocumentType.objects.filter(code=value).first() or DocumentType.objects.filter(name__iexact=value).first()
        if cache[value] is not None:
            return cache[value]
    raise ValueError(_("Loại văn bản “%(type)s” không có trong danh mục.") % {"type": wanted or spec.default_doc_type})


def _uploads(note: Note, spec: FormMapping) -> list[Upload]:
    files: list[Blob] = note.attachments
    named = spec.item("attachments")
    if named and named.casefold() != "$file":
        wanted = set(note.values(named))
        files = [b for b in files if b.name in wanted] or files
    return [Upload(name=b.name, data=b.data) for b in files]



# --- a run from the administrator's page ----------------------------------------------------------

def uploads_dir() -> Path:
    return Path(settings.DATA_DIR) / "migration"


def queue_import(*, user, organization: Organization, upload, mapping_text: str = "", dry_run: bool = False) -> ImportRun:
    """The installation's administrator uploads an export: it is kept under the data dir and
    imported by the worker (`tasks.import_run`, on the slow queue); the page follows its progress."""
    if not may_migrate(user):
        raise NotAllowed(_("Chỉ quản trị hệ thống mới được chuyển dữ liệu từ Lotus Notes."), code="role_not_allowed")
    try:
        parse_mapping(mapping_text or "")
    except MappingError as exc:
        raise Unprocessable(_("Bảng ánh xạ không hợp lệ: %(error)s") % {"error": exc}, code="invalid_mapping",
                            details={"field": "mapping"}) from None
    name = without_refused(Path(upload.name or "export.dxl").name)[:255] or "export.dxl"
    target = uploads_dir() / f"{uuid.uuid4().hex}.dxl"
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with target.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
            size += len(chunk)
    if size == 0:
        target.unlink()
        raise Unprocessable(_("Tệp tải lên rỗng."), code="empty_file", details={"field": "file"})
    with transaction.atomic():
        run = ImportRun.objects.create(organization=organization, file_name=name, file_path=str(target), file_size=size,
                                       mapping_text=mapping_text, dry_run=dry_run, started_by=user)
        record("legacy_import_queued", actor=user, obj=run, data={"file": name, "size": size, "organization": organization.id,
                                                                  "dry_run": dry_run})
        transaction.on_commit(lambda: _enqueue(run.id))
    return run


def _enqueue(run_id: int) -> None:
    from .tasks import import_run  # here: tasks imports the importer, which imports this module

    import_run.enqueue(run_id)


def queue_verification(run: ImportRun, *, user) -> ImportRun:
    """Check a finished run's export again, byte for byte, in the background (`tasks.verify_run`)."""
    if not may_migrate(user):
        raise NotAllowed(_("Chỉ quản trị hệ thống mới được chuyển dữ liệu từ Lotus Notes."), code="role_not_allowed")
    if not run.file_path or not Path(run.file_path).is_file():
        raise Unprocessable(_("Tệp của lượt nhập này không còn trên máy chủ; hãy kiểm tra bằng lệnh vanthu migrate verify."),
                            code="export_gone")
    with transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(verification={"status": "queued"})
        record("legacy_verification_queued", actor=user, obj=run)
        transaction.on_commit(lambda: _enqueue_verification(run.id))
    run.refresh_from_db()
    return run


def _enqueue_verification(run_id: int) -> None:
    from .tasks import verify_run  # here: tasks imports the importer, which imports this module

    verify_run.enqueue(run_id)
