"""`vanthu migrate verify`: read the export again and check every note and every attachment,
byte for byte, against what VanThu stored.

A note matches when its record exists and holds the same content (the digest of its items and
files; or an earlier version's, when a newer export replaced it), and each attachment's bytes in
the file store hash to the SHA-256 of the bytes decoded from the export. A classified note must be
absent (it was refused); a mapped note must have its document.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from vanthu.documents.storage import path_for
from vanthu.organizations.models import Organization

from . import actions
from .dxl import ExportError, Note, read_export
from .mapping import Mapping
from .models import LegacyRecord, LegacyRecordVersion


def file_sha256(sha: str) -> str | None:
    """The digest of the stored file's bytes as they are now on disk (None if it is gone)."""
    p = path_for(sha)
    if not p.exists():
        return None
    h = hashlib.sha256()
    with p.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def verify_export(path: str | Path, *, organization: Organization, mapping: Mapping) -> dict[str, Any]:
    documents = attachments = refused = 0
    mismatches: list[dict] = []
    stopped = None
    with Path(path).open("rb") as fh:
        reader = read_export(fh)
        try:
            for note in reader:
                if not isinstance(note, Note):
                    continue
                documents += 1
                attachments += len(note.attachments)
                problems = check_note(note, organization=organization, mapping=mapping)
                if problems is None:
                    refused += 1
                mismatches += problems or []
        except ExportError as exc:
            stopped = {"line": exc.line, "message": exc.message}
            mismatches.append({"unid": "", "problem": "export_unreadable", "line": exc.line, "message": exc.message})
        digest = reader.sha256()
    return {"documents": documents, "attachments": attachments, "refused_classified": refused, "mismatches": mismatches,
            "sha256": {Path(path).name: digest}, "stopped_at": stopped}


def check_note(note: Note, *, organization: Organization, mapping: Mapping) -> list[dict] | None:
    """The mismatches of one note ([] when all is well); None for a classified note rightly absent."""
    spec = mapping.for_form(note.form)
    rec = LegacyRecord.objects.filter(organization=organization, unid=note.unid).first()
    if actions.refusal(note, spec):
        return None if rec is None else [_m(note, "classified_but_stored")]
    if rec is None:
        return [_m(note, "missing")]
    out = []
    digest = actions.content_digest(note)
    if digest != rec.content_sha256 and not LegacyRecordVersion.objects.filter(record=rec, content_sha256=digest).exists():
        out.append(_m(note, "content_differs", stored=rec.content_sha256, export=digest))
    stored = {a.sha256 for a in rec.attachments.all()}
    if digest == rec.content_sha256:
        for blob in [*note.attachments, *note.pictures]:
            if blob.sha256 not in stored:
                out.append(_m(note, "attachment_not_recorded", name=blob.name, sha256=blob.sha256))
                continue
            on_disk = file_sha256(blob.sha256)
            if on_disk != blob.sha256:
                out.append(_m(note, "attachment_bytes_differ" if on_disk else "attachment_missing", name=blob.name,
                              sha256=blob.sha256, stored=on_disk))
    if spec is not None and rec.document_id is None:
        out.append(_m(note, "not_in_register", register=spec.register))
    return out


def _m(note: Note, problem: str, **more: Any) -> dict:
    return {"unid": note.unid, "form": note.form, "problem": problem, **more}
