"""The command in a real process: killed midway (SIGKILL) and run again, it finishes the job with
no duplicate and no gap; its last line is the JSON report; `verify` then finds nothing amiss."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from vanthu.documents.doctypes import ensure_document_types
from vanthu.documents.models import Document
from vanthu.migration import samples as s
from vanthu.migration.models import LegacyRecord
from vanthu.testing import factories as f

from .conftest import MAPPING, incoming, outgoing, write

ROOT = Path(__file__).resolve().parents[3]
NOTES = 300


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _vanthu(*args: str, **kw) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")} | {
        "VANTHU_DATA_DIR": str(settings.DATA_DIR), "VANTHU_DATABASE_URL": _database_url(), "VANTHU_LOG_LEVEL": "ERROR",
        "VANTHU_HTTPS": "0"}
    return subprocess.Popen([sys.executable, "-m", "vanthu.cli", "migrate", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _notes() -> list[s.SampleNote]:
    out = []
    for n in range(1, NOTES + 1):
        if n % 3 == 0:
            out.append(incoming(n, subject=f"Công văn số {n} của Thành ủy về công tác tổ chức"))
        else:
            out.append(outgoing(n, subject=f"Thông báo số {n} về lịch sinh hoạt chi bộ",
                                files=[s.File(f"phu-luc-{n}.doc", chunks=s.noise(40_000, f"pl{n}"))]))
    return out


@pytest.mark.slow
def test_a_run_killed_midway_is_finished_by_the_next_with_no_duplicate_and_no_gap(transactional_db, tmp_path):
    ensure_document_types()
    org = f.make_org("Đảng ủy Khối các cơ quan Thành phố", short_name="ĐUK", code="000.00.31.H26")
    export = write(tmp_path / "nam-2011.dxl", _notes())
    (tmp_path / "mapping.toml").write_text(MAPPING, encoding="utf-8")
    args = (str(export), "--organization", org.code, "--mapping", str(tmp_path / "mapping.toml"))

    first = _vanthu("notes", *args)
    try:
        deadline = time.monotonic() + 120
        while LegacyRecord.objects.count() < 40:
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the import did not start"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(30)
    killed_at = LegacyRecord.objects.count()
    assert 40 <= killed_at < NOTES, "killed midway"

    second = _vanthu("notes", *args)
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    assert report["documents"] == NOTES and report["errors"] == [] and report["complete"] is True
    assert report["created"] + report["unchanged"] == NOTES and report["created"] == NOTES - killed_at
    assert LegacyRecord.objects.count() == NOTES
    assert sorted(LegacyRecord.objects.values_list("unid", flat=True)) == sorted(n.unid for n in _notes())
    # Every mapped note has its document, exactly once; the register has no gap.
    assert Document.objects.count() == NOTES
    numbers = sorted(Document.objects.filter(issuer=org).values_list("number", flat=True))
    assert numbers == [n for n in range(1, NOTES + 1) if n % 3]

    check = _vanthu("verify", *args)
    out, err = check.communicate(timeout=600)
    assert check.returncode == 0, out + err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["documents"] == NOTES and result["mismatches"] == [] and result["attachments"] == NOTES - NOTES // 3
