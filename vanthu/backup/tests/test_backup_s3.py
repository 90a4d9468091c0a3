"""`vanthu backup` and `vanthu restore` with stored files in an S3-compatible bucket (moto's
server on the loopback): the bucket's objects are copied out, checked, and put back into an
empty bucket by the restore."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from vanthu.backup import BackupError, backup, check_manifest, restore
from vanthu.documents.blobstore import key_for
from vanthu.documents.models import StoredFile
from vanthu.testing import factories as f

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


def _restore_in_a_new_installation(result_path: Path, new_dir: Path, storage_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}
    env.update({"VANTHU_DATA_DIR": str(new_dir), "VANTHU_STORAGE_URL": storage_url})
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
        return subprocess.run([sys.executable, "-m", "vanthu.cli", "restore", str(result_path)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
    finally:
        if target_db:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{target_db}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_copies_the_bucket_and_a_restore_fills_an_empty_one(world, tmp_path, moto_server, s3_storage):
    for n in range(3):
        f.draft(world.a.org, world.a.specialist, [world.b.org], subject=f"Về việc sao lưu kho đối tượng số {n}")
    shas = set(StoredFile.objects.values_list("sha256", flat=True))
    assert len(shas) >= 1

    result = backup(tmp_path / "b")
    manifest = check_manifest(result.path)
    assert manifest["files"] == {"store": "s3"}
    in_backup = {Path(p["path"]).name for p in manifest["parts"] if p["path"].startswith("data/files/")}
    assert in_backup == shas

    # Restored by another installation whose files go to a new, empty bucket.
    target = moto_server.new_bucket()
    out = _restore_in_a_new_installation(result.path, tmp_path / "restored", moto_server.url(target))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "audit chain intact" in out.stdout
    client = moto_server.client()
    for sha in shas:
        body = client.get_object(Bucket=target, Key=key_for(sha))["Body"].read()
        assert hashlib.sha256(body).hexdigest() == sha
    assert not (tmp_path / "restored" / "files").exists(), "the files went to the local disk, not the bucket"


def test_a_restore_refuses_a_bucket_that_holds_files(world, tmp_path, moto_server, s3_storage):
    f.draft(world.a.org, world.a.specialist, [world.b.org])
    result = backup(tmp_path / "b")
    with pytest.raises(BackupError, match="bucket already holds files"):
        restore(result.path, data_dir=tmp_path / "elsewhere")
    assert StoredFile.objects.count() >= 1  # the live installation untouched


def test_a_backup_fails_on_an_object_changed_in_the_bucket(world, tmp_path, moto_server, s3_storage):
    f.draft(world.a.org, world.a.specialist, [world.b.org])
    sha = StoredFile.objects.values_list("sha256", flat=True).first()
    moto_server.client().put_object(Bucket=s3_storage, Key=key_for(sha), Body=b"%PDF-1.7 sua trai phep")
    with pytest.raises(BackupError, match="does not match its hash"):
        backup(tmp_path / "b")
