"""The audit log: every state change writes one entry, and `vanthu audit verify` finds any
edit or deletion, naming the entry where the chain breaks (ARCHITECTURE invariant 6)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.utils import timezone

from vanthu.audit.chain import record, verify
from vanthu.audit.models import AuditEntry, AuditHead
from vanthu.cli import main as vanthu
from vanthu.documents import actions as doc_actions
from vanthu.errors import InvalidState
from vanthu.testing import factories as f
from vanthu.workflow import actions as wf_actions

TABLE = AuditEntry._meta.db_table


@pytest.fixture
def history(world):
    """A full life of one document, done through the actions."""
    a, b = world.a, world.b
    doc = f.draft(a.org, a.specialist, [b.org, world.c.org])
    doc_actions.update_recipients(doc, user=a.specialist, recipient_ids=[b.org.id, world.c.org.id])
    doc_actions.submit_document(doc, user=a.specialist)
    doc_actions.return_document(doc, user=a.leader, note="Bổ sung số liệu quý IV")
    doc_actions.submit_document(doc, user=a.specialist)
    doc_actions.approve_document(doc, user=a.leader)
    doc_actions.issue_document(doc, user=a.clerk)
    d_b = doc_actions.accept_delivery(f.delivery_to(doc, b.org), user=b.clerk)
    doc_actions.reject_delivery(f.delivery_to(doc, world.c.org), user=world.c.clerk, reason="Không thuộc thẩm quyền")
    wf_actions.assign_handlers(d_b, user=b.leader, main_handler_id=b.specialist.id)
    wf_actions.start_handling(d_b, user=b.specialist)
    wf_actions.complete_handling(d_b, user=b.specialist, note="Đã báo cáo")
    doc_actions.register_paper_document(
        user=b.clerk, organization=b.org, sender_name="Sở Tư pháp", number_symbol="7/STP", issued_date=timezone.localdate(),
        doc_type="TB", subject="Thông báo lịch tiếp công dân", file=f.upload("tb.pdf"),
    )
    doc.refresh_from_db()
    return doc


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def _run_verify(capsys) -> tuple[int, str]:
    code = vanthu(["audit", "verify"])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_every_action_writes_one_entry_in_order(world, history):
    expected = [
        "document_drafted", "document_recipients_changed", "document_submitted", "document_returned",
        "document_submitted", "document_approved", "document_issued", "delivery_accepted",
        "delivery_rejected", "delivery_assigned", "handling_started", "handling_completed",
        "paper_document_registered",
    ]
    # Other apps may add their own entries in between (signatures, exchange): ours come in order.
    got = [a for a in _actions() if a in set(expected)]
    assert got == expected
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    issued = AuditEntry.objects.get(action="document_issued")
    assert issued.actor_id == world.a.clerk.id and issued.actor_name == world.a.clerk.username
    assert issued.object_type == "documents.document" and issued.object_id == str(history.id)
    assert issued.data["symbol"] == history.symbol


def test_tokens_are_audited_too(world, client):
    before = AuditEntry.objects.count()
    r = client.post("/api/v1/auth/token", {"username": world.a.clerk.username, "password": "demo"}, content_type="application/json")
    assert r.status_code == 200
    # The sign-in itself, then the token.
    assert AuditEntry.objects.count() == before + 2
    assert [e.action for e in AuditEntry.objects.order_by("-seq")[:2]] == ["api_token_issued", "signed_in"]


def test_a_refused_action_writes_no_entry(world, history):
    before = AuditEntry.objects.count()

    with pytest.raises(InvalidState):
        doc_actions.issue_document(history, user=world.a.clerk)
    assert AuditEntry.objects.count() == before


def test_verify_passes_on_an_intact_chain(world, history, capsys):
    code, out = _run_verify(capsys)
    assert code == 0, out
    assert f"OK: {AuditEntry.objects.count()} entries" in out


def test_verify_passes_on_an_empty_log(db, capsys):
    code, out = _run_verify(capsys)
    assert code == 0 and "OK: 0 entries" in out


def _tamper_data(seq: int, data: dict) -> None:
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET data = {cast} WHERE seq = %s", [json.dumps(data, ensure_ascii=False), seq])
        assert cur.rowcount == 1


def test_editing_an_entrys_data_is_detected_at_that_entry(world, history, capsys):
    entry = AuditEntry.objects.get(action="delivery_rejected")
    assert verify().ok
    _tamper_data(entry.seq, {**entry.data, "reason": "Đã tiếp nhận"})
    result = verify()
    assert not result.ok and result.broken_seq == entry.seq
    code, out = _run_verify(capsys)
    assert code == 1
    assert f"#{entry.seq}" in out and "BROKEN" in out


@pytest.mark.parametrize("column,value", [("actor_name", "nguoi_khac"), ("action", "document_revoked"), ("object_id", "999999")])
def test_editing_any_column_of_an_entry_is_detected(world, history, column, value):
    target = AuditEntry.objects.order_by("seq")[3]
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET {column} = %s WHERE seq = %s", [value, target.seq])
    result = verify()
    assert not result.ok and result.broken_seq == target.seq


def test_editing_the_time_of_an_entry_is_detected(world, history):
    target = AuditEntry.objects.order_by("seq")[2]
    AuditEntry.objects.filter(seq=target.seq).update(at=target.at - timezone.timedelta(hours=1))
    assert verify().broken_seq == target.seq


def test_rewriting_an_entry_with_a_matching_hash_breaks_the_next_link(world, history):
    # A forger who recomputes an entry's own hash still breaks the link the next entry holds.
    from vanthu.audit.chain import entry_hash

    target = AuditEntry.objects.order_by("seq")[4]
    data = {**target.data, "forged": True}
    new_hash = entry_hash(prev_hash=target.prev_hash, seq=target.seq, at=target.at, actor_id=target.actor_id,
                          actor_name=target.actor_name, action=target.action, object_type=target.object_type,
                          object_id=target.object_id, data=data)
    AuditEntry.objects.filter(seq=target.seq).update(data=data, hash=new_hash)
    result = verify()
    assert not result.ok and result.broken_seq == target.seq + 1


def test_deleting_a_middle_entry_is_detected_and_named(world, history, capsys):
    total = AuditEntry.objects.count()
    middle = total // 2
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE seq = %s", [middle])
    result = verify()
    assert not result.ok and result.broken_seq == middle
    code, out = _run_verify(capsys)
    assert code == 1 and f"#{middle}" in out


def test_deleting_the_last_entry_is_detected(world, history, capsys):
    last = AuditEntry.objects.order_by("-seq").first()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE seq = %s", [last.seq])
    result = verify()
    assert not result.ok and result.broken_seq == last.seq
    code, out = _run_verify(capsys)
    assert code == 1 and f"#{last.seq}" in out


def test_deleting_the_first_entry_is_detected(world, history):
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE seq = 1")
    assert verify().broken_seq == 1


def test_deleting_everything_is_detected(world, history):
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE}")
    result = verify()
    assert not result.ok and result.broken_seq == 1


def test_the_chain_continues_after_verification(world, history):
    assert verify().ok
    record("manual_note", actor=world.a.clerk, object_type="test", object_id="1", data={"text": "Ghi chú tiếng Việt"})
    head = AuditHead.objects.get(id=1)
    assert head.last_seq == AuditEntry.objects.count()
    assert verify().ok
