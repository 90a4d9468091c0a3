"""The directives' and tasks' API: the contract, the task's life, and who may do what."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from vanthu.audit.models import AuditEntry
from vanthu.calendar.workdays import add_working_days, is_working_day
from vanthu.direction.followup import on_time_shares
from vanthu.direction.models import Directive, ExtensionRequest, Report, Task
from vanthu.direction.notices import send_deadline_reminders
from vanthu.direction.tasks import on_worker_start, task_reminders
from vanthu.notifications.models import Notification
from vanthu.testing import factories as f

from .conftest import directive_body, in_days


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("notice__title", flat=True))


def test_a_leader_records_a_directive_broken_into_tasks_for_three_organisations(dw, api_as):
    w = dw.w
    r = api_as(dw.leader).post("/api/v1/directives", directive_body(dw))
    assert r.status_code == 201, r.content
    body = r.json()
    today = timezone.localdate()
    by_org = {t["organization"]["id"]: t for t in body["tasks"]}
    assert by_org[w.a.org.id]["due"] == add_working_days(today, 5).isoformat()
    assert by_org[w.b.org.id]["due"] == in_days(30).isoformat() and by_org[w.b.org.id]["cooperating_ids"] == [w.c.org.id]
    assert by_org[w.c.org.id]["cycle"] == "weekly"
    assert all(t["id"] and t["state"] == "assigned" and not t["overdue"] for t in body["tasks"])
    d = Directive.objects.get(id=body["id"])
    assert (d.task_count, d.done_count, d.open_due) == (3, 0, min(date.fromisoformat(t["due"]) for t in body["tasks"]))
    assert AuditEntry.objects.filter(action="directive_created", object_id=str(d.id)).exists()
    # Each organisation's leaders and clerks are told; the co-operating one hears it co-operates.
    assert any("Nhiệm vụ mới từ" in t for t in titles(w.a.leader)) and any("Nhiệm vụ mới" in t for t in titles(w.b.clerk))
    assert any("Phối hợp thực hiện nhiệm vụ" in t for t in titles(w.c.leader))
    assert titles(w.outsider.leader) == [] and titles(w.a.specialist) == []
    # GET gives the same.
    again = api_as(dw.clerk).get(f"/api/v1/directives/{d.id}").json()
    assert again["id"] == d.id and len(again["tasks"]) == 3 and again["task_count"] == 3


def test_deadlines_in_working_days_count_from_the_directive_s_date_across_tet(dw, api_as):
    w = dw.w
    body = directive_body(dw, issued_on="2026-02-12", tasks=[
        {"organization_id": w.a.org.id, "content": "Rà soát danh mục hồ sơ", "working_days": 3}])
    r = api_as(dw.leader).post("/api/v1/directives", body)
    assert r.status_code == 201, r.content
    assert r.json()["tasks"][0]["due"] == "2026-02-24"  # Friday 13/2, then Tết 16–20/2, then Mon 23, Tue 24


def test_bad_directives_are_refused_with_the_error_object_and_nothing_written(dw, api_as):
    w, api = dw.w, api_as(dw.leader)
    cases = [
        ({"tasks": [{"organization_id": w.a.org.id, "content": "Việc", "due": in_days(3).isoformat(), "working_days": 2}]},
         "due_ambiguous"),
        ({"tasks": [{"organization_id": w.a.org.id, "content": "Việc"}]}, "due_required"),
        ({"tasks": [{"organization_id": w.a.org.id, "content": "Việc", "due": in_days(-3).isoformat()}]}, "due_in_past"),
        ({"tasks": [{"organization_id": w.a.org.id, "content": "Việc", "working_days": 2},
                    {"organization_id": w.a.org.id, "content": "Việc khác", "working_days": 2}]}, "duplicate_organization"),
        ({"tasks": [{"organization_id": 987654, "content": "Việc", "working_days": 2}]}, "unknown_organization"),
        ({"tasks": [{"organization_id": w.a.org.id, "content": "  ", "working_days": 2}]}, "content_required"),
        ({"title": " ", "tasks": []}, "title_required"),
    ]
    for extra, code in cases:
        r = api.post("/api/v1/directives", directive_body(dw, **extra))
        assert r.status_code == 422, (code, r.content)
        assert r.json()["error"]["code"] == code and r.json()["error"]["message"]
    # An organisation outside the Bloc's tree is out of reach.
    other = f.make_org("Đảng bộ Tổng công ty ngoài Khối")
    r = api.post("/api/v1/directives", directive_body(dw, tasks=[{"organization_id": other.id, "content": "Việc", "working_days": 2}]))
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_organization"
    assert not Directive.objects.exists() and not Task.objects.exists() and not Notification.objects.exists()


def test_only_the_directing_side_s_leaders_and_office_record_directives(dw, api_as):
    w = dw.w
    assert api_as(dw.inspector).post("/api/v1/directives", directive_body(dw)).status_code == 403
    r = api_as(w.outsider.leader).post("/api/v1/directives", directive_body(dw))
    assert r.status_code == 404 and r.json()["error"]["code"] == "organization_not_found"
    assert api_as(dw.clerk).post("/api/v1/directives", directive_body(dw)).status_code == 201  # on a leader's behalf
    assert Directive.objects.count() == 1


def _made(dw, api_as) -> dict[int, int]:
    body = api_as(dw.leader).post("/api/v1/directives", directive_body(dw)).json()
    return {t["organization"]["id"]: t["id"] for t in body["tasks"]}


def test_an_organisation_reports_progress_then_completion_and_the_leader_confirms(dw, api_as):
    w = dw.w
    tasks = _made(dw, api_as)
    b, leader = api_as(w.b.specialist), api_as(dw.leader)
    tid = tasks[w.b.org.id]
    assert b.post(f"/api/v1/tasks/{tid}/accept").json()["state"] == "in_progress"
    r = b.post(f"/api/v1/tasks/{tid}/reports", {"progress": 40, "content": "Đã khảo sát 12/30 chi bộ."})
    assert r.status_code == 201 and r.json()["progress"] == 40 and r.json()["kind"] == "progress"
    assert any("báo cáo tiến độ (40%)" in t for t in titles(dw.leader))
    # Confirming needs a completion report first.
    assert leader.post(f"/api/v1/tasks/{tid}/confirm", {"note": ""}).status_code == 409
    r = b.post(f"/api/v1/tasks/{tid}/reports", {"progress": 90, "content": "Đã hoàn thành báo cáo hạ tầng.", "done": True})
    assert r.status_code == 201 and r.json()["kind"] == "done"
    assert b.post(f"/api/v1/tasks/{tid}/reports", {"progress": 95, "content": "Thêm"}).status_code == 409
    # The leader sends it back; the organisation reports again; the leader confirms.
    assert leader.post(f"/api/v1/tasks/{tid}/send-back", {"note": ""}).status_code == 422  # a reason is needed
    r = leader.post(f"/api/v1/tasks/{tid}/send-back", {"note": "Bổ sung số liệu máy chủ."})
    assert r.status_code == 200 and r.json()["state"] == "in_progress"
    assert any("trả lại" in t for t in titles(w.b.leader))
    b.post(f"/api/v1/tasks/{tid}/reports", {"progress": 100, "content": "Đã bổ sung.", "done": True})
    r = leader.post(f"/api/v1/tasks/{tid}/confirm", {"note": "Tốt."})
    assert r.status_code == 200 and r.json()["state"] == "done" and r.json()["progress"] == 100
    kinds = [x["kind"] for x in r.json()["reports"]]
    assert kinds == ["accepted", "progress", "done", "sent_back", "done", "confirmed"]
    task = Task.objects.get(id=tid)
    assert task.done_on_time() is True
    d = task.directive
    d.refresh_from_db()
    assert d.done_count == 1 and d.task_count == 3
    # The specialist of another organisation in the task's chain cannot confirm, the inspector neither.
    assert api_as(dw.inspector).post(f"/api/v1/tasks/{tid}/confirm", {"note": ""}).status_code == 403


def test_an_extension_is_asked_with_a_reason_and_granted_or_refused_by_a_leader(dw, api_as):
    w = dw.w
    tasks = _made(dw, api_as)
    tid = tasks[w.c.org.id]
    c = api_as(w.c.clerk)
    assert c.post(f"/api/v1/tasks/{tid}/extension", {"due": in_days(5).isoformat(), "reason": "Chờ"}).status_code == 422
    r = c.post(f"/api/v1/tasks/{tid}/extension", {"due": in_days(20).isoformat(), "reason": "Chờ lịch giảng viên của Sở."})
    assert r.status_code == 201 and r.json()["state"] == "pending"
    assert c.post(f"/api/v1/tasks/{tid}/extension", {"due": in_days(25).isoformat(), "reason": "Lần hai"}).status_code == 409
    # The office may not decide; a leader does.
    assert api_as(dw.clerk).post(f"/api/v1/tasks/{tid}/extension/decision", {"grant": True}).status_code == 403
    r = api_as(dw.leader).post(f"/api/v1/tasks/{tid}/extension/decision", {"grant": True, "note": "Đồng ý."})
    assert r.status_code == 200 and r.json()["state"] == "granted"
    t = api_as(w.c.clerk).get(f"/api/v1/tasks/{tid}").json()
    assert t["due"] == in_days(20).isoformat() and t["extended"] is True and t["pending_extension"] is None
    c.post(f"/api/v1/tasks/{tid}/extension", {"due": in_days(40).isoformat(), "reason": "Lại chờ."})
    assert api_as(dw.leader).post(f"/api/v1/tasks/{tid}/extension/decision", {"grant": False}).status_code == 422
    r = api_as(dw.leader).post(f"/api/v1/tasks/{tid}/extension/decision", {"grant": False, "note": "Không gia hạn thêm."})
    assert r.json()["state"] == "refused" and Task.objects.get(id=tid).due == in_days(20)
    assert ExtensionRequest.objects.filter(task_id=tid).count() == 2
    assert any("Không đồng ý gia hạn" in t for t in titles(w.c.leader))


def test_tasks_are_filtered_by_organisation_state_and_overdue(dw, api_as):
    w = dw.w
    tasks = _made(dw, api_as)
    Task.objects.filter(id=tasks[w.a.org.id]).update(due=timezone.localdate() - timedelta(days=3))
    leader = api_as(dw.leader)
    r = leader.get("/api/v1/tasks", overdue="true")
    assert [t["id"] for t in r.json()["items"]] == [tasks[w.a.org.id]] and r.json()["items"][0]["overdue"] is True
    assert r.json()["count"] == 1
    assert {t["id"] for t in leader.get("/api/v1/tasks", overdue="false").json()["items"]} == {tasks[w.b.org.id], tasks[w.c.org.id]}
    assert [t["id"] for t in leader.get("/api/v1/tasks", organization_id=w.b.org.id).json()["items"]] == [tasks[w.b.org.id]]
    api_as(w.c.clerk).post(f"/api/v1/tasks/{tasks[w.c.org.id]}/accept")
    assert [t["id"] for t in leader.get("/api/v1/tasks", state="in_progress").json()["items"]] == [tasks[w.c.org.id]]
    assert leader.get("/api/v1/tasks", state="nonsense").status_code == 422
    # An organisation sees its own task and those it co-operates on, nothing else.
    assert {t["id"] for t in api_as(w.c.specialist).get("/api/v1/tasks").json()["items"]} == {tasks[w.b.org.id], tasks[w.c.org.id]}
    assert [t["id"] for t in api_as(w.a.clerk).get("/api/v1/tasks").json()["items"]] == [tasks[w.a.org.id]]
    # The overdue one comes first in the list and in the directive list's figures.
    assert leader.get("/api/v1/tasks").json()["items"][0]["id"] == tasks[w.a.org.id]
    d = leader.get("/api/v1/directives").json()["items"][0]
    assert d["overdue_count"] == 1 and d["task_count"] == 3


def test_outsiders_get_404_on_every_directive_and_task_endpoint(dw, api_as):
    w = dw.w
    tasks = _made(dw, api_as)
    did = Directive.objects.get().id
    tid = tasks[w.b.org.id]
    for who in (w.outsider.leader, w.outsider.clerk, w.a.specialist):  # a.specialist: another organisation's task
        api = api_as(who)
        assert api.get(f"/api/v1/directives/{did}").status_code == 404
        assert api.get(f"/api/v1/tasks/{tid}").status_code == 404
        for path, body in (("accept", {}), ("reports", {"progress": 10, "content": "x"}), ("confirm", {}),
                           ("send-back", {"note": "x"}), ("extension", {"due": in_days(90).isoformat(), "reason": "x"}),
                           ("extension/decision", {"grant": True})):
            r = api.post(f"/api/v1/tasks/{tid}/{path}", body)
            assert r.status_code == 404 and r.json()["error"]["code"] == "task_not_found", (path, r.content)
        assert tid not in [t["id"] for t in api.get("/api/v1/tasks", organization_id=w.b.org.id).json()["items"]]
        assert api.get("/api/v1/directives").json()["count"] == 0
    assert Report.objects.count() == 0


def test_daily_reminders_tell_the_organisation_and_on_the_second_working_day_its_head(dw, api_as):
    w = dw.w
    tasks = _made(dw, api_as)
    monday = date(2026, 12, 7)
    Task.objects.filter(id=tasks[w.a.org.id]).update(due=date(2026, 12, 8))  # due on the next working day
    Task.objects.filter(id=tasks[w.b.org.id]).update(due=date(2026, 12, 3))  # Thursday: 2 working days overdue
    Task.objects.filter(id=tasks[w.c.org.id]).update(due=date(2026, 12, 4))  # Friday: 1 working day overdue
    counts = send_deadline_reminders(monday)
    assert counts == {"task_deadline_soon": 2, "task_overdue": 4, "task_overdue_head": 1, "task_report_due": 0}
    assert set(send_deadline_reminders(monday).values()) == {0}
    assert any("quá hạn" in t for t in titles(w.b.leader)) and any("sắp đến hạn" in t for t in titles(w.a.clerk))
    assert set(send_deadline_reminders(date(2026, 12, 6)).values()) == {0}


def test_a_weekly_task_not_reported_for_a_week_is_reminded_once(dw, api_as):
    w = dw.w
    tasks = _made(dw, api_as)  # C's task is reported weekly
    Task.objects.filter(id=tasks[w.c.org.id]).update(created_at=timezone.now() - timedelta(days=9), due=in_days(30))
    today = timezone.localdate()
    day = today if is_working_day(today) else add_working_days(today, 1)
    assert send_deadline_reminders(day)["task_report_due"] == 2  # C's leader and clerk
    assert send_deadline_reminders(day)["task_report_due"] == 0
    assert any("Đến kỳ báo cáo tiến độ" in t for t in titles(w.c.clerk))
    api_as(w.c.clerk).post(f"/api/v1/tasks/{tasks[w.c.org.id]}/reports", {"progress": 20, "content": "Đã tập huấn đợt 1."})
    Notification.objects.all().delete()
    assert send_deadline_reminders(day)["task_report_due"] == 0  # reported within the week


def test_the_worker_queues_one_daily_run_of_the_task_reminders(db):
    # Imported here, as notifications/tasks.py does: django_tasks_db's models loaded early change
    # what the tests' override_settings(TASKS) do.
    from django_tasks_db.models import DBTaskResult

    on_worker_start()
    on_worker_start()  # idempotent: one waiting run
    assert DBTaskResult.objects.filter(task_path=task_reminders.module_path, status="READY").count() == 1


def test_the_share_of_tasks_done_on_time_for_the_evaluation(dw, api_as):
    w = dw.w
    tasks = _made(dw, api_as)
    today = timezone.localdate()
    past = today - timedelta(days=2)
    Task.objects.filter(id=tasks[w.a.org.id]).update(due=past, state="done", reported_done_on=past - timedelta(days=1), done_on=past)
    Task.objects.filter(id=tasks[w.b.org.id]).update(due=past)  # open past its deadline: late
    shares = on_time_shares([w.a.org.id, w.b.org.id, w.c.org.id, w.outsider.org.id], today - timedelta(days=30), today)
    assert shares == {w.a.org.id: 1.0, w.b.org.id: 0.0, w.c.org.id: None, w.outsider.org.id: None}
