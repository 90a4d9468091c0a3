"""A task for an organisation at a peer installation travels with its document through the exchange,
and the peer's status codes on that document move the task (received through the real receiving
path, signed by the peer's organisation key)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from vanthu.direction import actions
from vanthu.direction.models import Report, Task
from vanthu.errors import Unprocessable
from vanthu.exchange import edxml as E
from vanthu.exchange.models import OutboxMessage
from vanthu.exchange.packages import document_id_of, split_symbol
from vanthu.exchange.receiving import receive
from vanthu.exchange.tests.peers import REMOTE, register_unreachable_peer
from vanthu.notifications.models import Notification
from vanthu.testing import factories as f

from .conftest import in_days


@pytest.fixture
def peer_side(dw):
    peer, key, cert = register_unreachable_peer()
    remote = peer.organizations.get().organization
    w = dw.w
    doc = f.issued(w.bloc, specialist=f.make_user(w.bloc, "specialist"), leader=dw.leader, clerk=dw.clerk,
                   recipients=[remote, w.a.org], subject="Về việc triển khai chuyển đổi số trong các cơ quan đảng")
    return remote, key, cert, doc


def status(dw, doc, key, cert, code: str, note: str = "") -> int:
    number, notation = split_symbol(doc)
    msg = E.StatusMessage(message_id=E.new_message_id(), sender=E.Party(REMOTE, "Thành ủy"), recipient=E.Party(dw.w.bloc.code),
                          document_id=document_id_of(doc), code_number=number, code_notation=notation, issued_date=doc.issued_date,
                          status_code=code, description=note, timestamp=timezone.now(), staff_name="Nguyễn Thị Hà")
    return receive(E.sign(E.build_status(msg), key, cert), peer=None).http_status


def test_a_task_for_a_peer_organisation_needs_a_document_addressed_to_it(dw, peer_side):
    remote, _key, _cert, doc = peer_side
    spec = [actions.TaskSpec(organization_id=remote.id, content="Báo cáo kết quả", due=in_days(20))]
    for source in (None, f.issued(dw.w.bloc, specialist=f.make_user(dw.w.bloc, "specialist"), leader=dw.leader, clerk=dw.clerk,
                                  recipients=[dw.w.a.org]).id):
        with pytest.raises(Unprocessable) as err:
            actions.create_directive(user=dw.leader, organization=dw.w.bloc, title="Kết luận", tasks=spec, source_document_id=source)
        assert err.value.code == "peer_organization"
    d = actions.create_directive(user=dw.leader, organization=dw.w.bloc, title="Kết luận", tasks=spec, source_document_id=doc.id)
    assert d.created_tasks[0].organization_id == remote.id
    # The document goes to the peer through the exchange's outbox, as any other: no second transport.
    assert OutboxMessage.objects.filter(delivery__document=doc, delivery__recipient=remote, kind="package").count() == 1


def test_the_peer_s_status_codes_move_the_task_and_the_directing_side_confirms(dw, peer_side, api_as):
    remote, key, cert, doc = peer_side
    w = dw.w
    d = actions.create_directive(user=dw.leader, organization=w.bloc, title="Kết luận về chuyển đổi số", source_document_id=doc.id,
                                 tasks=[actions.TaskSpec(organization_id=o.id, content="Triển khai và báo cáo", due=in_days(20))
                                        for o in (remote, w.a.org, w.b.org)])
    task = Task.objects.get(directive=d, organization=remote)
    assert status(dw, doc, key, cert, "03") == 200
    task.refresh_from_db()
    assert task.state == "in_progress" and task.accepted_at
    assert status(dw, doc, key, cert, "06", "Đã hoàn thành, báo cáo gửi kèm.") == 200
    task.refresh_from_db()
    assert task.state == "reported_done" and task.progress == 100
    entry = Report.objects.filter(task=task).order_by("id").last()
    assert entry.kind == "done" and entry.author_id is None and "Hoàn thành" in entry.content and "báo cáo gửi kèm" in entry.content
    assert Notification.objects.filter(user=dw.leader, notice__kind="task_report").exists()
    # The local tasks did not move; the directing side confirms the peer's as any other.
    assert set(Task.objects.filter(directive=d).exclude(id=task.id).values_list("state", flat=True)) == {"assigned"}
    r = api_as(dw.leader).post(f"/api/v1/tasks/{task.id}/confirm", {"note": "Đã nhận báo cáo."})
    assert r.status_code == 200 and r.json()["state"] == "done"
    assert [x["author_name"] for x in r.json()["reports"]][:2] == ["qua liên thông", "qua liên thông"]
    d.refresh_from_db()
    assert d.done_count == 1
