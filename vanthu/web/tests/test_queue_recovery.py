"""A task whose worker is SIGKILLed mid-run is not lost: once its lease runs out it goes back to
the queue and another worker process runs it to the end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from vanthu import runtime
from vanthu.audit.models import AuditEntry
from vanthu.testing import factories as f
from vanthu.testing.tasks import leave_trace
from vanthu.web.queues import requeue_abandoned

ROOT = Path(__file__).resolve().parents[3]


def test_only_tasks_running_past_their_lease_go_back_to_the_queue(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        old, fresh, done = (leave_trace.enqueue("/dev/null") for _ in range(3))
    now = timezone.now()
    DBTaskResult.objects.filter(pk=old.id).update(status="RUNNING", started_at=now - timedelta(seconds=120))
    DBTaskResult.objects.filter(pk=fresh.id).update(status="RUNNING", started_at=now - timedelta(seconds=5))
    DBTaskResult.objects.filter(pk=done.id).update(status="SUCCESSFUL", started_at=now - timedelta(seconds=120),
                                                   finished_at=now)
    assert requeue_abandoned(60) == 1
    status = {str(k): v for k, v in DBTaskResult.objects.values_list("id", "status")}
    assert (status[old.id], status[fresh.id], status[done.id]) == ("READY", "RUNNING", "SUCCESSFUL")


def _worker(env: dict, data_dir: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vanthu.cli", "worker", "--queue", "default", "--data-dir", str(data_dir)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("wb"), start_new_session=True)


def _wait(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return value


@pytest.mark.slow
def test_a_task_killed_with_its_worker_is_run_again_by_another(transactional_db, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}
    env.update({"VANTHU_DATABASE_URL": runtime.database_url(connection.settings_dict), "VANTHU_TASK_LEASE_SECONDS": "4",
                "VANTHU_FAST_PASSWORD_HASHER": "1", "VANTHU_LOG_LEVEL": "ERROR", "VANTHU_HTTPS": "0"})
    trace, later = tmp_path / "slow.trace", tmp_path / "quick.trace"
    first = _worker(env, tmp_path / "w1", tmp_path / "w1.log")
    workers = [first]
    try:
        result = leave_trace.enqueue(str(trace), 8.0)
        _wait(lambda: trace.exists() and trace.read_text() == "start\n", 120, "the first worker to start the task")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"  # what a dead worker leaves

        workers.append(_worker(env, tmp_path / "w2", tmp_path / "w2.log"))
        _wait(lambda: DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL", 180, "the task to be run again")
        assert trace.read_text().splitlines() == ["start", "start", "end"]  # lost once, finished once
        quick = leave_trace.enqueue(str(later))
        _wait(lambda: DBTaskResult.objects.get(pk=quick.id).status == "SUCCESSFUL", 60, "a new task")
        time.sleep(5)  # past the lease: a finished task is never requeued
        assert later.read_text().splitlines() == ["start", "end"]
        assert trace.read_text().splitlines() == ["start", "start", "end"]
    finally:
        for w in workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGTERM)
                try:
                    w.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(w.pid, signal.SIGKILL)


def test_an_administrator_queues_failed_tasks_again_from_the_dead_letters(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        failed, ok = leave_trace.enqueue("/dev/null"), leave_trace.enqueue("/dev/null")
    DBTaskResult.objects.filter(pk=failed.id).update(status="FAILED", finished_at=timezone.now(), traceback="boom")
    DBTaskResult.objects.filter(pk=ok.id).update(status="SUCCESSFUL", finished_at=timezone.now())
    admin = f.make_installation_admin(world.a.org)
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED")
    assert listing.status_code == 200 and str(failed.id) in listing.content.decode()
    assert str(ok.id) not in listing.content.decode()
    r = client.post("/admin/django_tasks_database/dbtaskresult/", {"action": "retry", "_selected_action": [failed.id, ok.id]})
    assert r.status_code == 302
    status = {str(k): v for k, v in DBTaskResult.objects.values_list("id", "status")}
    assert (status[failed.id], status[ok.id]) == ("READY", "SUCCESSFUL")  # only the failed one
    assert AuditEntry.objects.filter(action="tasks_retried", actor=admin).exists()
    # Not for people who do not administer the installation.
    clerk = Client()
    clerk.force_login(world.a.clerk)
    assert clerk.get("/admin/django_tasks_database/dbtaskresult/").status_code in (302, 403)
