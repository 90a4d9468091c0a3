"""Revoke, update and replace, and the recipient's answer, are buttons on the document page (not
only API calls): the issuer's clerk asks, each recipient's clerk agrees or refuses, and each side
sees where the request stands. Wrong people and wrong input get a plain answer and change nothing."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vanthu.documents.actions import accept_delivery
from vanthu.documents.models import Delivery, Document, DocumentFile
from vanthu.exchange.models import RecallRequest
from vanthu.testing import factories as f


def _issued(world) -> Document:
    a = world.a
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org, world.c.org])
    for org, clerk in ((world.b.org, world.b.clerk), (world.c.org, world.c.clerk)):
        accept_delivery(f.delivery_to(doc, org), user=clerk)
    return doc


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _states(doc) -> dict[int, str]:
    return dict(Delivery.objects.filter(document=doc).values_list("recipient_id", "status_code"))


def test_the_issuers_clerk_revokes_and_each_recipient_answers_on_the_page(world):
    doc = _issued(world)
    page = _client(world.a.clerk).get(f"/documents/{doc.id}/").content.decode()
    assert f'action="/exchange/documents/{doc.id}/recall"' in page

    r = _client(world.a.clerk).post(f"/exchange/documents/{doc.id}/recall", {"business_type": "1", "reason": "Ban hành nhầm đối tượng"}, follow=True)
    assert "Đã gửi yêu cầu thu hồi tới 2 nơi nhận" in r.content.decode()
    assert set(_states(doc).values()) == {"13"}
    sender_page = r.content.decode()
    assert "Còn 2 nơi nhận chưa trả lời." in sender_page and "Ban hành nhầm đối tượng" in sender_page
    assert f'action="/exchange/documents/{doc.id}/recall"' not in sender_page  # one request at a time

    b, c = f.delivery_to(doc, world.b.org), f.delivery_to(doc, world.c.org)
    b_page = _client(world.b.clerk).get(f"/documents/{doc.id}/").content.decode()
    assert "Nơi gửi yêu cầu thu hồi văn bản này." in b_page and f'action="/exchange/deliveries/{b.id}/answer"' in b_page
    r = _client(world.b.clerk).post(f"/exchange/deliveries/{b.id}/answer", {"answer": "agree", "note": "Đã thu hồi bản giấy"}, follow=True)
    assert "Đã đồng ý yêu cầu của nơi gửi." in r.content.decode()
    r = _client(world.c.clerk).post(f"/exchange/deliveries/{c.id}/answer", {"answer": "refuse", "note": "Đã triển khai"}, follow=True)
    assert "Đã từ chối yêu cầu của nơi gửi." in r.content.decode()
    assert _states(doc) == {world.b.org.id: "15", world.c.org.id: "03"}  # a refusal leaves it where it stood
    assert "Mọi nơi nhận đã trả lời." in _client(world.a.clerk).get(f"/documents/{doc.id}/").content.decode()


def test_nothing_is_left_to_ask_once_every_recipient_agreed_to_revoke(world):
    doc = _issued(world)
    _client(world.a.clerk).post(f"/exchange/documents/{doc.id}/recall", {"business_type": "1", "reason": "Thu hồi"})
    for org, clerk in ((world.b.org, world.b.clerk), (world.c.org, world.c.clerk)):
        _client(clerk).post(f"/exchange/deliveries/{f.delivery_to(doc, org).id}/answer", {"answer": "agree"})
    page = _client(world.a.clerk).get(f"/documents/{doc.id}/").content.decode()
    assert "Mọi nơi nhận đã trả lời." in page and f'action="/exchange/documents/{doc.id}/recall"' not in page
    r = _client(world.a.clerk).post(f"/exchange/documents/{doc.id}/recall", {"business_type": "1", "reason": "Lần nữa"}, follow=True)
    assert "Không còn nơi nhận nào giữ văn bản này" in r.content.decode()
    assert RecallRequest.objects.count() == 2


def test_a_replacement_sends_the_new_file_and_the_recipient_gets_it_when_it_agrees(world):
    doc = _issued(world)
    new = SimpleUploadedFile("thay-the.pdf", f.pdf_bytes("Văn bản thay thế"), content_type="application/pdf")
    r = _client(world.a.clerk).post(f"/exchange/documents/{doc.id}/recall",
                                    {"business_type": "3", "reason": "Thay thế do sai số liệu", "file": new}, follow=True)
    assert "Đã gửi yêu cầu thay thế tới 2 nơi nhận" in r.content.decode()
    assert DocumentFile.objects.filter(document=doc, name="thay-the.pdf").exists()
    b = f.delivery_to(doc, world.b.org)
    _client(world.b.clerk).post(f"/exchange/deliveries/{b.id}/answer", {"answer": "agree"})
    assert RecallRequest.objects.get(delivery=b).answer == "15"


def test_bad_requests_get_a_plain_answer_and_change_nothing(world):
    doc = _issued(world)
    before = (_states(doc), DocumentFile.objects.count(), RecallRequest.objects.count())
    clerk = _client(world.a.clerk)
    r = clerk.post(f"/exchange/documents/{doc.id}/recall", {"business_type": "2", "reason": "Bổ sung phụ lục"}, follow=True)
    assert "Cập nhật hoặc thay thế cần tệp PDF mới." in r.content.decode()
    r = clerk.post(f"/exchange/documents/{doc.id}/recall", {"business_type": "1", "reason": "  "}, follow=True)
    assert "Hãy ghi lý do." in r.content.decode()
    not_pdf = SimpleUploadedFile("ghi-chu.txt", "không phải PDF".encode(), content_type="text/plain")
    r = clerk.post(f"/exchange/documents/{doc.id}/recall", {"business_type": "3", "reason": "Thay thế", "file": not_pdf}, follow=True)
    assert r.status_code == 200 and "PDF" in r.content.decode()
    b = f.delivery_to(doc, world.b.org)
    r = _client(world.b.clerk).post(f"/exchange/deliveries/{b.id}/answer", {"answer": "agree"}, follow=True)
    assert "Không có yêu cầu thu hồi, cập nhật hay thay thế nào đang chờ." in r.content.decode()
    assert (_states(doc), DocumentFile.objects.count(), RecallRequest.objects.count()) == before


def test_only_clerks_see_and_use_the_buttons_and_outsiders_find_nothing(world):
    doc = _issued(world)
    page = _client(world.a.specialist).get(f"/documents/{doc.id}/").content.decode()
    assert "/recall" not in page
    assert _client(world.a.specialist).post(f"/exchange/documents/{doc.id}/recall", {"business_type": "1", "reason": "x"}).status_code == 403
    assert _client(world.outsider.clerk).post(f"/exchange/documents/{doc.id}/recall", {"business_type": "1", "reason": "x"}).status_code == 404
    _client(world.a.clerk).post(f"/exchange/documents/{doc.id}/recall", {"business_type": "1", "reason": "Thu hồi"})
    b = f.delivery_to(doc, world.b.org)
    # A leader of the recipient sees the record (a specialist not assigned to it would not: 404).
    assert "/answer" not in _client(world.b.leader).get(f"/documents/{doc.id}/").content.decode()
    assert _client(world.b.leader).post(f"/exchange/deliveries/{b.id}/answer", {"answer": "agree"}).status_code == 403
    assert _client(world.b.specialist).post(f"/exchange/deliveries/{b.id}/answer", {"answer": "agree"}).status_code == 404
    assert _client(world.c.clerk).post(f"/exchange/deliveries/{b.id}/answer", {"answer": "agree"}).status_code == 404
    assert _client(world.outsider.clerk).post(f"/exchange/deliveries/{b.id}/answer", {"answer": "agree"}).status_code == 404
    assert set(_states(doc).values()) == {"13"}
