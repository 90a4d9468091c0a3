"""`vanthu migrate …`: the command line of the migration (called by vanthu/cli.py after setup).

    vanthu migrate notes FILE.dxl --organization CODE [--mapping MAPPING.toml] [--dry-run] [--user NAME]
    vanthu migrate notes --suggest-mapping FILE.dxl
    vanthu migrate verify FILE.dxl --organization CODE [--mapping MAPPING.toml]
    vanthu migrate names --export names.csv | --import names.csv

Each prints its result as JSON on its last line; `notes` shows a progress bar on a terminal.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from django.contrib.auth import get_user_model

from vanthu.organizations.models import Organization

from .dxl import ExportError
from .importer import run_import, survey
from .mapping import MappingError, load_mapping
from .models import ImportRun, NotesName
from .verify import verify_export


class Bar:
    """A progress bar on stderr, redrawn at most ten times a second; silent when not a terminal."""

    def __init__(self, out: TextIO = sys.stderr) -> None:
        self.out = out
        self.on = out.isatty()
        self.last = 0.0

    def __call__(self, done: int, total: int, notes: int) -> None:
        now = time.monotonic()
        if not self.on or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        share = done / total if total else 1
        filled = int(30 * share)
        self.out.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {share:6.1%}  {notes} văn bản  {done / 1e6:,.1f}/{total / 1e6:,.1f} MB")
        self.out.flush()

    def end(self) -> None:
        if self.on:
            self.out.write("\n")


def _say(result: dict[str, Any]) -> None:
    print(json.dumps(result, ensure_ascii=False))


def _fail(message: str, code: int = 2) -> int:
    print(message, file=sys.stderr)
    _say({"error": message})
    return code


def _organization(code: str) -> Organization | None:
    if not code:
        return None
    return Organization.objects.filter(code=code.strip().upper()).first()


def notes(file: str, *, organization: str, mapping: str | None, dry_run: bool, suggest: bool, username: str) -> int:
    path = Path(file)
    if not path.is_file():
        return _fail(f"Không có tệp / no such file: {file}")
    if suggest:
        try:
            print(survey(path).suggest(), end="")
        except ExportError as exc:
            return _fail(f"Tệp DXL lỗi ở dòng {exc.line} / export unreadable at line {exc.line}: {exc.message}")
        return 0
    org = _organization(organization)
    if org is None:
        return _fail(f"Không tìm thấy tổ chức có mã / no organisation with code: {organization!r}")
    try:
        rules = load_mapping(mapping)
    except (MappingError, OSError) as exc:
        return _fail(f"Bảng ánh xạ lỗi / mapping file: {exc}")
    user = get_user_model().objects.filter(username=username).first() if username else None
    if username and user is None:
        return _fail(f"Không có người dùng / no such user: {username}")
    run = ImportRun.objects.create(organization=org, file_name=path.name[:255], dry_run=dry_run, started_by=user,
                                   mapping_text=Path(mapping).read_text(encoding="utf-8") if mapping else "")
    bar = Bar()
    report = run_import(path, organization=org, mapping=rules, user=user, dry_run=dry_run, run=run, progress=bar)
    bar.end()
    report["run"] = run.id
    if report["stopped_at"]:
        stop = report["stopped_at"]
        print(f"Tệp DXL lỗi ở dòng {stop['line']}: {stop['message']}. Các văn bản trước chỗ lỗi đã được nhập; "
              f"sửa tệp rồi chạy lại. / The export broke at line {stop['line']}; the notes before it are imported.",
              file=sys.stderr)
    _say(report)
    return 2 if report["stopped_at"] else (1 if report["errors"] else 0)


def verify(file: str, *, organization: str, mapping: str | None) -> int:
    path = Path(file)
    if not path.is_file():
        return _fail(f"Không có tệp / no such file: {file}")
    org = _organization(organization)
    if org is None:
        return _fail(f"Không tìm thấy tổ chức có mã / no organisation with code: {organization!r}")
    try:
        rules = load_mapping(mapping)
    except (MappingError, OSError) as exc:
        return _fail(f"Bảng ánh xạ lỗi / mapping file: {exc}")
    result = verify_export(path, organization=org, mapping=rules)
    _say(result)
    return 1 if result["mismatches"] else 0


def names_export(out: str) -> int:
    """The names table as CSV for the office to fill: notes_name, username (empty when unknown)."""
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["notes_name", "username"])
        rows = NotesName.objects.order_by("name").values_list("name", "user__username")
        for name, username in rows:
            w.writerow([name, username or ""])
    _say({"names": NotesName.objects.count(), "file": out})
    return 0


def names_import(src: str) -> int:
    """Read the filled CSV back: each name with a username becomes that user's."""
    users = get_user_model().objects
    done, unknown = 0, []
    with open(src, newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            name, username = (row.get("notes_name") or "").strip(), (row.get("username") or "").strip()
            if not name or not username:
                continue
            user = users.filter(username=username).first()
            if user is None:
                unknown.append(username)
                continue
            NotesName.objects.update_or_create(name=name[:255], defaults={"user": user})
            done += 1
    _say({"mapped": done, "unknown_users": unknown})
    return 1 if unknown else 0
