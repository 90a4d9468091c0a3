"""What an authenticated peer's package meets after the parser: the PDF intake's limits, with
the refusal logged and answered as the exchange answers every refusal."""

from __future__ import annotations

from vanthu.documents.models import Document
from vanthu.documents.tests.test_pdf_intake import pages
from vanthu.exchange import edxml as E
from vanthu.exchange.models import Refusal
from vanthu.exchange.tests.peers import as_the_peer_posts
from vanthu.exchange.tests.test_exchange_db import _incoming


def test_a_package_whose_pdf_is_past_the_page_cap_is_refused_with_413(peer_world, client, settings):
    settings.VANTHU_MAX_PDF_PAGES = 3
    body = _incoming(peer_world, files=[E.FilePart("dai.pdf", pages(4))])
    r = client.post("/exchange/inbox", data=body, content_type="application/xml", **as_the_peer_posts(body))
    assert r.status_code == 413, r.content[:500]
    assert r.json()["status"] == "refused" and r.json()["error"]["code"] == "too_many_pages"
    assert "có hơn 3 trang" in r.json()["error"]["message"]
    assert Refusal.objects.get().code == "too_many_pages"
    assert not Document.objects.filter(source="peer").exists()
