"""What an authenticated peer's package meets after the parser: the PDF intake's limits, with
the refusal logged and answered as the exchange answers a staged package's refusal: a status
back to the sender."""

from __future__ import annotations

from vanthu.documents.models import Document
from vanthu.documents.tests.test_pdf_intake import pages
from vanthu.exchange import edxml as E
from vanthu.exchange.models import OutboxMessage, Refusal, StagedPackage
from vanthu.exchange.tests.peers import as_the_peer_posts, run_worker
from vanthu.exchange.tests.test_exchange_db import _incoming


def test_a_package_whose_pdf_is_past_the_page_cap_is_refused_with_a_status_back(transactional_db, peer_world, client, settings):
    settings.VANTHU_MAX_PDF_PAGES = 3
    body = _incoming(peer_world, files=[E.FilePart("dai.pdf", pages(4))])
    r = client.post("/exchange/inbox", data=body, content_type="application/xml", **as_the_peer_posts(body))
    assert r.status_code == 200 and r.json()["status"] == "staged", r.content[:500]
    run_worker()  # the PDFs are the worker's to inspect
    staged = StagedPackage.objects.get()
    assert staged.state == "refused" and staged.code == "too_many_pages" and "có hơn 3 trang" in staged.detail
    assert Refusal.objects.get().code == "too_many_pages"
    # The sender is told, with the reason, by a status 02 about its document.
    status = OutboxMessage.objects.get(kind="status", staged=staged)
    assert status.status_code == "02" and "có hơn 3 trang" in status.description
    assert not Document.objects.filter(source="peer").exists()
