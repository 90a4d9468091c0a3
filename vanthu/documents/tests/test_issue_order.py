"""Issuing without a seal takes the register's number late: concurrent issuers into one register
wait for each other only for the writes after it (issue 15 §2)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanthu.audit.chain import verify
from vanthu.documents import actions
from vanthu.documents.models import Delivery, DocStatus
from vanthu.notifications.models import Notice
from vanthu.organizations.models import Role
from vanthu.testing import factories as f


def _position(queries: list[str], *fragments: str) -> int:
    return next(i for i, sql in enumerate(queries) if all(x in sql for x in fragments))


@pytest.mark.django_db
def test_the_number_is_taken_after_deliveries_statistics_and_queued_work_and_before_notices_and_audit():
    org, dest = f.make_org(), f.make_org()
    specialist, leader, clerk = f.make_user(org, Role.SPECIALIST), f.make_user(org, Role.LEADER), f.make_user(org, Role.CLERK)
    f.make_user(dest, Role.CLERK)  # told of the arrival, with the number in the notice
    doc = f.draft(org, specialist, [dest], signer=leader)
    actions.submit_document(doc, user=specialist)
    actions.approve_document(doc, user=leader)
    with CaptureQueriesContext(connection) as captured:
        doc = actions.issue_document(doc, user=f.fresh(clerk))
    sql = [q["sql"] for q in captured.captured_queries]
    counter = _position(sql, "UPDATE", "registercounter")
    assert _position(sql, "INSERT", "documents_delivery") < counter
    assert _position(sql, "INSERT", "reports_pendingchange") < counter
    assert _position(sql, "INSERT", "dbtaskresult") < counter  # indexing queued before the lock
    assert counter < _position(sql, "INSERT", "notifications_notice") < _position(sql, "audit_audithead")
    assert doc.status == DocStatus.ISSUED and doc.number == 1
    assert dest.id in set(Delivery.objects.filter(document=doc).values_list("recipient_id", flat=True))
    assert doc.symbol in Notice.objects.get(object_id=str(doc.id)).title
    assert verify().ok
