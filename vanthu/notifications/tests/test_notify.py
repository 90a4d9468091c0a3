"""notify(): one notice, a copy per person in a few statements, in the caller's transaction."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from vanthu.accounts.models import User
from vanthu.notifications import access
from vanthu.notifications.actions import mark_all_read, mark_read, notify, set_preferences
from vanthu.notifications.kinds import Channel
from vanthu.notifications.models import MailMessage, Notice, Notification
from vanthu.testing import factories as f


@pytest.fixture
def people(db):
    org = f.make_org()
    return org, [f.make_user(org, "specialist") for _ in range(3)]


def test_everyone_named_gets_a_copy_once(people):
    org, (a, b, c) = people
    n = notify([a, b.id, a, b], kind="test_event", title="Có việc mới", body="Nội dung", url="/documents/1/", org=org)
    assert n == 2
    notice = Notice.objects.get()
    assert (notice.kind, notice.title, notice.url, notice.organization_id) == ("test_event", "Có việc mới", "/documents/1/", org.id)
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted([a.id, b.id])
    assert access.unread_count(a) == 1 and access.unread_count(c) == 0


def test_a_rolled_back_caller_leaves_no_notice(people):
    _org, (a, _b, _c) = people
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([a], kind="test_event", title="Sẽ bị hủy")
        raise RuntimeError("the caller's action failed")
    assert not Notice.objects.exists() and not Notification.objects.exists()


@override_settings(VANTHU_EMAIL_ENABLED=True)
def test_a_thousand_people_cost_a_few_statements_not_one_each(db):
    org = f.make_org()
    users = User.objects.bulk_create([User(username=f"nguoi{i}", email=f"nguoi{i}@dangbokhoi.test") for i in range(1000)])
    with CaptureQueriesContext(connection) as queries:
        assert notify(users, kind="test_urgent", title="Triệu tập hội nghị", org=org) == 1000
    assert Notification.objects.count() == 1000
    assert MailMessage.objects.count() == 1000  # the kind's default is e-mail at once, and all have an address
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len(queries.captured_queries) <= 8, [q["sql"][:80] for q in queries.captured_queries]
    assert len(writes) <= 6


def test_a_key_makes_a_repeated_reminder_a_no_op(people):
    _org, (a, b, _c) = people
    assert notify([a, b], kind="test_event", title="Sắp đến hạn", key="soon:1:2026-05-05") == 2
    assert notify([a, b], kind="test_event", title="Sắp đến hạn", key="soon:1:2026-05-05") == 0
    assert Notification.objects.count() == 2


def test_unknown_kinds_and_foreign_links_are_refused(people):
    _org, (a, _b, _c) = people
    with pytest.raises(LookupError):
        notify([a], kind="chua_dang_ky", title="x")
    for url in ("https://example.com/", "//example.com/x", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            notify([a], kind="test_event", title="x", url=url)
    assert not Notice.objects.exists()


@override_settings(VANTHU_EMAIL_ENABLED=True)
def test_mail_is_journaled_only_for_those_who_want_it_now_and_have_an_address(db):
    org = f.make_org()
    now_, digest, app_only, no_address = (f.make_user(org, "clerk") for _ in range(4))
    for u in (now_, digest, app_only):
        u.email = f"{u.username}@dangbokhoi.test"
        u.save(update_fields=["email"])
    set_preferences(user=now_, channels={"test_event": Channel.EMAIL})
    set_preferences(user=digest, channels={"test_event": Channel.DIGEST})
    notify([now_, digest, app_only, no_address], kind="test_event", title="Văn bản đến")
    assert list(MailMessage.objects.values_list("user_id", "to")) == [(now_.id, now_.email)]


@override_settings(VANTHU_EMAIL_ENABLED=False)
def test_without_a_mail_server_configured_nothing_is_journaled(db):
    u = f.make_user(f.make_org(), "clerk")
    u.email = "a@dangbokhoi.test"
    u.save(update_fields=["email"])
    notify([u], kind="test_urgent", title="Việc gấp")
    assert Notification.objects.count() == 1 and not MailMessage.objects.exists()


def test_reading_marks_only_ones_own(people):
    _org, (a, b, _c) = people
    notify([a, b], kind="test_event", title="Một")
    notify([a], kind="test_event", title="Hai")
    first = Notification.objects.get(user=a, notice__title="Một")
    mark_read(first, user=a)
    assert access.unread_count(a) == 1 and access.unread_count(b) == 1
    assert mark_all_read(user=a) == 1
    assert access.unread_count(a) == 0 and access.unread_count(b) == 1


def test_the_bells_count_reads_the_unread_index_alone(people):
    """The count runs on every page: it must be an index-only scan of the partial index of unread rows."""
    _org, (a, _b, _c) = people
    notify([a], kind="test_event", title="Một")
    count_sql = f"SELECT COUNT(*) FROM {Notification._meta.db_table} WHERE user_id = %s AND read_at IS NULL"
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + count_sql, [a.id])
            plan = " ".join(str(r) for r in cur.fetchall())
            assert "COVERING INDEX notification_unread" in plan, plan
        else:
            cur.execute("ANALYZE " + Notification._meta.db_table)
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("SET LOCAL enable_bitmapscan = off")
            cur.execute("EXPLAIN " + count_sql, [a.id])
            plan = " ".join(r[0] for r in cur.fetchall())
            assert "Index Only Scan using notification_unread" in plan, plan
    # And the ORM's query (what access.unread_count runs) is that statement.
    with CaptureQueriesContext(connection) as q:
        assert access.unread_count(a) == 1
    assert "COUNT(*)" in q.captured_queries[0]["sql"] and "read_at" in q.captured_queries[0]["sql"]
