"""Administrators browse and export the audit log; the daily check alerts on a break."""

from __future__ import annotations

import csv
import io

from django.test import Client

from vanthu.audit.chain import record
from vanthu.audit.models import AuditEntry, ChainCheck
from vanthu.audit.tasks import check_chain, on_worker_start, verify_daily
from vanthu.testing import factories as f


def _admin(world):
    return f.make_installation_admin(world.bloc, full_name="Quản trị")


def test_an_administrator_filters_and_exports_the_log(world):
    admin = _admin(world)
    # Text that a spreadsheet would run as a formula, where a cell of the export starts with it.
    plotter = f.make_user(world.a.org, "clerk", username="=HYPERLINK(\"http://x\")")
    record("document_issued", actor=plotter, object_type="documents.document", object_id="+cmd|'/C calc'!A0",
           data={"subject": "=HYPERLINK(\"x\")"})
    record("signed_in", actor=world.a.leader)
    c = Client()
    c.force_login(admin)
    page = c.get("/audit/", {"action": "document_issued"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "document_issued" in body and "HYPERLINK" in body
    r = c.get("/audit/export.csv", {"action": "document_issued"})
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "seq" and len(rows) == 2 and rows[1][3] == "document_issued"
    # No cell starts a formula; the text is kept, behind a quote.
    assert not [cell for cell in rows[1] if cell[:1] in ("=", "+", "-", "@", "\t", "\r")], rows[1]
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")" and rows[1][5] == "'+cmd|'/C calc'!A0"
    assert '=HYPERLINK("x")' in rows[1][6]


def test_others_cannot_see_the_log(world):
    c = Client()
    c.force_login(world.a.leader)
    assert c.get("/audit/").status_code == 403
    assert c.get("/audit/export.csv").status_code == 403
    assert AuditEntry.objects.filter(action="permission_denied", actor=world.a.leader).exists()
    assert Client().get("/audit/").status_code in (302, 403)


def test_the_daily_check_alerts_admins_on_a_break(world, caplog):
    admin = _admin(world)
    record("a", actor=world.a.clerk)
    record("b", actor=world.a.clerk)
    assert check_chain().ok
    AuditEntry.objects.filter(action="a").update(actor_name="ke-gian")
    with caplog.at_level("ERROR", logger="vanthu.audit"):
        check = check_chain()
    assert not check.ok and "AUDIT CHAIN BROKEN" in caplog.text
    c = Client()
    c.force_login(admin)
    assert "Cảnh báo an toàn" in c.get("/audit/").content.decode()


def test_the_daily_task_queues_its_next_run(world):
    from django_tasks_db.models import DBTaskResult

    on_worker_start()
    on_worker_start()  # idempotent: one pending run
    assert DBTaskResult.objects.filter(task_path=verify_daily.module_path, status="READY").count() == 1
    verify_daily.call()
    assert ChainCheck.objects.filter(ok=True).exists()
    later = DBTaskResult.objects.filter(task_path=verify_daily.module_path, status="READY").order_by("-run_after").first()
    assert later.run_after is not None
