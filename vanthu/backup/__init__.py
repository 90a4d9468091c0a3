"""`vanthu backup DIR` and `vanthu restore DIR`: consistent snapshots of a running installation.

A backup is a directory:

    manifest.json        what is inside, with the SHA-256 and size of every part
    database.sqlite3     SQLite: a copy made with SQLite's online backup API (one consistent state)
    database.pgdump      PostgreSQL: `pg_dump --serializable-deferrable` (one snapshot, no blocking)
    data/…               the data dir: stored files (content-addressed), keys, the secret key

Why the files are consistent with the database without stopping the server: stored files are
written, by their SHA-256, before the row that names them commits, and never changed or removed;
so copying the files *after* the database snapshot finds every file the snapshot names (and maybe
a few newer ones, which are harmless). The audit chain's signed checkpoints are the exception:
one newer than the snapshot would make the restored chain look cut at its tail, so they are
copied *before* the snapshot (every one then names an entry the snapshot holds).

Stored files in an S3-compatible bucket (VANTHU_STORAGE_URL=s3://…) are copied out of the bucket
into `data/files/` the same way (after the snapshot, each hashed as it streams: an object whose
bytes do not match its name fails the backup). A restore puts `data/files/` into whichever store
the restoring installation is configured with, so a backup also moves an installation from its
data dir to a bucket, or back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from vanthu.audit import checkpoints as audit_checkpoints
from vanthu.documents import blobstore
from vanthu.documents import storage as file_storage

FORMAT = 1
MANIFEST = "manifest.json"
# Data-dir entries that are not part of a backup: the live database (backed up separately),
# collected static files (rebuilt), benchmark scratch databases, the servers' live metrics.
SKIP_TOP = {"static", "bench", "metrics", "vanthu.sqlite3", "vanthu.sqlite3-wal", "vanthu.sqlite3-shm",
            "test.sqlite3", "test.sqlite3-wal", "test.sqlite3-shm"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _pg_env_and_args(db: dict) -> tuple[dict, list[str]]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


@dataclass
class BackupResult:
    path: Path
    parts: int
    bytes: int


def _ignore(skip: Path | None):
    """Temporary files, and `skip` (already copied), are left out of a copied tree."""
    temporary = shutil.ignore_patterns("*.tmp", "tmp*", ".tmp-*")  # .tmp-*: a file being stored

    def ignore(directory: str, names: list[str]) -> set[str]:
        out = set(temporary(directory, names))
        if skip is not None and Path(directory) == skip.parent and skip.name in names:
            out.add(skip.name)
        return out

    return ignore


def _audit_checkpoints_in(data_dir: Path) -> Path | None:
    """The audit checkpoints' directory, when the data dir holds it (the default)."""
    found = audit_checkpoints.local_dir()
    if found is None or not found.resolve().is_relative_to(data_dir):
        return None  # elsewhere (S3, another disk): not part of this backup
    return found.resolve()


def _snapshot_database(dest: Path, connection) -> Path:
    """One consistent state of the database, written into `dest`; its path."""
    db = connection.settings_dict
    vendor = connection.vendor
    if vendor == "sqlite":
        db_file = dest / "database.sqlite3"
        src = sqlite3.connect(str(db["NAME"]), timeout=60)
        dst = sqlite3.connect(str(db_file))
        try:
            src.backup(dst)  # one step: one read transaction, so one consistent state (WAL: writers go on)
        finally:
            dst.close()
            src.close()
    elif vendor == "postgresql":
        db_file = dest / "database.pgdump"
        env, args = _pg_env_and_args(db)
        out = subprocess.run(
            ["pg_dump", *args, "--format=custom", "--serializable-deferrable", "--no-owner", "--no-privileges",
             "--file", str(db_file), str(db["NAME"])],
            env=env, capture_output=True, text=True,
        )
        if out.returncode != 0:
            raise BackupError(f"pg_dump failed: {out.stderr.strip()}")
    else:
        raise BackupError(f"cannot back up a {vendor} database")
    return db_file


def backup(dest: Path, *, connection=None, data_dir: Path | None = None) -> BackupResult:
    """Write a backup of the database behind `connection` and of `data_dir` into `dest` (new or empty)."""
    from django.conf import settings
    from django.db import connection as default_connection
    from django.utils import timezone

    connection = connection or default_connection
    data_dir = Path(data_dir or settings.DATA_DIR).resolve()
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    # 0. The audit chain's checkpoints, before the snapshot (see the module docstring).
    anchors = _audit_checkpoints_in(data_dir)
    if anchors is not None and anchors.is_dir():
        shutil.copytree(anchors, dest / "data" / anchors.relative_to(data_dir), ignore=_ignore(None))
    # 1. The database, in one consistent state.
    db_file = _snapshot_database(dest, connection)
    # 2. The data dir's files, after the snapshot (see the module docstring).
    parts = [db_file]
    store = file_storage.current()
    remote = not isinstance(store, blobstore.LocalStore)
    for entry in sorted(data_dir.iterdir()):
        if entry.name in SKIP_TOP or entry.resolve() in (dest.resolve(), anchors):
            continue
        if remote and entry.name == "files":
            continue  # the files are in the bucket (below); a local leftover is not this installation's
        target = dest / "data" / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, symlinks=False, ignore=_ignore(anchors), dirs_exist_ok=True)
        elif entry.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(entry, target)
    if remote:
        _copy_out_of(store, dest / "data" / "files")
    parts += sorted(p for p in (dest / "data").rglob("*") if p.is_file()) if (dest / "data").exists() else []
    # 3. The manifest: every part with its hash, so that restore can prove nothing changed.
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": vendor, "file": db_file.name},
        "files": {"store": store.kind},
        "parts": [{"path": p.relative_to(dest).as_posix(), "size": p.stat().st_size, "sha256": _sha256(p)} for p in parts],
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return BackupResult(dest, len(parts), sum(p["size"] for p in manifest["parts"]))


def _copy_out_of(store, target: Path) -> None:
    """Every object of a remote store into `target` (ab/cd/sha), each checked against its name."""
    for sha in store.keys():
        path = target / blobstore.key_for(sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with store.open(sha) as body, path.open("wb") as out:
            while chunk := body.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha:
            raise BackupError(f"stored file {sha} does not match its hash (it is {digest.hexdigest()}): "
                              "the bucket was changed outside VanThu")


def _copy_into(store, source: Path) -> int:
    """Every file of a backup's `files/` into a remote store (each re-hashed and checked by it)."""
    count = 0
    for path in sorted(source.glob("??/??/*")):
        with path.open("rb") as fh:
            sha, _size = store.write(fh)
        if sha != path.name:
            raise BackupError(f"backup file {path.name} hashes to {sha}")
        count += 1
    return count


def check_manifest(src: Path) -> dict:
    """Read the manifest and prove every part is there, whole and unchanged."""
    src = Path(src)
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"no readable {MANIFEST} in {src}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    listed = set()
    for part in manifest["parts"]:
        rel = part["path"]
        if rel.startswith("/") or ".." in Path(rel).parts:
            raise BackupError(f"part outside the backup: {rel}")
        p = src / rel
        listed.add(rel)
        if not p.is_file():
            raise BackupError(f"missing part: {rel}")
        if p.stat().st_size != part["size"] or _sha256(p) != part["sha256"]:
            raise BackupError(f"part changed since the backup: {rel}")
    extra = {p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file()} - listed - {MANIFEST}
    if extra:
        raise BackupError(f"parts not in the manifest: {sorted(extra)[:5]}")
    return manifest


def restore(src: Path, *, connection=None, data_dir: Path | None = None) -> dict:
    """Restore a checked backup into an empty database and data dir; return the manifest.

    The caller verifies the audit chain afterwards (see `vanthu restore`)."""
    from django.conf import settings
    from django.db import connection as default_connection

    connection = connection or default_connection
    data_dir = Path(data_dir or settings.DATA_DIR)
    src = Path(src)
    manifest = check_manifest(src)
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"the backup is of a {vendor} database; this installation uses {connection.vendor}")
    db = connection.settings_dict
    # Only into an empty place: a restore never mixes with, or overwrites, live data.
    store = file_storage.current()
    remote = not isinstance(store, blobstore.LocalStore)
    if remote and next(iter(store.keys()), None) is not None:
        raise BackupError("the configured bucket already holds files: restore only into an empty one")
    if (data_dir / "files").exists() and any((data_dir / "files").iterdir()):
        raise BackupError(f"{data_dir} already holds files: restore only into an empty data dir")
    if vendor == "sqlite":
        target = Path(db["NAME"])
        if target.exists() and target.stat().st_size > 0:
            raise BackupError(f"{target} already exists: restore only into an empty data dir")
        connection.close()
        shutil.copyfile(src / manifest["database"]["file"], target)
    else:
        if connection.introspection.table_names():
            raise BackupError(f"database {db['NAME']} is not empty: restore only into an empty database")
        connection.close()
        env, args = _pg_env_and_args(db)
        out = subprocess.run(
            ["pg_restore", *args, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
             "--dbname", str(db["NAME"]), str(src / manifest["database"]["file"])],
            env=env, capture_output=True, text=True,
        )
        if out.returncode != 0:
            raise BackupError(f"pg_restore failed: {out.stderr.strip()}")
    data_src = src / "data"
    if data_src.exists():
        for entry in data_src.iterdir():
            if remote and entry.name == "files" and entry.is_dir():
                _copy_into(store, entry)
                continue
            target = data_dir / entry.name
            if entry.is_dir():
                shutil.copytree(entry, target, dirs_exist_ok=True)
            else:
                shutil.copy2(entry, target)
    return manifest
