"""Classified documents are refused at every door of the documents app (ARCHITECTURE invariant 5):
the API's draft and paper registration, the compose page and the paper registration page.

At each door: a marking given as data (decomposed "MẬT", "Tuyệt mật", the unknown "4" and
"Confidential") and a stamp on the PDF that today's check missed are refused with the message
that points to the cipher channel, and nothing is written (no document, file, delivery, event,
audit entry, number or stored blob). The other doors (update/replace upload, `vanthu edxml
import`, a peer over HTTP) are in vanthu/exchange/tests/test_classified_doors.py."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vanthu.documents.models import Delivery, Document
from vanthu.documents.tests.party_pdfs import STAMPED, first_page, nfd, pdf
from vanthu.documents.tests.test_bad_input import Unchanged, assert_error, draft_form, paper_form
from vanthu.testing import factories as f

MARKINGS = {"decomposed-mat": nfd("MẬT"), "decomposed-tuyet-mat": nfd("Tuyệt mật"), "code-4": "4", "confidential": "Confidential"}
CIPHER = "kênh cơ yếu"


def upload(data: bytes, name: str = "nghiquyet.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


# --- the API: POST /api/v1/documents and POST /api/v1/incoming/paper --------------------------

def post_draft(world, api, **extra):
    return api.post("/api/v1/documents", draft_form(world, **extra), multipart=True)


def post_paper(world, api, **extra):
    return api.post("/api/v1/incoming/paper", paper_form(world, **extra), multipart=True)


API_DOORS = {"api-draft": (post_draft, "a", "specialist"), "api-paper": (post_paper, "b", "clerk")}


@pytest.fixture(params=sorted(API_DOORS))
def api_door(request, world, api_as):
    post, side, role = API_DOORS[request.param]
    api = api_as(getattr(getattr(world, side), role))  # signed in once: a sign-in is an audit entry
    assert post(world, api).status_code == 201  # "nothing written" is checked against a non-empty store
    return lambda **extra: post(world, api, **extra)


@pytest.mark.parametrize("marking", MARKINGS.values(), ids=MARKINGS.keys())
def test_api_refuses_a_classified_or_unknown_marking(api_door, marking):
    with Unchanged():
        err = assert_error(api_door(confidentiality=marking), 422, "classified_document")
    assert CIPHER in err["message"] and err["details"]["field"] == "confidentiality"


@pytest.mark.parametrize("variant", sorted(STAMPED))
def test_api_refuses_a_stamped_pdf(api_door, variant):
    with Unchanged():
        err = assert_error(api_door(file=upload(STAMPED[variant]())), 422, "classified_document")
    assert CIPHER in err["message"]


def test_api_takes_the_ordinary_level_in_any_form_and_the_document_keeps_it(world, api_as):
    r = post_draft(world, api_as(world.a.specialist), confidentiality=nfd("THƯỜNG"), file=upload(pdf(first_page())))
    assert r.status_code == 201, r.content
    assert r.json()["confidentiality"] == "thuong"
    assert Document.objects.get(pk=r.json()["id"]).confidentiality == "thuong"
    r = post_paper(world, api_as(world.b.clerk), confidentiality="0")
    assert r.status_code == 201, r.content
    assert Delivery.objects.get(pk=r.json()["id"]).document.confidentiality == "thuong"


# --- the pages: /documents/new/ and /incoming/paper/ ----------------------------------------

def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def compose_data(world, **extra) -> dict:
    data = {"doc_type": "CV", "subject": "Về việc bảo vệ bí mật nhà nước năm 2026", "urgency": "thuong",
            "confidentiality": "thuong", "recipient_ids": [world.b.org.id], "file": upload(pdf(first_page()))}
    return {**data, **extra}


def paper_data(**extra) -> dict:
    data = {"sender_name": "Sở Nội vụ Hà Nội", "number_symbol": "123/SNV-VP", "issued_date": "02/11/2026", "doc_type": "CV",
            "subject": "Về việc bảo vệ bí mật nhà nước", "urgency": "thuong", "confidentiality": "thuong", "unmarked": "on",
            "file": upload(pdf(first_page()), "scan.pdf")}
    return {**data, **extra}


PAGES = {
    "compose-page": ("/documents/new/", "a", "specialist", compose_data),
    "paper-page": ("/incoming/paper/", "b", "clerk", lambda world, **extra: paper_data(**extra)),
}


@pytest.fixture(params=sorted(PAGES))
def page_door(request, world):
    path, side, role, data = PAGES[request.param]
    client = signed_in(getattr(getattr(world, side), role))
    assert client.post(path, data(world)).status_code == 302  # a first one goes in
    return lambda **extra: client.post(path, data(world, **extra))


def refused_on_the_page(r, field: str) -> str:
    page = r.content.decode()
    assert r.status_code == 200 and f'id="id_{field}_error"' in page, page[:3000]
    assert CIPHER in page
    return page


@pytest.mark.parametrize("marking", MARKINGS.values(), ids=MARKINGS.keys())
def test_a_page_refuses_a_classified_or_unknown_marking_next_to_the_field(page_door, marking):
    with Unchanged():
        refused_on_the_page(page_door(confidentiality=marking), "confidentiality")


@pytest.mark.parametrize("variant", sorted(STAMPED))
def test_a_page_refuses_a_stamped_pdf_next_to_the_file(page_door, variant):
    with Unchanged():
        refused_on_the_page(page_door(file=upload(STAMPED[variant]())), "file")


def test_the_pages_ask_for_the_marking_beside_the_urgency(world):
    for user, path in ((world.a.specialist, "/documents/new/"), (world.b.clerk, "/incoming/paper/")):
        page = signed_in(user).get(path).content.decode()
        assert page.index('name="urgency"') < page.index('name="confidentiality"')
        assert '<option value="thuong" selected>Thường</option>' in page and ">Tuyệt mật</option>" in page


def test_paper_registration_asks_the_clerk_to_confirm_the_paper_has_no_stamp(world):
    """A scan is an image the stamp check cannot read: the clerk, who holds the paper, confirms."""
    c = signed_in(world.b.clerk)
    page = c.get("/incoming/paper/").content.decode()
    assert 'name="unmarked"' in page and "không đọc được dấu độ mật trên bản quét" in page
    assert page.index('name="file"') < page.index('name="unmarked"')
    with Unchanged():
        r = c.post("/incoming/paper/", paper_data(unmarked=""))
    page = r.content.decode()
    assert r.status_code == 200 and 'id="id_unmarked_error"' in page and "xác nhận văn bản không phải văn bản mật" in page
    r = c.post("/incoming/paper/", paper_data())
    assert r.status_code == 302
    assert Delivery.objects.get(recipient=world.b.org, source="paper").document.confidentiality == "thuong"


def test_compose_page_keeps_the_ordinary_level_on_the_draft(world):
    r = signed_in(world.a.specialist).post("/documents/new/", compose_data(world, confidentiality=nfd("Thường")))
    assert r.status_code == 302
    assert Document.objects.get(subject="Về việc bảo vệ bí mật nhà nước năm 2026").confidentiality == "thuong"


def test_an_ordinary_scan_registered_from_paper_enters(world):
    # Control for the refusals above: the same party document without a stamp goes in.
    r = signed_in(world.b.clerk).post("/incoming/paper/", paper_data(file=upload(f.pdf_bytes("Giấy mời"), "scan.pdf")))
    assert r.status_code == 302
