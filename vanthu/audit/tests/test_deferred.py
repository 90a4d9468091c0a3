"""Entries held back to the end of a block are chained as if recorded there, in their order."""

from __future__ import annotations

import pytest
from django.db import transaction

from vanthu.audit.chain import deferred, record, verify
from vanthu.audit.models import AuditEntry


@pytest.mark.django_db
def test_held_back_entries_are_appended_in_order_when_the_block_ends_and_the_chain_verifies():
    with transaction.atomic():
        before = AuditEntry.objects.count()
        with deferred():
            first = record("test_first", object_type="x", object_id=1)
            second = record("test_second", object_type="x", object_id=2)
            assert AuditEntry.objects.count() == before  # nothing written yet: the head is not locked
        assert AuditEntry.objects.count() == before + 2
    assert second.seq == first.seq + 1 and second.prev_hash == first.hash
    assert list(AuditEntry.objects.order_by("-seq").values_list("action", flat=True)[:2]) == ["test_second", "test_first"]
    assert verify().ok


@pytest.mark.django_db
def test_held_back_entries_vanish_with_a_failing_block():
    before = AuditEntry.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic(), deferred():
        record("test_lost", object_type="x", object_id=1)
        1 / 0  # noqa: B018
    assert AuditEntry.objects.count() == before
    with transaction.atomic():
        record("test_after", object_type="x", object_id=2)  # not held back any more
    assert AuditEntry.objects.filter(action="test_after").exists()
