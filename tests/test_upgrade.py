"""An upgrade from the previous release's database keeps everything (issue 22 §6).

VanThu has no release tag yet; the previous state is the schema every installation had on
2026-12-03 (commit e45e26f, the last day before the merges of issues 16–22): PREVIOUS names each
app's last migration then, and the apps that did not exist yet. When a release is tagged, PREVIOUS
becomes that tag's last migrations.

The test takes the test database back to that state with Django's MigrationExecutor, writes the
rows a working installation has (organisations, people, roles, documents with files, deliveries
and their events, assignments, audit entries) through the historical models, migrates forward to
today, and compares every row of every table that existed before, column by column, for the
columns both schemas have; then checks that the data migrations on the way derived what they
promise from the old rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.documents.models import Delivery, DeliveryEvent, Document, Signatory

PREVIOUS: dict[str, str | None] = {
    "accounts": "0002_sign_in_security",
    "audit": "0003_chaincheck",
    "documents": "0006_outgoing_list_index",
    "exchange": "0001_initial",
    "organizations": "0002_organization_invalid_signature_policy",
    "reports": "0004_open_deadline_count",
    "search": "0004_partitioned_tsv",
    "signatures": "0001_initial",
    "workflow": "0001_initial",
    # Apps that came later: their tables are created by the upgrade.
    "archive": None, "calendar": None, "direction": None, "membership": None, "migration": None,
    "notifications": None, "programme": None,
}

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _rows(table: str) -> tuple[list[str], list[tuple]]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        columns = [c[0] for c in cur.description]
        return columns, cur.fetchall()


def _snapshot(tables: list[str]) -> dict[str, tuple[list[str], list[tuple]]]:
    return {t: _rows(t) for t in tables}


def _project(columns: list[str], rows: list[tuple], keep: list[str]) -> list[tuple]:
    at = [columns.index(c) for c in keep]
    return sorted((tuple(r[i] for i in at) for r in rows), key=repr)


def _seed(apps) -> dict[str, Any]:
    """What a working installation holds, written through the models of the previous schema."""
    Organization = apps.get_model("organizations", "Organization")
    Membership = apps.get_model("organizations", "Membership")
    OldUser = apps.get_model("accounts", "User")
    DocumentType = apps.get_model("documents", "DocumentType")
    OldStoredFile = apps.get_model("documents", "StoredFile")
    OldDocument = apps.get_model("documents", "Document")
    DocumentFile = apps.get_model("documents", "DocumentFile")
    OldDelivery = apps.get_model("documents", "Delivery")
    OldEvent = apps.get_model("documents", "DeliveryEvent")
    Assignment = apps.get_model("workflow", "Assignment")
    Assignee = apps.get_model("workflow", "Assignee")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    now = timezone.now().replace(microsecond=0)

    bloc = Organization.objects.create(kind="bloc", name="Đảng ủy Khối các cơ quan Thành phố", short_name="ĐU",
                                       code="000.00.00.H26", term_label="2020-2025")
    cell = Organization.objects.create(kind="grassroots", name="Đảng bộ Sở Tài chính", short_name="ĐU",
                                       code="000.00.11.H26", term_label="2020-2025", parent=bloc)
    people = {}
    for org, role, username in ((bloc, "clerk", "vanthu.khoi"), (bloc, "leader", "bithu.khoi"),
                                (cell, "clerk", "vanthu.sotc"), (cell, "leader", "bithu.sotc"),
                                (cell, "specialist", "chuyenvien.sotc")):
        person = OldUser.objects.create(username=username, full_name=f"Người {username}", password="!", email="")
        Membership.objects.create(user=person, organization=org, role=role, position="Bí thư" if role == "leader" else "")
        people[username] = person
    # The previous schema's seed migration gave the document types, but a transactional test run
    # before this one leaves the tables flushed (pytest-django empties them after each): make it.
    doc_type, _made = DocumentType.objects.get_or_create(code="NQ", defaults={"name": "Nghị quyết", "sort_order": 10})
    body = "Nghị quyết về công tác chuyển đổi số".encode()
    stored = OldStoredFile.objects.create(sha256=hashlib.sha256(body).hexdigest(), size=len(body),
                                          content_type="application/pdf", text="chuyển đổi số", created_at=now)
    deliveries = []
    for n in range(1, 4):
        doc = OldDocument.objects.create(
            doc_type=doc_type, issuer=bloc, subject=f"Về việc triển khai chuyển đổi số, đợt {n}", status="issued",
            register_key=f"{bloc.id}:{doc_type.pk}:2020-2025", number=n, symbol=f"{n}-NQ/ĐU",
            issued_date=dt.date(2026, 11, n), issued_at=now, place="Hà Nội", signer_authority="T/M",
            signer_position="Bí thư", signer_name="Người bithu.khoi", created_at=now, created_by=people["vanthu.khoi"],
            issued_by=people["vanthu.khoi"], page_count=2)
        doc.recipients.add(cell)
        DocumentFile.objects.create(document=doc, file=stored, role="main", name=f"nq-{n}.pdf")
        delivery = OldDelivery.objects.create(document=doc, recipient=cell, status_code="04", arrived_at=now,
                                              updated_at=now, incoming_key=f"{cell.id}:2026", incoming_number=n,
                                              accepted_at=now, deadline=dt.date(2026, 12, 20 + n))
        OldEvent.objects.create(delivery=delivery, status_code="01", at=now, by_name="", note="")
        OldEvent.objects.create(delivery=delivery, status_code="04", at=now, by=people["bithu.sotc"],
                                by_name="Người bithu.sotc", note="Giao đồng chí chuyên viên chủ trì")
        assignment = Assignment.objects.create(delivery=delivery, assigned_by=people["bithu.sotc"], assigned_at=now,
                                               note="Giao đồng chí chuyên viên chủ trì", deadline=delivery.deadline)
        Assignee.objects.create(assignment=assignment, user=people["chuyenvien.sotc"], role="main")
        deliveries.append(delivery.id)
    for seq in range(1, 4):
        AuditEntry.objects.create(seq=seq, at=now, actor=people["vanthu.khoi"], actor_name="Người vanthu.khoi",
                                  action="document_issued", object_type="document", object_id=str(seq),
                                  data={"subject": f"đợt {seq}"}, prev_hash="0" * 64, hash=f"{seq:064d}")
    return {"deliveries": deliveries, "leaders": [people["bithu.khoi"].id, people["bithu.sotc"].id]}


def test_an_upgrade_from_the_previous_state_keeps_every_row():
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    for app, name in PREVIOUS.items():
        assert name is None or (app, name) in graph.nodes, f"PREVIOUS names {app}.{name}, which does not exist"
    targets = [(app, name) for app, name in PREVIOUS.items()]
    try:
        executor.migrate(targets)
        executor.loader.build_graph()
        old_state = executor.loader.project_state([t for t in targets if t[1] is not None])
        seeded = _seed(old_state.apps)
        old_tables = sorted({m.options.get("db_table") or f"{app}_{name}" for (app, name), m in old_state.models.items()
                             if app in PREVIOUS} & set(connection.introspection.table_names()))
        # Tables Django makes for many-to-many fields of the previous schema count too.
        old_tables += [t for t in connection.introspection.table_names() if t == "documents_document_recipients"]
        before = _snapshot(old_tables)
    finally:
        # Whatever happened, the database goes forward again: the suite's other tests need today's schema.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    after = _snapshot(old_tables)
    for table in old_tables:
        old_columns, old_rows = before[table]
        new_columns, new_rows = after[table]
        # A catalogue the data migrations seed (criteria, document types…) may be empty before when a
        # transactional test ran earlier in the session (pytest-django flushes every table after one)
        # and is seeded again on the way forward; a table that held rows keeps exactly those.
        if old_rows:
            assert len(new_rows) == len(old_rows), f"{table}: {len(old_rows)} rows before the upgrade, {len(new_rows)} after"
        else:
            new_rows = []
        common = [c for c in old_columns if c in new_columns]
        lost = set(old_columns) - set(new_columns)
        assert not lost, f"{table}: the upgrade dropped columns {sorted(lost)}"
        assert _project(new_columns, new_rows, common) == _project(old_columns, old_rows, common), table
    assert sum(len(before[t][1]) for t in old_tables) > 30  # the seed reached the tables it meant to

    # Today's code reads the old rows, and the data migrations derived what they promise.
    assert Document.objects.filter(status="issued").count() == 3
    assert User.objects.get(username="chuyenvien.sotc").memberships.get().role == "specialist"
    for leader in seeded["leaders"]:
        assert Signatory.objects.filter(user_id=leader).exists(), "a leader of before keeps the power to sign"
    for delivery in Delivery.objects.filter(id__in=seeded["deliveries"]):
        assert delivery.handler_name == "Người chuyenvien.sotc"
        assert DeliveryEvent.objects.get(delivery=delivery, status_code="04").note_private
