"""The chain is anchored outside the database: signed checkpoints in the audit storage, compared by
`vanthu audit verify`, catch what a database edit alone could hide (a cut tail, a rewritten
stretch, a changed actor), and a checkpoint file cannot be edited without its signature failing."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from vanthu.audit import checkpoints
from vanthu.audit.chain import anchor, entry_hash, record, verify
from vanthu.audit.models import AuditEntry, AuditHead, ChainCheck
from vanthu.audit.tasks import check_tail, checkpoint_periodically, on_worker_start, verify_daily
from vanthu.cli import main as vanthu
from vanthu.testing import factories as f

TABLE = AuditEntry._meta.db_table
HEAD = AuditHead._meta.db_table


def _grow(world, n: int, action: str = "note") -> None:
    people = [world.a.clerk, world.a.leader, world.b.clerk]
    for i in range(n):
        with transaction.atomic():
            record(action, actor=people[i % 3], object_type="test", object_id=str(i), data={"i": i, "text": "Ghi chú"})


def _run_verify(capsys) -> tuple[int, str]:
    code = vanthu(["audit", "verify"])
    out = capsys.readouterr()
    return code, out.out + out.err


def _cut_tail_to(seq: int) -> None:
    """What someone with write access to the database does to hide the newest entries."""
    keep = AuditEntry.objects.get(seq=seq)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE seq > %s", [seq])
        cur.execute(f"UPDATE {HEAD} SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, keep.hash])


def test_cutting_the_tail_and_setting_the_head_back_is_named_as_a_cut(world, capsys):
    _grow(world, 12)
    code, out = _run_verify(capsys)  # verifies, then checkpoints entry #12
    assert code == 0 and "checkpoint written for entry #12" in out, out
    _cut_tail_to(9)

    result = verify()
    assert not result.ok and result.broken_seq == 10
    assert "tail was cut" in result.reason and "#12" in result.reason and "#9" in result.reason
    code, out = _run_verify(capsys)
    assert code == 1, out
    assert "BROKEN at entry #10" in out and "tail was cut" in out and "entry #12" in out
    # The periodic checkpoint run notices too, within minutes, and the administrators see it.
    assert not check_tail().ok
    admin = f.make_installation_admin(world.bloc, full_name="Quản trị")
    c = Client()
    c.force_login(admin)
    body = c.get("/audit/").content.decode()
    assert "Cảnh báo" in body and "#10" in body and "tail was cut" in body


def test_a_cut_tail_that_grew_again_contradicts_the_checkpoint(world, capsys):
    _grow(world, 8)
    assert _run_verify(capsys)[0] == 0  # checkpoint at #8
    _grow(world, 4)
    assert anchor().anchored_seq == 12
    _cut_tail_to(10)
    _grow(world, 5, action="forged")  # #11.. #15: a consistent chain again, but not the one signed

    result = verify()
    assert not result.ok and result.broken_seq == 12
    assert "not the one checkpointed" in result.reason and "#9–#12" in result.reason
    assert not anchor().ok  # and no checkpoint is signed over the forged stretch
    assert [c.seq for c in checkpoints.load_all()] == [8, 12]


def test_changing_the_actor_id_of_an_entry_is_detected(world):
    _grow(world, 6)
    target = AuditEntry.objects.get(seq=4)
    other = world.outsider.clerk
    assert target.actor_id != other.id
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET actor_id = %s WHERE seq = 4", [other.id])
    result = verify()
    assert not result.ok and result.broken_seq == 4 and "does not match its hash" in result.reason


def test_editing_a_checkpoint_file_fails_its_signature(world, audit_anchors, capsys):
    _grow(world, 5)
    assert _run_verify(capsys)[0] == 0
    (name,) = checkpoints.names()
    path = audit_anchors / name
    doc = json.loads(path.read_text())
    # Whoever edits the store to match a rewritten database cannot sign the edit.
    doc["checkpoint"]["hash"] = "f" * 64
    path.write_text(json.dumps(doc))

    result = verify()
    assert not result.ok and result.broken_seq == 5 and "signature does not match" in result.reason
    code, out = _run_verify(capsys)
    assert code == 1 and "BROKEN at entry #5" in out and "signature" in out


def test_a_checkpoint_signed_with_another_key_or_without_the_key_is_refused(world, settings, tmp_path, capsys):
    _grow(world, 3)
    assert _run_verify(capsys)[0] == 0
    settings.VANTHU_AUDIT_KEY_FILE = tmp_path / "missing.pem"
    result = verify()
    assert not result.ok and "is missing" in result.reason
    checkpoints._create_key(tmp_path / "missing.pem")  # a new key: the old checkpoints are not its own
    result = verify()
    assert not result.ok and "signed with another key" in result.reason


def test_normal_growth_after_checkpoints_passes_and_anchoring_is_incremental(world, capsys):
    assert anchor().anchored_seq == 0  # an empty chain: nothing to anchor
    _grow(world, 7)
    first = anchor()
    assert first.ok and first.checked == 7 and first.anchored_seq == 7
    _grow(world, 5)
    second = anchor()
    # Only what was written since the last checkpoint is read and hashed.
    assert second.ok and second.checked == 5 and second.anchored_seq == 12
    again = anchor()
    assert again.ok and again.checked == 0 and again.anchored_seq == 12
    assert [c.seq for c in checkpoints.load_all()] == [7, 12]
    _grow(world, 3)
    result = verify()
    assert result.ok and result.checked == 15 and result.anchors == 2 and result.anchored_seq == 12
    code, out = _run_verify(capsys)
    assert code == 0 and "OK: 15 entries" in out and "2 signed checkpoints match" in out
    assert [c.seq for c in checkpoints.load_all()] == [7, 12, 15]
    assert not ChainCheck.objects.filter(ok=False).exists()


def _old_style(actor, action: str) -> None:
    """An entry exactly as installations before hash version 2 wrote it: the actor's id outside
    the hash, and no hash_version column in the INSERT."""
    with transaction.atomic():
        last_seq, last_hash = AuditHead.objects.select_for_update().values_list("last_seq", "last_hash").get(id=1)
        at = timezone.now()
        h = entry_hash(prev_hash=last_hash, seq=last_seq + 1, at=at, actor_id=None, actor_name=actor.username,
                       action=action, object_type="", object_id="", data={}, version=1)
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {TABLE} (seq, at, actor_id, actor_name, action, object_type, object_id, data, prev_hash, hash)"
                " VALUES (%s, %s, %s, %s, %s, '', '', '{}', %s, %s)",
                [last_seq + 1, at, actor.id, actor.username, action, last_hash, h],
            )
            cur.execute(f"UPDATE {HEAD} SET last_seq = %s, last_hash = %s WHERE id = 1", [last_seq + 1, h])


def test_entries_hashed_the_old_way_stay_verifiable_and_their_actors_are_sealed(world, capsys):
    AuditHead.objects.get_or_create(id=1)
    for i in range(4):
        _old_style(world.a.clerk, f"old_{i}")
    assert list(AuditEntry.objects.order_by("seq").values_list("hash_version", flat=True)) == [1, 1, 1, 1]
    _grow(world, 3)  # the upgraded installation goes on with version 2
    assert list(AuditEntry.objects.order_by("seq").values_list("hash_version", flat=True)) == [1, 1, 1, 1, 2, 2, 2]
    code, out = _run_verify(capsys)
    assert code == 0 and "OK: 7 entries" in out, out

    # An old entry's actor id is outside its hash, but inside every checkpoint since.
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET actor_id = %s WHERE seq = 2", [world.outsider.clerk.id])
    result = verify()
    assert not result.ok and result.broken_seq == 7 and "actors of old-style entries" in result.reason


@pytest.mark.parametrize("version", [1, 3])
def test_relabelling_an_entrys_hash_version_is_detected(world, version):
    _grow(world, 3)
    AuditEntry.objects.filter(seq=2).update(hash_version=version)
    result = verify()
    assert not result.ok and result.broken_seq == 2


def test_the_head_row_set_back_over_remaining_entries_is_detected(world):
    _grow(world, 5)
    keep = AuditEntry.objects.get(seq=3)
    AuditHead.objects.filter(id=1).update(last_seq=3, last_hash=keep.hash)
    result = verify()
    assert not result.ok and result.broken_seq == 4


def test_a_broken_chain_is_recorded_once_by_the_periodic_run(world):
    _grow(world, 4)
    assert anchor().ok
    _cut_tail_to(2)
    assert not check_tail().ok
    assert not check_tail().ok
    assert ChainCheck.objects.filter(ok=False).count() == 1


def test_the_worker_queues_both_periodic_checks_and_each_queues_its_next_run(world):
    from django_tasks_db.models import DBTaskResult

    on_worker_start()
    on_worker_start()
    for periodic in (verify_daily, checkpoint_periodically):
        assert DBTaskResult.objects.filter(task_path=periodic.module_path, status="READY").count() == 1
    _grow(world, 2)
    assert checkpoint_periodically.call() is True
    assert [c.seq for c in checkpoints.load_all()] == [2]
    nxt = DBTaskResult.objects.filter(task_path=checkpoint_periodically.module_path, status="READY").order_by("-run_after").first()
    assert nxt.run_after is not None and nxt.run_after > timezone.now() + timezone.timedelta(minutes=5)


def test_the_key_file_is_private_and_one_key_is_made(world, settings):
    _grow(world, 1)
    assert anchor().anchored_seq == 1
    path = settings.VANTHU_AUDIT_KEY_FILE
    assert path.stat().st_mode & 0o077 == 0
    before = path.read_bytes()
    _grow(world, 1)
    assert anchor().anchored_seq == 2
    assert path.read_bytes() == before
