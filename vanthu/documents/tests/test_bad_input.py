"""Bad input gets a clear error (a JSON error object, in Vietnamese) and leaves nothing written.

Every test here counts the rows a document's creation would write, and the files in the
content-addressed store, before and after the refused request (ARCHITECTURE invariant 7).
"""

from __future__ import annotations

import io
import itertools
import os
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from vanthu.api import api
from vanthu.audit.models import AuditEntry
from vanthu.documents import actions
from vanthu.documents.models import (
    Delivery,
    DeliveryEvent,
    Document,
    DocumentFile,
    RegisterCounter,
    StoredFile,
)
from vanthu.documents.pdfgen import make_pdf
from vanthu.testing import factories as f

# --- helpers ---------------------------------------------------------------------------------

VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def stored_blobs() -> set[str]:
    root = Path(django_settings.FILES_DIR)
    if not root.exists():
        return set()
    return {name for _dir, _sub, names in os.walk(root) for name in names}


def snapshot() -> dict:
    return {
        "documents": Document.objects.count(), "document_files": DocumentFile.objects.count(),
        "stored_files": StoredFile.objects.count(), "deliveries": Delivery.objects.count(),
        "events": DeliveryEvent.objects.count(), "audit": AuditEntry.objects.exclude(action="permission_denied").count(),
        "counters": sorted(RegisterCounter.objects.values_list("key", "last_number")),
        "blobs": stored_blobs(),
    }


def assert_error(r, status: int, code: str | None = None) -> dict:
    """The response has the status and the one error shape, with a Vietnamese message."""
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == {"code", "message", "details"}, err
    assert isinstance(err["details"], dict)
    if code:
        assert err["code"] == code, err
    message = err["message"].lower()
    assert message and any(ch in VIETNAMESE for ch in message), f"not a Vietnamese message: {err['message']!r}"
    return err


class Unchanged:
    """`with Unchanged():` fails if the block wrote any document, file, delivery or audit entry."""

    def __enter__(self):
        self.before = snapshot()
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            assert snapshot() == self.before


def pdf_upload(name: str = "congvan.pdf", data: bytes | None = None, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, f.pdf_bytes() if data is None else data, content_type=content_type)


def png_bytes() -> bytes:
    """A real 1×1 PNG image."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(f.pdf_bytes("Văn bản có mật khẩu")))
    writer.encrypt(user_password="matkhau", owner_password="chu-so-huu")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def draft_form(world, **extra) -> dict:
    data = {
        "organization_id": world.a.org.id, "doc_type": "CV", "subject": "Về việc tổng kết công tác năm 2026",
        "urgency": "thuong", "confidentiality": "thuong", "recipient_ids": [world.b.org.id], "file": pdf_upload(),
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


# Each paper a new number: the same sender, number and date twice is refused as a likely duplicate.
_paper_numbers = itertools.count(125)


def paper_form(world, **extra) -> dict:
    data = {
        "organization_id": world.b.org.id, "sender_name": "Sở Nội vụ thành phố Hà Nội", "number_symbol": f"{next(_paper_numbers)}/SNV-VP",
        "issued_date": "2026-03-02", "doc_type": "CV", "subject": "Về việc rà soát biên chế năm 2026",
        "file": pdf_upload("scan.pdf"),
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def post_draft(api, world, **extra):
    return api.post("/api/v1/documents", draft_form(world, **extra), multipart=True)


def post_paper(api, world, **extra):
    return api.post("/api/v1/incoming/paper", paper_form(world, **extra), multipart=True)


ENDPOINTS = {
    "draft": (post_draft, "a", "specialist"),
    "paper": (post_paper, "b", "clerk"),
}


@pytest.fixture(params=sorted(ENDPOINTS))
def poster(request, world, api_as):
    """Posts to one of the two upload endpoints as the person who may use it."""
    post, side, role = ENDPOINTS[request.param]
    api = api_as(getattr(getattr(world, side), role))
    # One good request first, so that "nothing written" is checked against a non-empty store.
    assert post(api, world).status_code == 201
    return lambda **extra: post(api, world, **extra)


# --- files -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name,data,ctype", [
    ("anh.png", png_bytes(), "image/png"),
    ("anh-doi-ten.pdf", png_bytes(), "application/pdf"),  # the claimed type does not matter
    ("ghichu.txt", "Công văn số 12 về việc họp chi bộ".encode(), "text/plain"),
    ("vanban.docx", b"PK\x03\x04" + b"\x00" * 200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_a_file_that_is_not_a_pdf_is_refused_with_415(poster, name, data, ctype):
    with Unchanged():
        err = assert_error(poster(file=pdf_upload(name, data, ctype)), 415, "not_pdf")
    assert "PDF" in err["message"]


def _truncated() -> bytes:
    good = f.pdf_bytes("Văn bản bị cắt cụt", pages=2)
    return good[: len(good) // 2]


@pytest.mark.parametrize("data", [
    pytest.param(_truncated(), id="truncated"),
    pytest.param(b"%PDF-1.7\n" + bytes(range(256)) * 40, id="garbage-after-header"),
    pytest.param(b"%PDF-", id="header-only"),
    pytest.param(b"%PDF-1.4\n%%EOF\n", id="no-objects"),
])
def test_a_corrupt_pdf_is_refused_with_422(poster, data):
    with Unchanged():
        assert_error(poster(file=pdf_upload("hong.pdf", data)), 422, "corrupt_pdf")


def test_an_encrypted_pdf_is_refused_with_422(poster):
    with Unchanged():
        err = assert_error(poster(file=pdf_upload("matkhau.pdf", encrypted_pdf())), 422, "encrypted_pdf")
    assert "mật khẩu" in err["message"]


def test_an_empty_file_is_refused_with_400(poster):
    with Unchanged():
        assert_error(poster(file=pdf_upload("rong.pdf", b"")), 400, "empty_file")


def test_a_file_over_the_size_limit_is_refused_with_413(poster, settings):
    settings.MAX_UPLOAD_MB = 1
    settings.MAX_UPLOAD_BYTES = 20_000
    big = make_pdf([[f"Dòng thứ {i} của một văn bản dài về công tác tổ chức"] * 40 for i in range(30)])
    assert len(big) > settings.MAX_UPLOAD_BYTES
    with Unchanged():
        assert_error(poster(file=pdf_upload("lon.pdf", big)), 413, "file_too_large")


@pytest.mark.parametrize("marking", ["MẬT", "TỐI MẬT", "TUYỆT MẬT", "Độ mật: Tối mật"])
def test_a_pdf_stamped_classified_is_refused_pointing_to_the_cipher_channel(poster, marking):
    stamped = make_pdf([["ĐẢNG CỘNG SẢN VIỆT NAM", marking, "Số 12-CV/ĐU", "Về việc công tác bảo vệ chính trị nội bộ"]])
    with Unchanged():
        err = assert_error(poster(file=pdf_upload("mat.pdf", stamped)), 422, "classified_document")
    assert "kênh cơ yếu" in err["message"]


def test_mat_in_running_text_is_not_a_stamp(poster):
    # "mật" in running text is fine, on the first page as on the second.
    text = make_pdf([["Về việc giữ gìn bí mật nhà nước trong công tác văn thư"], ["Quy chế bảo mật của cơ quan"]])
    r = poster(file=pdf_upload("thuong.pdf", text))
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("value", ["mat", "toi_mat", "tuyet_mat", "TUYET_MAT"])
def test_a_classified_confidentiality_field_is_refused(poster, value):
    with Unchanged():
        err = assert_error(poster(confidentiality=value), 422, "classified_document")
    assert "kênh cơ yếu" in err["message"]


def test_an_unknown_confidentiality_value_is_refused_as_possibly_classified(poster):
    # An allow-list: a marking the rule does not know could be a classified one.
    with Unchanged():
        err = assert_error(poster(confidentiality="bi_mat_rieng"), 422, "classified_document")
    assert "kênh cơ yếu" in err["message"]


@pytest.mark.parametrize("bad", [
    pytest.param(lambda: pdf_upload("phuluc.png", png_bytes(), "image/png"), id="not-pdf"),
    pytest.param(lambda: pdf_upload("phuluc.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50), id="corrupt"),
    pytest.param(lambda: pdf_upload("phuluc.pdf", encrypted_pdf()), id="encrypted"),
    pytest.param(lambda: pdf_upload("phuluc.pdf", make_pdf([["TUYỆT MẬT", "Phụ lục"]])), id="classified"),
    pytest.param(lambda: pdf_upload("phuluc.pdf", b""), id="empty"),
])
def test_one_bad_attachment_refuses_the_whole_draft(world, api_as, bad):
    api = api_as(world.a.specialist)
    good = pdf_upload("phuluc1.pdf", f.pdf_bytes("Phụ lục một"))
    with Unchanged():
        r = post_draft(api, world, attachments=[good, bad()])
        assert r.status_code in (400, 415, 422), r.content
        assert_error(r, r.status_code)


# --- fields ------------------------------------------------------------------------------------

def test_unknown_recipient_ids_are_refused_and_named(world, api_as):
    api = api_as(world.a.specialist)
    with Unchanged():
        err = assert_error(post_draft(api, world, recipient_ids=[world.b.org.id, 987654]), 422, "unknown_recipients")
    assert err["details"]["recipient_ids"] == [987654]


def test_the_issuer_cannot_be_its_own_recipient(world, api_as):
    api = api_as(world.a.specialist)
    with Unchanged():
        assert_error(post_draft(api, world, recipient_ids=[world.a.org.id]), 422, "recipient_is_issuer")


def test_an_unknown_document_type_is_refused(poster):
    with Unchanged():
        err = assert_error(poster(doc_type="XYZ"), 422, "unknown_document_type")
    assert err["details"]["field"] == "doc_type"


@pytest.mark.parametrize("urgency", ["rat_khan", "KHAN", ""])
def test_an_unknown_urgency_is_refused(poster, urgency):
    if urgency == "":
        # An empty form field means "not chosen": the default (thường) applies.
        assert poster(urgency=urgency).status_code == 201
        return
    with Unchanged():
        assert_error(poster(urgency=urgency), 422, "invalid_urgency")


@pytest.mark.parametrize("subject", ["", "   \n\t  ", "x" * 2001])
def test_an_empty_or_overlong_subject_is_refused(poster, subject):
    with Unchanged():
        r = poster(subject=subject)
        assert r.status_code == 422, r.content
        assert_error(r, 422)


def test_missing_fields_are_named(world, api_as):
    api = api_as(world.a.specialist)
    with Unchanged():
        r = api.post("/api/v1/documents", {"organization_id": world.a.org.id}, multipart=True)
        err = assert_error(r, 422, "validation_error")
    missing = {e["field"] for e in err["details"]["errors"] if e["type"] == "missing"}
    assert {"doc_type", "subject", "file"} <= missing
    assert "doc_type" in err["message"] and "subject" in err["message"]


def test_missing_paper_fields_are_named(world, api_as):
    api = api_as(world.b.clerk)
    with Unchanged():
        r = api.post("/api/v1/incoming/paper", {"organization_id": world.b.org.id, "file": pdf_upload()}, multipart=True)
        err = assert_error(r, 422, "validation_error")
    missing = {e["field"] for e in err["details"]["errors"] if e["type"] == "missing"}
    assert {"sender_name", "number_symbol", "issued_date", "doc_type", "subject"} <= missing


@pytest.mark.parametrize("field,value", [
    ("organization_id", "mot"),
    ("recipient_ids", "hai"),
    ("due_date", "31/12/2026"),
    ("due_date", "2026-02-30"),
])
def test_wrong_types_in_the_draft_form_are_422(world, api_as, field, value):
    api = api_as(world.a.specialist)
    with Unchanged():
        err = assert_error(post_draft(api, world, **{field: value}), 422, "validation_error")
    assert field in {e["field"].split(".")[0] for e in err["details"]["errors"]}


@pytest.mark.parametrize("extra,code", [
    ({"issued_date": "2999-01-01"}, "issued_date_in_future"),
    ({"issued_date": "hôm qua"}, "validation_error"),
    ({"sender_name": "   "}, "sender_required"),
    ({"number_symbol": " "}, "number_symbol_required"),
    ({"sender_code": "mã sai có dấu"}, "invalid_sender_code"),
])
def test_bad_paper_fields_are_422(world, api_as, extra, code):
    api = api_as(world.b.clerk)
    with Unchanged():
        assert_error(post_paper(api, world, **extra), 422, code)


def test_no_file_on_a_paper_registration_is_named(world, api_as):
    form = paper_form(world)
    del form["file"]
    api = api_as(world.b.clerk)
    with Unchanged():
        err = assert_error(api.post("/api/v1/incoming/paper", form, multipart=True), 422, "validation_error")
    assert "file" in {e["field"] for e in err["details"]["errors"]}


def test_control_characters_and_huge_numbers_never_cause_a_server_error(world, api_as):
    api = api_as(world.a.specialist)
    with Unchanged():
        r = post_draft(api, world, subject="Về việc\x00 thử")
        assert r.status_code == 422, r.content
        assert_error(r, 422)
        r = post_draft(api, world, organization_id=str(2**70))
        assert r.status_code in (404, 422), r.content
        assert_error(r, r.status_code)
        r = post_draft(api, world, recipient_ids=[2**70])
        assert_error(r, 422)
    for path in (f"/api/v1/documents/{2**70}", f"/api/v1/incoming/{2**70}", f"/api/v1/organizations/{2**70}/members"):
        r = api.get(path)
        assert r.status_code in (404, 422), (path, r.content)
        assert_error(r, r.status_code)
    r = api.get("/api/v1/organizations", q="Sở\x00")
    assert r.status_code in (200, 422), r.content
    r = api.get("/api/v1/inbox", organization_id=2**70)
    assert r.status_code in (404, 422), r.content
    assert_error(r, r.status_code)


def test_a_file_name_with_control_characters_is_stored_clean(world, api_as):
    r = post_draft(api_as(world.a.specialist), world, file=pdf_upload("cong\x00van\x07.pdf"))
    assert r.status_code == 201, r.content
    name = r.json()["files"][0]["name"]
    assert "\x00" not in name and "\x07" not in name


# --- JSON endpoints ----------------------------------------------------------------------------

@pytest.fixture
def arrived(world):
    a = world.a
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org])
    return f.delivery_to(doc, world.b.org)


@pytest.fixture
def accepted(world, arrived):

    return actions.accept_delivery(arrived, user=world.b.clerk)


def _raw_post(api, path: str, body: bytes, content_type: str = "application/json"):
    return api.client.post(path, body, content_type=content_type, headers=api.headers)


@pytest.mark.parametrize("body", [b"{not json", b'{"reason": "thi', "{\"reason\": \"Sai nơi nhận\"".encode(), b"\xff\xfe\x00{"])
def test_a_malformed_json_body_is_400(world, api_as, arrived, body):
    api = api_as(world.b.clerk)
    with Unchanged():
        assert_error(_raw_post(api, f"/api/v1/inbox/{arrived.id}/reject", body), 400, "malformed_body")
        assert_error(_raw_post(api, "/api/v1/auth/token", body), 400, "malformed_body")
        assert_error(_raw_post(api, f"/api/v1/incoming/{arrived.id}/assign", body), 400, "malformed_body")


@pytest.mark.parametrize("body", [b"[1, 2]", b'"Sai noi nhan"', b"null", b"42"])
def test_a_json_body_that_is_not_an_object_is_refused(world, api_as, arrived, body):
    api = api_as(world.b.clerk)
    with Unchanged():
        r = _raw_post(api, f"/api/v1/inbox/{arrived.id}/reject", body)
        assert r.status_code in (400, 422), r.content
        assert_error(r, r.status_code)


def test_reject_without_a_reason_is_422_and_names_the_field(world, api_as, arrived):
    api = api_as(world.b.clerk)
    with Unchanged():
        err = assert_error(api.post(f"/api/v1/inbox/{arrived.id}/reject", {}), 422, "validation_error")
        assert "reason" in err["message"]
        assert_error(api.post(f"/api/v1/inbox/{arrived.id}/reject", {"reason": "   "}), 422, "reason_required")
        assert_error(api.post(f"/api/v1/inbox/{arrived.id}/reject", {"reason": 12}), 422, "validation_error")


@pytest.mark.parametrize("payload,code", [
    ({}, "validation_error"),
    ({"main_handler_id": "mot"}, "validation_error"),
    ({"main_handler_id": 1, "co_handler_ids": "2,3"}, "validation_error"),
    ({"main_handler_id": 1, "deadline": "31/12/2099"}, "validation_error"),
    ({"main_handler_id": 987654}, "unknown_handlers"),
])
def test_bad_assignments_are_422(world, api_as, accepted, payload, code):
    api = api_as(world.b.leader)
    with Unchanged():
        assert_error(api.post(f"/api/v1/incoming/{accepted.id}/assign", payload), 422, code)


def test_assigning_someone_of_another_organisation_is_422(world, api_as, accepted):
    api = api_as(world.b.leader)
    with Unchanged():
        err = assert_error(api.post(f"/api/v1/incoming/{accepted.id}/assign", {
            "main_handler_id": world.b.specialist.id, "co_handler_ids": [world.c.specialist.id],
        }), 422, "unknown_handlers")
    assert err["details"]["user_ids"] == [world.c.specialist.id]


def test_a_deadline_in_the_past_is_422(world, api_as, accepted):
    api = api_as(world.b.leader)
    with Unchanged():
        assert_error(api.post(f"/api/v1/incoming/{accepted.id}/assign", {
            "main_handler_id": world.b.specialist.id, "deadline": "2001-01-01",
        }), 422, "deadline_in_past")


def test_bad_recipients_update_is_refused(world, api_as):
    a = world.a
    doc = f.draft(a.org, a.specialist, [world.b.org])
    api = api_as(a.specialist)
    with Unchanged():
        assert_error(api.put(f"/api/v1/documents/{doc.id}/recipients", {"recipient_ids": [world.c.org.id, 55555]}), 422, "unknown_recipients")
        assert_error(api.put(f"/api/v1/documents/{doc.id}/recipients", {"recipient_ids": "tat ca"}), 422, "validation_error")
        assert_error(api.put(f"/api/v1/documents/{doc.id}/recipients", {}), 422, "validation_error")
    assert list(doc.recipients.values_list("id", flat=True)) == [world.b.org.id]


@pytest.mark.parametrize("path,params", [
    ("/api/v1/inbox", {}),
    ("/api/v1/inbox", {"organization_id": "abc"}),
    ("/api/v1/inbox", {"organization_id": "B", "status_code": "99"}),
    ("/api/v1/incoming", {"organization_id": "B", "limit": "nhieu"}),
    ("/api/v1/documents", {"organization_id": "B", "status": "lost"}),
    ("/api/v1/organizations", {"parent_id": "goc"}),
])
def test_bad_query_parameters_are_422(world, api_as, path, params):
    params = {k: (world.b.org.id if v == "B" else v) for k, v in params.items()}
    assert_error(api_as(world.b.clerk).get(path, **params), 422, "validation_error")


def test_a_malformed_file_id_is_refused(world, api_as):
    api = api_as(world.a.clerk)
    assert_error(api.get("/api/v1/files/" + "Z" * 64), 422, "invalid_file_id")
    assert_error(api.get("/api/v1/files/abc"), 422, "invalid_file_id")
    assert_error(api.get("/api/v1/files/" + "0" * 64), 404, "file_not_found")


# --- every endpoint, junk in every slot ------------------------------------------------------------

JUNK_SCALARS = ["abc", "-1", "0", str(2**70), "\x00", ""]
JUNK_BODIES = [b"", b"{", b"[]", b"null", b'"x"', b'{"x": 1}', b"\xff\xfe"]


def _operations():

    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield method, path, op


def _junk_body_for(op) -> list[bytes]:
    """Junk bodies, plus a body with every schema field of the wrong type."""
    content = op.get("requestBody", {}).get("content", {})
    bodies = list(JUNK_BODIES)
    js = content.get("application/json", {}).get("schema")
    if js:

        ref = js.get("$ref", "")
        props = api.get_openapi_schema()["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
        import json as _json

        for bad in ({k: [{"x": 1}] for k in props}, {k: 2**70 for k in props}, {k: "\x00" for k in props}):
            bodies.append(_json.dumps(bad).encode())
    return bodies


def test_no_endpoint_answers_500_to_junk(world, api_as):
    """Every operation in the OpenAPI schema, with junk in its path, query and body: never a 500,
    and every refusal is the one error object."""
    person = f.make_user(world.a.org, "clerk", "leader", "specialist", "admin")
    api = api_as(person)
    doc = f.issued(world.a.org, specialist=world.a.specialist, leader=world.a.leader, clerk=world.a.clerk, recipients=[world.b.org])
    real_ids = [str(doc.id), str(world.a.org.id)]
    failures = []

    def check(method: str, url: str, **kw):
        r = getattr(api.client, method)(url, headers=api.headers, **kw)
        if r.status_code >= 500:
            failures.append((method, url, kw.get("data", b"")[:80] if isinstance(kw.get("data"), bytes) else "", r.status_code, r.content[:200]))
        elif r.status_code >= 400:
            try:
                body = r.json()
                ok = set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"])
            except ValueError:
                ok = False
            if not ok:
                failures.append((method, url, "not the error object", r.status_code, r.content[:200]))

    from urllib.parse import quote

    for method, path, op in _operations():
        path_params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
        query_params = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
        values = JUNK_SCALARS + real_ids if path_params else [None]
        for v in values:
            url = path
            for name in path_params:
                url = url.replace("{" + name + "}", quote(v, safe=""))
            if method == "get":
                check("get", url)
                if v in (None, real_ids[0]):
                    for q in query_params:
                        for junk in JUNK_SCALARS:
                            check("get", url, data={q: junk})
            elif "multipart/form-data" in op.get("requestBody", {}).get("content", {}):
                check(method, url, data={})
                check(method, url, data={"organization_id": "x", "file": "not a file"})
                check(method, url, data={"organization_id": world.a.org.id, "file": pdf_upload("x.pdf", b"%PDF-1.4 junk")})
            else:
                for body in _junk_body_for(op):
                    check(method, url, data=body, content_type="application/json")
    assert not failures, "\n".join(map(str, failures[:40]))


# --- requests Django itself refuses ----------------------------------------------------------------

def test_an_oversized_json_body_is_413(world, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    api = api_as(world.a.clerk)
    with Unchanged():
        body = b'{"username": "' + b"a" * 20_000 + b'", "password": "x"}'
        assert_error(_raw_post(api, "/api/v1/auth/token", body), 413, "request_too_large")


def test_too_many_fields_is_400_and_too_many_files_is_413(world, api_as, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 5
    api = api_as(world.a.specialist)
    with Unchanged():
        assert_error(post_draft(api, world, recipient_ids=list(range(1, 80))), 400, "too_many_fields")
        attachments = [pdf_upload(f"phuluc{i}.pdf") for i in range(8)]
        err = assert_error(post_draft(api, world, attachments=attachments), 413, "too_many_files")
    assert "5" in err["message"]


def test_a_broken_multipart_body_is_400(world, api_as):
    api = api_as(world.a.specialist)
    with Unchanged():
        assert_error(_raw_post(api, "/api/v1/documents", b"abc", "multipart/form-data"), 400, "malformed_body")
        r = _raw_post(api, "/api/v1/documents", b"--xx\r\nbroken", "multipart/form-data; boundary=xx")
        assert_error(r, 422, "validation_error")


def test_an_unknown_api_path_gets_the_error_object(world, api_as):
    api = api_as(world.a.clerk)
    for path in ("/api/v1/khong-co", "/api/v1/documents//submit", "/api/v1/inbox/1/2/3"):
        assert_error(api.get(path), 404, "unknown_endpoint")
        assert_error(api.post(path), 404, "unknown_endpoint")
