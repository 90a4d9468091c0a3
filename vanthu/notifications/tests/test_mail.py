"""E-mail through a real SMTP server on loopback (aiosmtpd): what arrives, and that nothing is lost
while the server is down, nor sent twice by a worker that died mid-batch."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from django.core.mail import get_connection
from django.test import override_settings
from django.utils import timezone

from vanthu.notifications import mail
from vanthu.notifications.actions import notify, set_preferences
from vanthu.notifications.kinds import Channel
from vanthu.notifications.models import MailMessage, MailState, Notification
from vanthu.notifications.tasks import send_mail, waiting
from vanthu.testing import factories as f


def person(org, name: str, email: str):
    u = f.make_user(org, "specialist", full_name=name)
    u.email = email
    u.save(update_fields=["email"])
    return u


@pytest.fixture
def org(db):
    return f.make_org("Đảng bộ Sở Tài chính")


def test_a_notice_arrives_by_mail_in_vietnamese(smtp, org):
    lan = person(org, "Nguyễn Thị Lan", "lan@sotaichinh.test")
    hung = person(org, "Trần Văn Hùng", "hung@sotaichinh.test")
    with f.background_done():  # the commit wakes the sender, which runs at once
        notify([lan, hung], kind="test_urgent", title="Bạn được giao chủ trì xử lý: 15-CV/ĐUK — Về việc kiểm tra",
               body="Hạn xử lý: 12/05/2026.\nÝ kiến chỉ đạo: Khẩn trương tham mưu.", url="/documents/7/", org=org)
    assert sorted(r.recipients[0] for r in smtp.received) == ["hung@sotaichinh.test", "lan@sotaichinh.test"]
    to_lan = next(r for r in smtp.received if r.recipients == ["lan@sotaichinh.test"])
    assert to_lan.subject == "[VanThu] Bạn được giao chủ trì xử lý: 15-CV/ĐUK — Về việc kiểm tra"
    assert to_lan.message["From"].addresses[0].display_name == "Văn phòng Đảng ủy Khối"
    body = to_lan.body
    assert "Kính gửi Nguyễn Thị Lan," in body
    assert "Ý kiến chỉ đạo: Khẩn trương tham mưu." in body
    assert "Xem chi tiết: https://vanthu.test/documents/7/" in body
    assert to_lan.message["Message-ID"].startswith("<vanthu.mail.")
    assert set(MailMessage.objects.values_list("state", flat=True)) == {MailState.SENT}


@override_settings(VANTHU_MAIL_RETRY_BASE_SECONDS=0.05, VANTHU_MAIL_RETRY_CAP_SECONDS=0.2)
def test_a_stopped_mail_server_loses_nothing(smtp, org):
    lan = person(org, "Nguyễn Thị Lan", "lan@sotaichinh.test")
    smtp.stop()
    notify([lan], kind="test_urgent", title="Thông báo khi máy chủ thư đang dừng", org=org)
    assert mail.send_due() == 0  # the worker tries, fails, and keeps the message
    row = MailMessage.objects.get()
    assert (row.state, row.attempts) == (MailState.PENDING, 1) and "Connection" in row.last_error
    assert row.next_attempt_at > timezone.now() - timedelta(seconds=1)
    time.sleep(0.25)
    assert mail.send_due() == 0  # still down: another attempt, still kept
    assert MailMessage.objects.get().attempts == 2
    smtp.start()
    time.sleep(0.45)
    assert mail.send_due() == 1
    assert [r.recipients for r in smtp.received] == [["lan@sotaichinh.test"]]
    assert mail.send_due() == 0 and len(smtp.received) == 1  # sent once
    assert MailMessage.objects.get().state == MailState.SENT


def test_a_worker_that_died_mid_batch_leaves_the_rest_to_the_next_after_its_lease(smtp, org):
    people = [person(org, f"Người {i}", f"nguoi{i}@sotaichinh.test") for i in range(4)]
    notify(people, kind="test_urgent", title="Họp chi bộ", org=org)
    # A worker claims the batch, sends the first two, and is killed before the others.
    claimed = mail._claim(10)
    assert len(claimed) == 4
    for row in claimed[:2]:
        subject, body = mail.compose(row)
        get_connection().send_messages([mail.EmailMessage(subject, body, to=[row.to])])
        mail._sent(row)
    assert mail.send_due() == 0  # another worker: the lease still holds the other two
    MailMessage.objects.filter(state=MailState.PENDING).update(lease_until=timezone.now())  # the lease runs out
    assert mail.send_due() == 2
    assert sorted(r.recipients[0] for r in smtp.received) == sorted(p.email for p in people)  # each exactly once


def test_a_refused_address_fails_for_good_and_the_others_go(smtp, org):
    good = person(org, "Người nhận được", "duoc@sotaichinh.test")
    bad = person(org, "Người đã nghỉ", "danghi@sotaichinh.test")
    smtp.handler.refuse.add("danghi@sotaichinh.test")
    notify([bad, good], kind="test_urgent", title="Thông báo", org=org)
    assert mail.send_due() == 1
    states = dict(MailMessage.objects.values_list("to", "state"))
    assert states == {"danghi@sotaichinh.test": MailState.FAILED, "duoc@sotaichinh.test": MailState.SENT}
    assert "550" in MailMessage.objects.get(to="danghi@sotaichinh.test").last_error
    assert mail.send_due() == 0


def test_the_daily_digest_is_one_mail_a_day_of_what_is_unread(smtp, org):
    lan = person(org, "Nguyễn Thị Lan", "lan@sotaichinh.test")
    set_preferences(user=lan, channels={"test_event": Channel.DIGEST, "test_urgent": Channel.DIGEST})
    notify([lan], kind="test_event", title="Văn bản đến: 12-CV/ĐUK — Về việc báo cáo quý", url="/documents/12/")
    notify([lan], kind="test_urgent", title="Sắp đến hạn xử lý: 9-KH/ĐUK")
    notify([lan], kind="test_event", title="Đã đọc rồi, không gửi lại")
    Notification.objects.filter(notice__title__startswith="Đã đọc").update(read_at=timezone.now())
    assert not MailMessage.objects.exists()  # nothing at once: she chose the digest
    day = date(2026, 5, 5)
    assert mail.journal_digests(day) == 1
    assert mail.journal_digests(day) == 0  # one a day
    assert mail.send_due() == 1
    (digest,) = smtp.received
    assert digest.recipients == ["lan@sotaichinh.test"]
    assert digest.subject == "[VanThu] 2 thông báo mới"
    assert "Văn bản đến: 12-CV/ĐUK — Về việc báo cáo quý" in digest.body and "https://vanthu.test/documents/12/" in digest.body
    assert "Sắp đến hạn xử lý: 9-KH/ĐUK" in digest.body and "Đã đọc rồi" not in digest.body
    notify([lan], kind="test_event", title="Văn bản đến hôm sau")
    assert mail.journal_digests(day + timedelta(days=1)) == 1
    mail.send_due()
    assert "Văn bản đến hôm sau" in smtp.received[1].body and "12-CV/ĐUK" not in smtp.received[1].body


def test_the_sender_task_comes_back_for_what_waits(smtp, org):
    """send_mail (the worker's task) sends what is due and queues itself for the first retry."""
    lan = person(org, "Nguyễn Thị Lan", "lan@sotaichinh.test")
    smtp.stop()
    notify([lan], kind="test_urgent", title="Chờ máy chủ thư")
    assert send_mail.call() == 0
    assert waiting(send_mail.module_path)
