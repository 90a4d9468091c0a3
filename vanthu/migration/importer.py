"""A run over one export: stream the notes, import each (`actions.import_note`), build the report.

What happens to a file that breaks midway (malformed XML, truncated): every note before the break
stays imported — each whole, committed with the notes of the same second — and the report says where the file stopped
(`stopped_at`: line and message, `complete: false`); nothing of the broken note is written. Fix or
re-export the file and run again: what is already in is recognised by its UNID and left alone.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from vanthu.audit.chain import record
from vanthu.organizations.models import Organization

from . import actions
from .dxl import Acl, DesignNote, ExportError, Note, read_export
from .mapping import Mapping, Survey
from .models import ImportRun, RunStatus

Progress = Callable[[int, int, int], None]  # bytes read, file size, notes seen
BATCH_SECONDS = 1.0  # notes committed together: at most this long a transaction, then the next


class _Batch:
    """Notes committed a second's worth at a time: each note is still whole or absent (its own
    savepoint in `actions.import_note`), and a run killed midway loses at most the last second,
    which the next run imports; a commit per note cost more than the note itself."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        self.inner: ExitStack | None = None
        self.started = 0.0

    def tick(self) -> None:
        if self.inner is not None and time.monotonic() - self.started < BATCH_SECONDS:
            return
        self.close()
        self.inner = self.stack.enter_context(ExitStack())
        self.inner.enter_context(transaction.atomic())
        self.started = time.monotonic()

    def close(self) -> None:
        if self.inner is not None:
            self.inner.close()
            self.inner = None


@dataclass
class Tally:
    documents: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    attachments: int = 0
    attachment_bytes: int = 0
    by_form: Counter = field(default_factory=Counter)
    mapped: Counter = field(default_factory=Counter)
    skipped: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    design: Counter = field(default_factory=Counter)
    acl: list[dict] = field(default_factory=list)

    def add(self, note: Note, outcome: actions.Outcome) -> None:
        self.documents += 1
        self.by_form[note.form] += 1
        self.attachments += len(note.attachments)
        self.attachment_bytes += sum(b.size for b in note.attachments)
        if outcome.status == actions.CREATED:
            self.created += 1
        elif outcome.status == actions.UPDATED:
            self.updated += 1
        elif outcome.status in (actions.UNCHANGED, actions.OLDER):
            self.unchanged += 1
        if outcome.register:
            self.mapped[outcome.register] += 1
        if outcome.status == actions.REFUSED:
            self.skipped.append({"unid": note.unid, "form": note.form, "reason": "classified", "message": outcome.message})
        elif outcome.status == actions.OLDER:
            self.skipped.append({"unid": note.unid, "form": note.form, "reason": "older", "message": outcome.message})
        elif outcome.status == actions.ERROR:
            self.errors.append({"unid": note.unid, "message": outcome.message, "line": note.line})
        if outcome.mapping_error:
            self.errors.append({"unid": note.unid, "message": outcome.mapping_error, "line": note.line,
                                "kept_as": "legacy_record"})


def run_import(path: str | Path, *, organization: Organization, mapping: Mapping, user=None, dry_run: bool = False,
               run: ImportRun | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Import one export file; return the verification report (also stored on `run`)."""
    path = Path(path)
    size = path.stat().st_size
    if run is not None:
        run.status, run.file_size = RunStatus.RUNNING, size
        run.save(update_fields=["status", "file_size"])
    names = actions.NameBook.load(mapping)
    tally = Tally()
    stopped: dict | None = None
    last_save = time.monotonic()
    with path.open("rb") as fh, ExitStack() as stack:
        reader = read_export(fh)
        batch = _Batch(stack)
        try:
            for found in reader:
                batch.tick()
                if isinstance(found, Note):
                    outcome = actions.import_note(found, organization=organization, run=run, mapping=mapping, names=names,
                                                  user=user, dry_run=dry_run)
                    tally.add(found, outcome)
                elif isinstance(found, DesignNote):
                    tally.design[found.kind] += 1
                elif isinstance(found, Acl):
                    tally.acl = found.entries
                if progress:
                    progress(reader.bytes_read, size, tally.documents)
                if run is not None and time.monotonic() - last_save > 1:
                    last_save = time.monotonic()
                    ImportRun.objects.filter(pk=run.pk).update(bytes_read=reader.bytes_read, documents_seen=tally.documents)
        except ExportError as exc:
            stopped = {"line": exc.line, "message": exc.message}
        batch.close()  # the notes before a break stay (see the module's docstring)
        digest = reader.sha256()
    if not dry_run:
        names.save_seen()
    shown = run.file_name if run is not None and run.file_name else path.name  # an upload's own name, not the stored one
    report = _report(tally, names, {shown: digest}, stopped, dry_run=dry_run, database=reader.info.__dict__)
    if run is not None and not dry_run:
        with transaction.atomic():  # the sign-off's figures, in the hash-chained log
            record("legacy_import_finished", actor=user, obj=run, data={
                k: report[k] for k in ("documents", "created", "updated", "unchanged", "attachments", "attachment_bytes",
                                       "mapped", "sha256", "complete")} | {"skipped": len(report["skipped"]),
                                                                           "errors": len(report["errors"])})
    if run is not None:
        run.status = RunStatus.STOPPED if stopped else RunStatus.DONE
        run.report, run.finished_at, run.bytes_read, run.documents_seen = report, timezone.now(), size, tally.documents
        run.error = f"line {stopped['line']}: {stopped['message']}" if stopped else ""
        run.save(update_fields=["status", "report", "finished_at", "bytes_read", "documents_seen", "error"])
    return report


def _report(t: Tally, names: actions.NameBook, sha: dict[str, str], stopped: dict | None, *, dry_run: bool,
            database: dict) -> dict[str, Any]:
    return {
        "documents": t.documents, "created": t.created, "updated": t.updated, "unchanged": t.unchanged,
        "by_form": dict(sorted(t.by_form.items())), "attachments": t.attachments, "attachment_bytes": t.attachment_bytes,
        "mapped": dict(sorted(t.mapped.items())), "skipped": t.skipped, "errors": t.errors,
        "unmapped_names": names.unmapped(), "sha256": sha, "complete": stopped is None, "stopped_at": stopped,
        "dry_run": dry_run, "database": database, "design_notes": dict(sorted(t.design.items())), "acl": t.acl,
    }


def survey(path: str | Path) -> Survey:
    """The forms and items of an export, for `--suggest-mapping` (reads the whole file, writes nothing)."""
    found = Survey()
    with Path(path).open("rb") as fh:
        for item in read_export(fh):
            if isinstance(item, Note):
                found.add(item)
    return found
