"""Back up a live installation while documents are being issued, restore it elsewhere, compare."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from vanthu.audit.models import AuditEntry
from vanthu.backup import MANIFEST, BackupError, BackupResult, backup, check_manifest, restore
from vanthu.documents.models import Document
from vanthu.testing import factories as f

ROOT = Path(__file__).resolve().parents[3]
TABLES = ["documents_document", "documents_delivery", "documents_storedfile", "audit_auditentry", "accounts_user"]


class Writer(threading.Thread):
    """Issues documents one after another until told to stop, like a busy clerk."""

    def __init__(self, world) -> None:
        super().__init__(daemon=True)
        self.world = world
        self.stop = threading.Event()
        self.issued = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        w = self.world
        try:
            while not self.stop.is_set():
                f.issued(w.a.org, specialist=w.a.specialist, leader=w.a.leader, clerk=w.a.clerk,
                         recipients=[w.b.org, w.c.org], subject=f"Về việc sao lưu số {self.issued}")
                self.issued += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connection.close()  # this thread's own connection: the test database must be droppable


def _restored_rows(env: dict, data_dir: Path) -> tuple[dict, list, list]:
    """Counts, (id, subject, status) of documents and (seq, hash) of the chain in the restored database."""
    if "VANTHU_DATABASE_URL" in env:
        import psycopg

        con = psycopg.connect(env["VANTHU_DATABASE_URL"].replace("postgres://", "postgresql://"))
    else:
        con = sqlite3.connect(data_dir / "vanthu.sqlite3")
    cur = con.cursor()
    counts = {}
    for t in TABLES:
        cur.execute(f"SELECT count(*) FROM {t}")  # noqa: S608 - fixed table names
        counts[t] = cur.fetchone()[0]
    cur.execute("SELECT id, subject, status FROM documents_document ORDER BY id")
    docs = [tuple(r) for r in cur.fetchall()]
    cur.execute("SELECT seq, hash FROM audit_auditentry ORDER BY seq")
    chain = [tuple(r) for r in cur.fetchall()]
    cur.execute("SELECT sha256 FROM documents_storedfile")
    shas = [r[0] for r in cur.fetchall()]
    con.close()
    return counts, docs, chain, shas


def _wait(writer: Writer, done, what: str, seconds: float = 120) -> None:
    """Poll until `done()`, failing on the writer's error or after `seconds`."""
    deadline = time.monotonic() + seconds
    while not done():
        assert writer.error is None, writer.error
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _write_while_backing_up(dest: Path, write) -> tuple[bool, BackupResult]:
    """Back up into `dest` in a thread; once its database copy has begun, `write()` here.

    Whether the write committed while the backup was still running (before its manifest, the
    last thing it writes, exists), and the backup."""
    out: dict = {}

    def run() -> None:
        try:
            out["result"] = backup(dest)
        except BaseException as exc:  # noqa: BLE001 - reported below
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    while thread.is_alive() and not any((dest / name).exists() for name in ("database.sqlite3", "database.pgdump")):
        time.sleep(0.001)
    inside = False
    if thread.is_alive() and not (dest / MANIFEST).exists():
        write()
        inside = not (dest / MANIFEST).exists()
    thread.join(timeout=300)
    assert not thread.is_alive() and "error" not in out, out.get("error")
    return inside, out["result"]


@pytest.mark.django_db(transaction=True)
def test_a_live_installation_backs_up_under_writes_and_restores_elsewhere(world, tmp_path, settings):

    writer = Writer(world)
    writer.start()
    _wait(writer, lambda: writer.issued >= 2, "the first documents")
    before = Document.objects.count()
    # Writes go on while a backup runs: once a backup has begun copying the database, a draft
    # saved here commits before the backup ends. Under a backup that held writers back it never
    # would, whatever the machine's speed; a backup may also be done before the draft is, so
    # it may take a few.
    deadline = time.monotonic() + 120

    def draft() -> None:
        f.draft(world.a.org, world.a.specialist, [world.b.org], subject="Về việc soạn trong khi sao lưu")

    for attempt in itertools.count():
        inside, result = _write_while_backing_up(tmp_path / f"backup{attempt}", draft)
        if inside:
            break
        assert writer.error is None, writer.error
        assert time.monotonic() < deadline, "no write committed while a backup ran: does the backup stop writers?"
        shutil.rmtree(result.path)
    # And writes go on after it.
    after_backup = writer.issued
    _wait(writer, lambda: writer.issued > after_backup, "a document issued after the backup")
    writer.stop.set()
    writer.join(timeout=60)
    assert not writer.is_alive() and writer.error is None, writer.error
    manifest = check_manifest(result.path)
    assert any(p["path"].startswith("data/files/") for p in manifest["parts"])

    # Restore into a new, empty data dir (and, on PostgreSQL, a new, empty database).
    new_dir = tmp_path / "restored"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}
    env["VANTHU_DATA_DIR"] = str(new_dir)
    target_db = None
    if connection.vendor == "postgresql":
        import psycopg

        target_db = f"vanthu_restore_{uuid.uuid4().hex[:8]}"
        s = connection.settings_dict
        base = f"postgresql://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{target_db}"')
        env["VANTHU_DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{target_db}"
    try:
        out = subprocess.run([sys.executable, "-m", "vanthu.cli", "restore", str(result.path)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "audit chain intact" in out.stdout
        counts, docs, chain, shas = _restored_rows(env, new_dir)
    finally:
        if target_db:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{target_db}" WITH (FORCE)')

    # The snapshot is one moment: at least what was there before, less than what is there now
    # (a document was issued after it), and exactly the live rows for everything it holds.
    assert before <= counts["documents_document"] < Document.objects.count()
    live_docs = {d.id: (d.id, d.subject, d.status) for d in Document.objects.all()}
    # Issued documents never change; a draft caught mid-way may have moved on since.
    assert all(live_docs[d[0]] == d for d in docs if d[2] == "issued")
    assert all(live_docs[d[0]][1] == d[1] for d in docs)
    live_chain = dict(AuditEntry.objects.values_list("seq", "hash"))
    assert chain and all(live_chain[seq] == h for seq, h in chain)
    assert [s for s, _h in chain] == list(range(1, len(chain) + 1))
    # Every document issued has all its deliveries (two recipients each), never half an issue.
    issued = sum(1 for d in docs if d[2] == "issued")
    assert counts["documents_delivery"] == 2 * issued
    # Every file the database names is there, whole.
    for sha in shas:
        p = new_dir / "files" / sha[:2] / sha[2:4] / sha
        assert hashlib.sha256(p.read_bytes()).hexdigest() == sha


def test_restore_refuses_a_changed_backup_and_a_non_empty_target(world, tmp_path):
    f.draft(world.a.org, world.a.specialist, [world.b.org])
    result = backup(tmp_path / "b")
    manifest = json.loads((result.path / "manifest.json").read_text())
    victim = result.path / next(p["path"] for p in manifest["parts"] if p["path"].startswith("data/files/"))
    victim.write_bytes(victim.read_bytes() + b"x")
    with pytest.raises(BackupError, match="changed"):
        check_manifest(result.path)
    with pytest.raises(BackupError, match="not empty"):
        backup(result.path)
    # Into the live installation itself: refused, nothing overwritten.
    victim.write_bytes(victim.read_bytes()[:-1])

    with pytest.raises(BackupError, match="empty"):
        restore(result.path)
