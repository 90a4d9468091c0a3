"""The follow-up by organisation reads figures the actions keep (tallies.py): after reports,
confirmations, a sending back, extensions granted and refused, and as the date moves past
deadlines, they are what counting the tasks themselves gives."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.direction import actions, followup, tallies
from vanthu.direction.models import OpenDeadline, OrganizationFigures, Task, TaskState

from .conftest import in_days


def counted(board_id: int, today) -> dict[int, tuple]:
    """Each organisation's figures, counted here task by task."""
    out: dict[int, dict] = {}
    for t in Task.objects.filter(directive__organization_id=board_id):
        c = out.setdefault(t.organization_id, {"total": 0, "done": 0, "reported": 0, "overdue": 0, "on_time": 0, "progress": 0})
        c["total"] += 1
        c["progress"] += t.progress
        if t.state == TaskState.DONE:
            c["done"] += 1
            c["on_time"] += (t.reported_done_on or t.done_on) <= t.due
        else:
            c["overdue"] += t.due < today
            c["reported"] += t.state == TaskState.REPORTED_DONE
    return {o: (c["total"], c["done"], c["reported"], c["overdue"], c["on_time"], round(c["progress"] / c["total"]))
            for o, c in out.items()}


def shown(user, today, f: followup.Filters | None = None) -> dict[int, tuple]:
    return {org.id: (fig.total, fig.done, fig.reported, fig.overdue, fig.on_time, fig.progress)
            for org, fig in followup.organization_rows(user, f or followup.Filters(), today=today)}


def test_the_organisations_figures_are_the_tasks_counted_after_every_kind_of_action(dw):
    w, leader = dw.w, dw.leader
    orgs = [w.a.org, w.b.org, w.c.org]
    today = timezone.localdate()

    def direct(title, due, issued=None, targets=orgs):
        d = actions.create_directive(user=leader, organization=w.bloc, title=title, issued_on=issued,
                                     tasks=[actions.TaskSpec(organization_id=o.id, content="Thực hiện", due=due) for o in targets])
        return {t.organization_id: t for t in d.created_tasks}

    soon = direct("Kết luận về chuyển đổi số", in_days(10))
    later = direct("Chỉ thị về kiểm tra, giám sát", in_days(30), targets=orgs[:2])
    # Issued a month ago, due five days ago: overdue from the start, done late.
    late = direct("Ý kiến chỉ đạo về tuyên truyền", in_days(-5), issued=in_days(-30))
    assert shown(leader, today) == counted(w.bloc.id, today)

    a, b, c = w.a, w.b, w.c
    actions.report_progress(soon[a.org.id], user=a.specialist, progress=100, content="Xong", done=True)
    actions.confirm_task(soon[a.org.id], user=leader)  # done on time
    actions.report_progress(soon[b.org.id], user=b.specialist, progress=100, content="Xong", done=True)
    actions.send_back(soon[b.org.id], user=leader, note="Bổ sung số liệu")
    actions.report_progress(soon[b.org.id], user=b.specialist, progress=40, content="Đang bổ sung")
    actions.accept_task(soon[c.org.id], user=c.specialist)
    actions.ask_extension(soon[c.org.id], user=c.leader, due=in_days(50), reason="Cần thêm thời gian")
    actions.decide_extension(soon[c.org.id], user=leader, grant=True)
    actions.ask_extension(later[a.org.id], user=a.leader, due=in_days(60), reason="Cần thêm thời gian")
    actions.decide_extension(later[a.org.id], user=leader, grant=False, note="Không đồng ý")
    actions.report_progress(later[a.org.id], user=a.specialist, progress=70, content="Đã làm 70%")
    actions.report_progress(later[b.org.id], user=b.specialist, progress=100, content="Xong", done=True)  # awaiting confirmation
    actions.report_progress(late[a.org.id], user=a.specialist, progress=100, content="Xong", done=True)
    actions.confirm_task(late[a.org.id], user=leader)  # done, but late
    actions.ask_extension(late[b.org.id], user=b.leader, due=in_days(20), reason="Chậm")
    actions.decide_extension(late[b.org.id], user=leader, grant=True, due=in_days(25))  # no longer overdue

    expected = counted(w.bloc.id, today)
    assert expected[a.org.id][:5] == (3, 2, 0, 0, 1) and expected[c.org.id][3] == 1  # the sequence did what it says
    # The date moves on: past the first deadlines, then past all but the extended ones, then all.
    for days in (0, 11, 31, 51, 61):
        assert shown(leader, today + timedelta(days=days)) == counted(w.bloc.id, today + timedelta(days=days)), days
    # The same as the live aggregate a period filter falls back to, and one organisation alone.
    everything = followup.Filters(start=in_days(-400))
    assert shown(leader, today + timedelta(days=31), everything) == shown(leader, today + timedelta(days=31))
    only_b = shown(leader, today, followup.Filters(organization=b.org.id))
    assert only_b == {b.org.id: counted(w.bloc.id, today)[b.org.id]}
    # A board the person does not follow shows nothing of it.
    assert shown(a.leader, today) == {}
    # And the kept rows are what rebuilding them from the tasks gives.
    kept = sorted(OrganizationFigures.objects.values_list("board_id", "organization_id", *tallies.FIELDS))
    deadlines = sorted(OpenDeadline.objects.values_list("board_id", "organization_id", "due", "task_count"))
    tallies.rebuild()
    assert kept == sorted(OrganizationFigures.objects.values_list("board_id", "organization_id", *tallies.FIELDS))
    assert deadlines == sorted(OpenDeadline.objects.values_list("board_id", "organization_id", "due", "task_count"))
    # The operator's command after an upgrade brings back figures gone wrong.
    OrganizationFigures.objects.all().delete()
    OpenDeadline.objects.filter(board_id=w.bloc.id).update(task_count=99)
    out = io.StringIO()
    call_command("direction", "rebuild", stdout=out)
    assert out.getvalue().strip() == f"rebuilt: {len(kept)} rows"
    assert kept == sorted(OrganizationFigures.objects.values_list("board_id", "organization_id", *tallies.FIELDS))
    assert deadlines == sorted(OpenDeadline.objects.values_list("board_id", "organization_id", "due", "task_count"))


@pytest.mark.django_db(transaction=True)
def test_actions_at_the_same_time_on_one_organisation_s_tasks_keep_its_figures(dw):
    """Threads, each with its own connection, report and confirm tasks of different directives
    for the same organisations at once (the figures' row is shared; the directives' locks are not)."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.fail("threads cannot share an in-memory SQLite database: run with VANTHU_TEST_SQLITE_FILE=1")
    w = dw.w
    ids = [actions.create_directive(user=dw.leader, organization=w.bloc, title=f"Kết luận số {i}",
                                    tasks=[actions.TaskSpec(organization_id=o.id, content="Thực hiện", due=in_days(10 + i))
                                           for o in (w.a.org, w.b.org)]).id for i in range(6)]
    barrier, errors = threading.Barrier(3), []

    def work(chunk: list[int]) -> None:
        try:
            leader, a, b = (User.objects.get(pk=u.pk) for u in (dw.leader, w.a.specialist, w.b.specialist))
            barrier.wait(timeout=60)
            for directive_id in chunk:
                ta, tb = (Task.objects.get(directive_id=directive_id, organization=o) for o in (w.a.org, w.b.org))
                actions.report_progress(ta, user=a, progress=100, content="Xong", done=True)
                actions.report_progress(tb, user=b, progress=30 + directive_id % 7, content="Đang làm")
                actions.confirm_task(ta, user=leader)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(ids[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors and not any(t.is_alive() for t in threads), errors
    today = timezone.localdate()
    assert shown(dw.leader, today) == counted(w.bloc.id, today)
    assert shown(dw.leader, today)[w.a.org.id][:2] == (6, 6)
