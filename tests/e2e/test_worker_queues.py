"""`vanthu worker` with real processes on the suite's database: OCR runs on its own queue, in its
own process, so that exchange sends and indexing never wait behind a scan, and outside any
transaction, so that other writers go on while it runs."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader, PdfWriter

from vanthu.documents.pdf import inspect_pdf
from vanthu.documents.storage import store_pdf
from vanthu.exchange.models import Refusal
from vanthu.exchange.tasks import send_outbox
from vanthu.search import ocr
from vanthu.search.models import FileOcr, OcrStatus
from vanthu.search.tasks import index_document, ocr_file
from vanthu.search.tests.test_ocr import scanned_pdf
from vanthu.testing.waiting import wait_until

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    """The test database, as the worker processes must reach it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _status(result_id) -> str:
    return DBTaskResult.objects.get(pk=result_id).status


def test_quick_work_does_not_wait_behind_ocr(transactional_db):
    assert ocr.available(), "ocrmypdf and tesseract-ocr-vie must be installed (.ci/run installs them)"
    writer = PdfWriter()
    for _ in range(4):  # a scan that takes the OCR worker several seconds
        writer.append(PdfReader(io.BytesIO(scanned_pdf())))
    buf = io.BytesIO()
    writer.write(buf)
    stored = store_pdf(buf.getvalue(), inspect_pdf(buf.getvalue()))
    FileOcr.objects.create(file=stored, status=OcrStatus.PENDING)
    # Queued first, as a scan registered just before is: a single worker would take it first.
    slow = ocr_file.enqueue(stored.sha256)
    quick = [send_outbox.enqueue(), index_document.enqueue(10**9)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")} | {
        "VANTHU_DATA_DIR": str(settings.DATA_DIR), "VANTHU_DATABASE_URL": _database_url(), "VANTHU_LOG_LEVEL": "ERROR"}
    worker = subprocess.Popen([sys.executable, "-m", "vanthu.cli", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_until(lambda: all(_status(r.id) == "SUCCESSFUL" for r in quick), 120, "the quick tasks")
        # Done while the scan is still being read (or waits for its worker to start).
        assert _status(slow.id) in ("READY", "RUNNING")
        wait_until(lambda: _status(slow.id) == "RUNNING", 120, "the OCR to start")
        # And OCR holds no transaction: another writer goes on while it runs.
        Refusal.objects.create(code="probe", detail="a write while OCR runs")
        assert _status(slow.id) == "RUNNING"
        wait_until(lambda: _status(slow.id) == "SUCCESSFUL", 300, "the OCR")
        assert FileOcr.objects.get(file=stored).status == OcrStatus.DONE
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)


def test_the_queue_workers_stop_with_vanthu_worker_even_when_it_is_killed(transactional_db):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")} | {
        "VANTHU_DATA_DIR": str(settings.DATA_DIR), "VANTHU_DATABASE_URL": _database_url(), "VANTHU_LOG_LEVEL": "ERROR"}
    worker = subprocess.Popen([sys.executable, "-m", "vanthu.cli", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children() -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(worker.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    try:
        child = wait_until(children, 60, "the slow queue's worker")[0]
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        assert cmdline[-3:-1] == [b"--queue", b"slow"], cmdline
    finally:
        worker.kill()  # SIGKILL: no chance to stop its children itself
        worker.wait(10)
    wait_until(lambda: not Path(f"/proc/{child}").exists() or Path(f"/proc/{child}/stat").read_text().split(") ")[1][0] == "Z",
          60, "the slow queue's worker to stop")
