"""The server `vanthu bench load` runs: VanThu's WSGI application, plus one bare endpoint.

`GET /bench/bare/inbox?organization_id=…&limit=…&offset=…` with `Authorization: Bearer …` does
what `GET /api/v1/inbox` does, written the way a bare WSGI application would: find the token's
owner (one SQL statement), check the membership (one), read the page of deliveries with their
documents and issuers and the count (one), write the items as JSON. No Django request, no
middleware, no ORM: the driver's cursor of the same database connection, in the same gunicorn
processes and threads, so that the load benchmark compares the same work over the same sockets.

Every other path goes to VanThu's application unchanged (`vanthu.web.wsgi`, as `vanthu serve`
runs it). Not imported by the benchmark runner (see `runner.NOT_SCENARIOS`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from typing import Any
from urllib.parse import parse_qs

from django.apps import apps
from django.db import connection
from django.utils import timezone

# First: importing VanThu's application sets Django up, which the models (looked up by name
# below, so that no model import precedes it) and the load module need.
from vanthu.web.wsgi import application as vanthu_application

from .load import BARE_INBOX


@cache
def _statements() -> dict[str, str]:
    t = {key: apps.get_model(label)._meta.db_table for key, label in (
        ("tok", "accounts.ApiToken"), ("mem", "organizations.Membership"), ("d", "documents.Delivery"),
        ("doc", "documents.Document"), ("ty", "documents.DocumentType"), ("org", "organizations.Organization"))}
    mark = "?" if connection.vendor == "sqlite" else "%s"
    return {
        "token": f"SELECT user_id FROM {t['tok']} WHERE key_hash = {mark} AND revoked_at IS NULL AND expires_at > {mark}",
        "member": f"SELECT 1 FROM {t['mem']} m JOIN {t['org']} o ON o.id = m.organization_id"
                  f" WHERE m.user_id = {mark} AND m.organization_id = {mark} AND o.is_active",
        "page": (
            f"SELECT (SELECT COUNT(*) FROM {t['d']} WHERE recipient_id = {mark}),"
            " d.id, d.status_code, d.source, d.incoming_number, d.arrived_at, d.updated_at, d.deadline,"
            " doc.id, doc.symbol, doc.subject, ty.code, doc.urgency, doc.issuer_id, iss.code, iss.name,"
            " doc.external_issuer_code, doc.external_issuer_name, doc.issued_at, doc.issued_date, doc.due_date"
            f" FROM {t['d']} d JOIN {t['doc']} doc ON doc.id = d.document_id JOIN {t['ty']} ty ON ty.id = doc.doc_type_id"
            f" LEFT JOIN {t['org']} iss ON iss.id = doc.issuer_id"
            f" WHERE d.recipient_id = {mark} ORDER BY d.arrived_at DESC, d.id DESC LIMIT {mark} OFFSET {mark}"
        ),
    }


def _text(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _answer(start_response, status: str, body: dict) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def bare_inbox(environ: dict, start_response) -> Iterable[bytes]:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        org_id = int(query["organization_id"][0])
        limit = max(1, min(int(query.get("limit", ["50"])[0]), 200))
        offset = max(0, int(query.get("offset", ["0"])[0]))
    except (KeyError, ValueError):
        return _answer(start_response, "422 Unprocessable Entity", {"error": {"code": "invalid"}})
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if not auth.startswith("Bearer "):
        return _answer(start_response, "401 Unauthorized", {"error": {"code": "unauthorized"}})
    sql = _statements()
    connection.ensure_connection()
    cur = connection.connection.cursor()
    try:
        cur.execute(sql["token"], [hashlib.sha256(auth[7:].encode()).hexdigest(), _db_time(timezone.now())])
        row = cur.fetchone()
        if row is None:
            return _answer(start_response, "401 Unauthorized", {"error": {"code": "unauthorized"}})
        cur.execute(sql["member"], [row[0], org_id])
        if cur.fetchone() is None:
            return _answer(start_response, "404 Not Found", {"error": {"code": "organization_not_found"}})
        cur.execute(sql["page"], [org_id, org_id, limit, offset])
        rows = cur.fetchall()
    finally:
        cur.close()
    items = [{
        "id": r[1], "status_code": r[2], "source": r[3], "incoming_number": r[4], "arrived_at": _text(r[5]),
        "updated_at": _text(r[6]), "deadline": _text(r[7]),
        "document": {"id": r[8], "symbol": r[9], "subject": r[10], "doc_type": r[11], "urgency": r[12],
                     "issuer": {"id": r[13], "code": r[14], "name": r[15]} if r[13] else {"id": None, "code": r[16], "name": r[17]},
                     "issued_at": _text(r[18]), "issued_date": _text(r[19]), "due_date": _text(r[20])},
    } for r in rows]
    return _answer(start_response, "200 OK", {"items": items, "count": rows[0][0] if rows else 0})


def _db_time(value):
    # SQLite's columns hold naive UTC text, as Django writes them.
    return str(value.replace(tzinfo=None)) if connection.vendor == "sqlite" else value


def application(environ: dict, start_response) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == BARE_INBOX:
        return bare_inbox(environ, start_response)
    return vanthu_application(environ, start_response)
