"""A package the outbox gave up on (98) is shown where the issuing organisation's clerk looks:
the outgoing list marks the document and filters on it, "Việc cần làm" counts it. Nobody else
sees it, and the pages cost the same number of statements however many documents failed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from vanthu.documents.models import Delivery, StatusCode
from vanthu.exchange import sending
from vanthu.exchange.actions import resend
from vanthu.exchange.models import OutboxMessage, OutboxState
from vanthu.exchange.tests.peers import register_unreachable_peer
from vanthu.testing import factories as f

MARKER = "Có nơi nhận gửi không thành công"


@pytest.fixture
def remote(world):
    """An organisation at a peer installation whose endpoint does not answer."""
    peer, _key, _cert = register_unreachable_peer()
    return peer.organizations.get().organization


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _issue(world, recipients, subject: str):
    return f.issued(world.a.org, specialist=world.a.specialist, leader=world.a.leader, clerk=world.a.clerk,
                    recipients=recipients, subject=subject)


def _give_up(settings) -> None:
    """The real outbox, past its maximum age, tries once more against the closed port and gives up."""
    settings.VANTHU_EXCHANGE_MAX_AGE_HOURS = 0
    OutboxMessage.objects.update(next_attempt_at=timezone.now(), created_at=timezone.now() - dt.timedelta(minutes=1))
    # A round stops at a peer's first failure (to keep its messages in order): one round each.
    for _ in range(OutboxMessage.objects.count()):
        sending.send_due()
    assert not OutboxMessage.objects.filter(state=OutboxState.PENDING).exists()


def test_failed_delivery_is_marked_in_the_issuers_list_and_home_and_nowhere_else(world, remote, settings):
    failed = _issue(world, [remote, world.b.org], "Về việc gửi báo cáo liên thông")
    fine = _issue(world, [world.b.org], "Về việc tổng kết công tác kiểm tra")
    _give_up(settings)
    assert Delivery.objects.get(document=failed, recipient=remote).status_code == StatusCode.SEND_FAILED
    # The local recipient of the same document is untouched.
    assert Delivery.objects.get(document=failed, recipient=world.b.org).status_code == StatusCode.ARRIVED

    clerk = signed_in(world.a.clerk)
    page = clerk.get("/documents/").content.decode()
    assert page.count(MARKER) == 1
    row = page[page.index(failed.symbol):]
    assert row.index(MARKER) < row.index("</tr>"), "the marker is on the failed document's row"
    assert f'href="/documents/{failed.id}/#h-recipients"' in page
    assert fine.symbol in page
    only_failed = clerk.get("/documents/", {"failed": "1"}).content.decode()
    assert failed.symbol in only_failed and fine.symbol not in only_failed
    assert 'name="failed"' in only_failed and "checked" in only_failed.split('name="failed"')[1].split(">")[0]

    english = signed_in(world.a.clerk)
    english.post("/i18n/setlang/", {"language": "en", "next": "/documents/"})
    page_en = english.get("/documents/").content.decode()
    assert "Delivery failed for a recipient" in page_en and "Only documents not yet delivered" in page_en
    assert "<span class=\"t\">Not delivered yet</span>" in english.get("/").content.decode()

    home = clerk.get("/").content.decode()
    assert 'id="count-send-failed"' in home
    assert '<span class="n">1</span> <span class="t">Chưa tới được nơi nhận' in home
    assert 'href="/documents/?failed=1"' in home and failed.subject in home and fine.subject not in home

    # The other organisation, although a recipient of the very same document, sees no failure:
    # neither on its home page nor in its own outgoing list, nor by asking for the filter.
    other = signed_in(world.b.clerk)
    assert 'count-send-failed' not in other.get("/").content.decode()
    for page in (other.get("/documents/").content.decode(), other.get("/documents/", {"failed": "1"}).content.decode()):
        assert MARKER not in page and failed.subject not in page
    assert 'count-send-failed' not in signed_in(world.outsider.clerk).get("/").content.decode()

    # A clerk resends: the row goes back to 00 and the alarm is gone from both pages.
    resend(OutboxMessage.objects.get(delivery__document=failed, state=OutboxState.FAILED), user=world.a.clerk)
    assert MARKER not in clerk.get("/documents/").content.decode()
    assert 'count-send-failed' not in clerk.get("/").content.decode()


def test_no_failure_no_alarm_on_home(world):
    _issue(world, [world.b.org], "Về việc tổng kết công tác kiểm tra")
    home = signed_in(world.a.clerk).get("/").content.decode()
    assert 'count-send-failed' not in home and "Chưa tới được nơi nhận" not in home


def test_list_and_home_statements_do_not_grow_with_failed_documents(world, remote, settings):
    def statements(path: str) -> int:
        c = signed_in(world.a.clerk)
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(path).status_code == 200
        return len(ctx.captured_queries)

    _issue(world, [remote, world.b.org], "Văn bản thứ nhất")
    _give_up(settings)
    one_list, one_home = statements("/documents/"), statements("/")
    for i in range(4):
        _issue(world, [remote, world.b.org, world.c.org], f"Văn bản thứ {i + 2}")
    _give_up(settings)
    assert Delivery.objects.filter(status_code=StatusCode.SEND_FAILED).count() == 5
    assert statements("/documents/") == one_list
    # Five failures fill the home box: the count then costs its one extra statement, no more.
    assert statements("/") <= one_home + 1
    assert '<span class="n">5</span> <span class="t">Chưa tới được nơi nhận' in signed_in(world.a.clerk).get("/").content.decode()


def test_answer_labels_name_recall_and_update_alike():
    assert StatusCode.RECALL_AGREED.label == "Đồng ý thu hồi/cập nhật"
    assert StatusCode.RECALL_REFUSED.label == "Từ chối thu hồi/cập nhật"
    with translation.override("en"):
        assert str(StatusCode.RECALL_AGREED.label) == "Recall/update agreed"
        assert str(StatusCode.RECALL_REFUSED.label) == "Recall/update refused"


def test_a_recipient_silent_past_the_first_attempts_is_shown_with_the_next_attempt(world, remote):
    """A peer down for an hour: nothing is given up yet (98 comes after 72 hours), but the clerk
    already sees which recipient has not acknowledged, and when the outbox tries again."""
    silent = _issue(world, [remote], "Về việc báo cáo sơ kết 6 tháng")
    just_now = _issue(world, [remote], "Về việc lịch làm việc tuần")
    assert not OutboxMessage.objects.filter(delivery__document=silent).exclude(state=OutboxState.PENDING).exists()
    clerk = signed_in(world.a.clerk)
    assert "count-send-failed" not in clerk.get("/").content.decode()  # seconds old: nothing to worry about

    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Delivery.objects.filter(document=silent).update(updated_at=an_hour_ago)
    retry = timezone.now() + dt.timedelta(minutes=20)
    OutboxMessage.objects.filter(delivery__document=silent).update(attempts=6, next_attempt_at=retry)
    home = clerk.get("/").content.decode()
    assert '<span class="n">1</span> <span class="t">Chưa tới được nơi nhận' in home
    assert silent.subject in home and just_now.subject not in home
    assert f"thử gửi lại lúc {timezone.localtime(retry).strftime('%d/%m/%Y %H:%M')}" in home
    listed = clerk.get("/documents/", {"failed": "1"}).content.decode()
    assert silent.symbol in listed and just_now.symbol not in listed and "Có nơi nhận chưa xác nhận đã nhận" in listed
    page = clerk.get(f"/documents/{silent.id}/").content.decode()
    assert "chưa trả lời sau 6 lần thử; sẽ tự động gửi lại lúc" in page
    assert "count-send-failed" not in signed_in(world.b.clerk).get("/").content.decode()
