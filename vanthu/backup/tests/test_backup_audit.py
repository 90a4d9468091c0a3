"""A backup holds the audit chain's signed checkpoints as of its database snapshot, so that the
restored installation's `vanthu restore` verifies the chain against them and finds it intact."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction

from vanthu import backup as backup_module
from vanthu.audit import checkpoints
from vanthu.audit.chain import anchor, record

ROOT = Path(__file__).resolve().parents[3]


def _grow(world, n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            record("note", actor=world.a.clerk, object_type="test", object_id=str(i), data={"i": i})


def _restore_elsewhere(src: Path, new_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}
    env["VANTHU_DATA_DIR"] = str(new_dir)
    target_db = None
    if connection.vendor == "postgresql":
        import psycopg

        s = connection.settings_dict
        base = f"postgresql://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}"
        target_db = f"vanthu_restore_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{target_db}"')
        env["VANTHU_DATABASE_URL"] = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}/{target_db}"
    try:
        return subprocess.run([sys.executable, "-m", "vanthu.cli", "restore", str(src)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
    finally:
        if target_db:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{target_db}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_signed_just_after_the_snapshot_stays_out_of_the_backup(world, settings, tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    settings.STORAGES = {**settings.STORAGES, "audit": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                        "OPTIONS": {"location": str(data_dir / "audit")}}}
    settings.VANTHU_AUDIT_KEY_FILE = data_dir / "audit_key.pem"
    _grow(world, 6)
    assert anchor().anchored_seq == 6
    snapshot = backup_module._snapshot_database

    def snapshot_then_the_worker_checkpoints(dest, conn):
        # The worker's periodic run lands between the database snapshot and the copy of the data dir.
        out = snapshot(dest, conn)
        _grow(world, 3)
        assert anchor().anchored_seq == 9
        return out

    monkeypatch.setattr(backup_module, "_snapshot_database", snapshot_then_the_worker_checkpoints)
    result = backup_module.backup(tmp_path / "backup", data_dir=data_dir)
    assert [c.seq for c in checkpoints.load_all()] == [6, 9]  # the live store has both
    copied = sorted(p.name for p in (result.path / "data" / "audit" / "checkpoints").rglob("*.json"))
    assert copied == ["000000000006.json"]

    out = _restore_elsewhere(result.path, tmp_path / "restored")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "audit chain intact" in out.stdout
    restored = tmp_path / "restored"
    assert (restored / "audit_key.pem").read_bytes() == (data_dir / "audit_key.pem").read_bytes()
