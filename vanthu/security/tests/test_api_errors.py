"""Every error under /api/ is the API's JSON error object, whoever refuses the request; and a
refused request is one line in the log, not a traceback.

Errors gunicorn writes itself (a request line or headers too long) are in
test_slow_and_large_requests.py, against the real server.
"""

from __future__ import annotations

import json
import logging
import sys

import pytest
from django.test import Client

from vanthu.documents.tests.test_bad_input import VIETNAMESE
from vanthu.security.logs import RefusalsOnOneLine
from vanthu.testing import factories as f


def assert_api_error(r, status: int, code: str) -> dict:
    assert r.status_code == status, (r.status_code, r.content[:300])
    assert r["Content-Type"].startswith("application/json"), (r["Content-Type"], r.content[:300])
    body = json.loads(r.content)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    err = body["error"]
    assert err["code"] == code, err
    assert any(ch in VIETNAMESE for ch in err["message"].lower()), err
    return err


@pytest.fixture
def arrived(world):
    a = world.a
    doc = f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org])
    return f.delivery_to(doc, world.b.org)


def test_every_kind_of_error_under_the_api_is_the_json_error_object(world, api_as, arrived, settings):
    api = api_as(world.b.clerk)
    c, h = api.client, api.headers
    reject = f"/api/v1/inbox/{arrived.id}/reject"

    # 405: a method the path does not take (ninja answered with plain text).
    err = assert_api_error(c.get(reject, headers=h), 405, "method_not_allowed")
    assert err["details"]["allowed"] == ["POST"]
    assert_api_error(c.generic("PROPFIND", "/api/v1/me", headers=h), 405, "method_not_allowed")
    assert c.get(reject, headers=h)["Allow"] == "POST"
    # 404: an unknown path, inside /api/v1/ and outside it (Django's HTML page before).
    assert_api_error(c.get("/api/v1/khong-co", headers=h), 404, "unknown_endpoint")
    assert_api_error(c.get("/api/v2/documents", headers=h), 404, "unknown_endpoint")
    assert_api_error(c.get("/api/", headers=h), 404, "unknown_endpoint")
    # 400: a malformed JSON body; a Host header not allowed (Django's HTML page before).
    assert_api_error(c.post(reject, b"{khong", content_type="application/json", headers=h), 400, "malformed_body")
    assert_api_error(c.get("/api/v1/me", headers={**h, "host": "ke-gia-mao.example"}), 400, "bad_request")
    # 415: a body in a type the endpoint does not read.
    err = assert_api_error(c.post(reject, b"<ly-do/>", content_type="application/xml", headers=h), 415, "unsupported_media_type")
    assert err["details"]["content_type"] == "application/xml"
    # 413: a body past Django's limit.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    assert_api_error(c.post(reject, json.dumps({"reason": "x" * 4096}), content_type="application/json", headers=h),
                     413, "request_too_large")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    # 401: no token; 403: a role that may not; 404: another organisation's object.
    assert_api_error(Client().get("/api/v1/me"), 401, "not_authenticated")
    assert_api_error(api_as(world.b.leader).post(reject, {"reason": "Sai"}), 403, "role_not_allowed")
    assert_api_error(api_as(world.outsider.clerk).post(reject, {"reason": "Sai"}), 404, "delivery_not_found")
    # 422: bad input.
    assert_api_error(api.post(reject, {"reason": "Sai\x00"}), 422, "validation_error")


def test_a_session_without_its_csrf_token_is_refused_in_json_and_in_vietnamese(world, arrived):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.b.clerk)
    r = c.post(f"/api/v1/inbox/{arrived.id}/reject", {"reason": "Sai nơi nhận"}, content_type="application/json")
    assert_api_error(r, 403, "csrf_failed")
    arrived.refresh_from_db()
    assert arrived.status_code == "01"


def test_pages_keep_their_html_error_pages(world):
    c = Client()
    c.force_login(world.a.clerk)
    r = c.get("/khong-co-trang-nay/")
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")


# --- the log -------------------------------------------------------------------------------------

def test_a_refused_request_is_one_line_in_the_log(world, capsys):
    capsys.readouterr()  # the configured console handler writes to the current stderr
    c = Client()
    c.force_login(world.outsider.specialist)
    assert c.get("/audit/").status_code == 403  # PermissionDenied: Django logged its traceback
    assert Client().get("/", headers={"host": "ke-gia-mao.example"}).status_code == 400  # a SuspiciousOperation
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["Forbidden (Permission denied): /audit/",
                     "Invalid HTTP_HOST header: 'ke-gia-mao.example'. You may need to add 'ke-gia-mao.example' to ALLOWED_HOSTS."], lines


def test_a_server_error_keeps_its_traceback():
    try:
        raise RuntimeError("hỏng thật")
    except RuntimeError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/",), exc_info=sys.exc_info(),
            extra={"status_code": 500})
    assert RefusalsOnOneLine().filter(record) and record.exc_info is not None
