"""Nothing leaks across organisations, through any operation of the API (ARCHITECTURE invariant 4).

Generated from `/api/v1/openapi.json`, so that an endpoint is covered the day it is added:
- an operation that takes an object (a path parameter) or an organisation (`organization_id` in
  the query or the body) is called, for every object of A and B of that kind and for A and B, by
  people of an unrelated organisation, of the parent and of a child organisation, with each role
  and with every role at once: it must answer 404 or 403 with the error object, write nothing and
  name nothing of A's or B's;
- an operation that lists (a GET taking neither) is called by them too, and so is every GET that
  takes an organisation with their own: the answer must name nothing of A's or B's (ids by kind in
  `items` and everywhere else, and MARK, file digests and message ids anywhere in the text);
- an operation that fits none of these fails the coverage test until it is exempted by name, with
  the reason, below. Where the rules do differ for a relation and a role (an inspector of the
  parent sees the subtree's figures) the difference is declared by name too, and then checked.
The control test shows that the same generated requests reach those objects for A's and B's own
people: a refusal above is about who asks, not about a request that names nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from vanthu.audit.models import AuditEntry, AuditHead, ChainCheck
from vanthu.documents import storage
from vanthu.documents.models import Delivery
from vanthu.membership.importing import COLUMNS, XLSX
from vanthu.signatures import ca
from vanthu.signatures.signers import forget_signers
from vanthu.signatures.tests import pki
from vanthu.signatures.verify import forget_trust
from vanthu.testing import factories as f

from .operations import PUBLIC_KINDS, Operation, Schema, Upload, build_calls, references, send
from .world import MARK, RELATIONS, ROLE_SETS, Persona, World, build

# --- the rules, by operation name ------------------------------------------------------------------

# Operations that take neither an object nor an organisation and list nothing: each with the reason
# it cannot leak. Nothing else may be left out.
EXEMPT = {
    "vanthu_accounts_api_create_token": "signing in: takes a name and a password, names no one's object",
    "vanthu_accounts_api_revoke_token": "revokes one of the caller's own tokens; another person's is 404 (accounts/tests/test_auth.py)",
    "vanthu_accounts_api_sign_out_all": "ends the caller's own sessions and tokens, no one else's",
    "vanthu_notifications_api_read_all": "marks the caller's own notifications read, no one else's",
    "vanthu_notifications_api_put_preferences": "the caller's own notification preferences",
    "vanthu_accounts_api_change_own_password": "changes the caller's own password, checked against the current one; names no one else",
    "vanthu_signatures_api_verify_upload": "checks the PDF sent with the request; reads and stores nothing",
    "vanthu_programme_api_verify_certificate": "confirms a training certificate by the unguessable code printed on it, "
                                               "for whoever holds the paper (programme/tests: a forged code is 404)",
}
# Installation-wide powers: no one of any organisation here holds them, whatever their roles.
INSTALLATION_WIDE = {
    "vanthu_signatures_api_list_trust_roots": "the trust roots of the whole installation",
    "vanthu_signatures_api_add_trust_root": "a new trust root for every organisation's signatures",
}
# Operations whose organisation is a filter on the caller's own organisations, not a door:
# another's id gives an empty answer, and the answer is checked to name nothing of A's or B's.
ORG_FILTERS = {
    "vanthu_search_api_search": "organization_id narrows a search to one of the person's own organisations; any other finds nothing (search/service.py)",
    "vanthu_direction_api_list_tasks": "organization_id narrows the tasks the person sees to one lead organisation (direction/access.py)",
    "vanthu_direction_api_list_directives": "organization_id narrows the directives the person follows to one directing organisation",
}
# Where the rules differ: (operation, relation, role) allowed to reach A's and B's objects, and why.
RULES_DIFFER = {
    ("vanthu_reports_api_summary", "parent", "inspector"): "an inspector sees the figures of the organisation's subtree (reports/access.py)",
    ("vanthu_reports_api_ranking", "parent", "inspector"): "an inspector ranks the organisations of the subtree (reports/access.py)",
    ("vanthu_organizations_api_list_members", "parent", "admin"): "administration covers the organisation's subtree (issue 15 §5)",
    ("vanthu_accounts_api_set_password", "parent", "admin"): "an administrator resets the passwords of the subtree's people (issue 15 §5)",
    **{(f"vanthu_programme_api_{op}", "parent", "inspector"): "the office (an inspector above) runs the programme of the subtree "
       "(programme/access.py)" for op in (
        "publish_regulation", "list_regulations", "get_regulation", "remind", "create_course", "list_courses", "get_course",
        "invite", "enrol", "attendance", "result", "course_use", "get_plan", "put_plan", "plan_inspection", "list_inspections",
        "get_inspection", "put_scores", "sign_off", "add_recommendation", "close_recommendation", "start_review",
        "get_inventory", "get_measures")},
}
# Leaks the test finds today that another change fixes (issue 15 §5: `is_admin()` ignores which
# organisation the role is in). Pinned, not exempted: each must still fail here, so that the day it
# is fixed this test says to remove it. (operation, relation) for a person holding the admin role.
_ADMIN_ANYWHERE = "an admin of any organisation administers the whole installation (issue 15 §5)"
KNOWN_ADMIN_SCOPE_LEAKS: dict[tuple[str, str], str] = {}  # none left: administration is scoped (issue 15 §5)


def rule_of(op: Operation) -> str | None:
    if op.id in EXEMPT:
        return "exempt"
    if op.id in INSTALLATION_WIDE:
        return "installation"
    if op.id in ORG_FILTERS:
        return "filter"
    if op.path_params:
        return "object"
    if op.org_in:
        return "organization"
    if op.method == "get":
        return "list"
    return None


def differs(op: Operation, p: Persona) -> str | None:
    return next((RULES_DIFFER[k] for r in p.roles if (k := (op.id, p.relation, r)) in RULES_DIFFER), None)


# --- the world, once for the module ----------------------------------------------------------------

@pytest.fixture(scope="module")
def api_schema(django_db_setup, django_db_blocker) -> Schema:
    with django_db_blocker.unblock():
        r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    return Schema(r.json())


@pytest.fixture(scope="module")
def iso(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Built once (it signs, seals, exchanges and indexes), inside a transaction rolled back at the
    end; each test runs in its own savepoint, so one test's writes never reach the next."""
    forget_signers()  # the signers and trust cached by earlier tests name rows rolled back since
    forget_trust()
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
    forget_signers()
    forget_trust()


@pytest.fixture(scope="module")
def hints(iso: World) -> dict[str, dict]:
    """Bodies the schema cannot describe: a certificate to trust, a PKCS#12 file to import."""
    root = ca.make_root("Gốc kiểm tra quyền", kind="ec")
    cert, key = pki.leaf(root, "Người ký kiểm tra", org="Cơ quan kiểm tra")
    p12 = pkcs12.serialize_key_and_certificates(b"x", key, cert, [root.certificate],
                                                serialization.BestAvailableEncryption(b"matkhau"))
    pem = ca.make_root("Gốc tin cậy kiểm tra", kind="ec").certificate.public_bytes(serialization.Encoding.PEM).decode()
    arch = iso.archive
    return {
        "vanthu_archive_api_prepare_handover": {"year": arch.handover_year, "case_file_ids": arch.handover_case_file_ids},
        "vanthu_archive_api_dispose": {"decision_id": arch.decision_id, "case_file_ids": arch.expired_case_file_ids},
        "vanthu_signatures_api_add_trust_root": {"json": {"pem": pem, "name": "Gốc tin cậy kiểm tra"}},
        "vanthu_signatures_api_import_certificate": {"file": Upload("kiemtra.p12", p12, "application/x-pkcs12"), "password": "matkhau"},
        "vanthu_direction_api_create_directive": {"tasks": [{"organization_id": iso.a.org.id, "content": "Nhiệm vụ kiểm tra",
                                                             "working_days": 5}]},
        "vanthu_direction_api_ask_extension": {"due": (timezone.localdate() + dt.timedelta(days=400)).isoformat()},
        "vanthu_direction_api_send_back": {"note": "Trả lại để kiểm tra"},
        "vanthu_membership_api_import_members": {"file": Upload("dangvien.xlsx", _member_file(iso), XLSX)},
        # A's documents are submitted for A's leader to sign: the insider, also a leader, stands in.
        "vanthu_documents_api_approve": {"json": {"stand_in": True}},
        # The insider, a signing leader of A, names A's leader (refused in B, where they are no leader).
        "vanthu_documents_api_create_delegation": {"deputy_id": iso.a.leader.id, "form": "K/T"},
        # Every arrival at A and B, accepted where it still waits (the others are listed as failed).
        "vanthu_documents_api_accept_many": {"delivery_ids": list(Delivery.objects.filter(recipient_id__in=iso.victim_org_ids)
                                                                  .order_by("id").values_list("id", flat=True))},
        "vanthu_direction_schedule_api_answer": {"state": "absent", "note": "Trùng lịch"},
        "vanthu_direction_schedule_api_create_meeting": {"invited_ids": [iso.b.org.id]},
        "vanthu_membership_api_import_rankings": {"file": Upload("xeploai.xlsx", _ranking_file(), XLSX)},
        "vanthu_membership_api_create_member": {"full_name": f"Hoàng Văn {MARK}", "gender": "male", "birth_date": "1981-02-03",
                                                "card_number": "93000001", "admitted_on": "2006-04-05"},
        "vanthu_membership_api_set_status": {"status": "deceased"},
    }


def _ranking_file() -> bytes:
    """A grade for A's first member (card 91000000 in world.py): reached by A's officers only."""
    wb = Workbook()
    wb.active.append(["Số thẻ đảng viên", "Họ và tên", "Xếp loại"])
    wb.active.append(["91000000", f"Nguyễn Văn {MARK}", "HTTNV"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _member_file(w: World) -> bytes:
    """One clean row for A: the import reaches A for A's officers, and no one else."""
    wb = Workbook()
    wb.active.append(list(COLUMNS))
    wb.active.append([f"Phạm Văn {MARK}", "02/01/1980", "Nam", "92000001", "04/03/2005", "", w.a.org.code, "Kinh", "Đại học", "Sơ cấp"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def values_for(w: World) -> dict:
    """Required fields the schema's types cannot fill by themselves."""
    return {"recipient_ids": [w.b.org.id], "main_handler_id": w.b.specialist.id, "doc_type": "CV",
            "person_id": w.b.specialist.id,  # a document shared with a person of B (need to know)
            "number_symbol": "15/KT", "q": MARK, "year": timezone.localdate().year, "agree": True,
            "days": 5, "start": timezone.localdate(), "end": timezone.localdate(), "progress": 50,
            "to_organization_id": w.b.org.id, "grade": "good",
            # the programme's (vanthu/programme): a person B sent to A's course, scores none or in range
            "target_org_ids": [w.b.org.id], "audience": "clerks", "status": "present", "user_id": w.b.specialist.id,
            "score": 8, "attendees": 10, "planned": 3, "quota": 2, "scores": {},
            # the archive's
            "code": "KT.01", "retention": "05", "document_id": w.archive.document_id, "item_ids": w.archive.item_ids,
            "starts_at": timezone.now().isoformat()}


# --- checks ------------------------------------------------------------------------------------------

def snapshot() -> dict[str, list]:
    """Every row of every table, but for the refusals the audit log records (and the chain's head
    and checks they move): a refused request may log that it was refused, and nothing else.
    Read with plain statements: the ORM's cost, times every operation, would dominate the test."""
    rows = {}
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        for model in apps.get_models():
            if model in (AuditHead, ChainCheck):
                continue
            where = f" WHERE {qn('action')} <> 'permission_denied'" if model is AuditEntry else ""
            cur.execute(f"SELECT * FROM {qn(model._meta.db_table)}{where} ORDER BY {qn(model._meta.pk.column)}")
            rows[model._meta.label] = cur.fetchall()
    return rows


def changed(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return [f"{label}: {len(before[label])} → {len(after[label])} rows" for label in before if before[label] != after[label]]


def body_of(r) -> bytes:
    return b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content


def named(w: World, api_schema: Schema, op: Operation, r) -> list[str]:
    """What of A's and B's the answer names, and any id whose kind the test cannot tell."""
    body = body_of(r)
    out = [f"contains {t!r}" for t in w.secret_texts if t.encode() in body]
    if r.get("Content-Type", "").startswith("application/json"):
        spec = op.response if 200 <= r.status_code < 300 else None
        for kind, fld, value in references(api_schema, r.json(), spec):
            if kind in w.secret_ids:
                if value in w.secret_ids[kind]:
                    out.append(f"names {kind} {value} ({fld})")
            elif kind not in PUBLIC_KINDS:
                out.append(f"names {fld}={value}, of a kind this test does not know ({kind}): add it to operations.ID_KINDS/REF_KINDS")
    return out


def refusal_problems(r) -> list[str]:
    if r.status_code not in (403, 404):
        return [f"answered {r.status_code}, not 403/404: {body_of(r)[:300]!r}"]
    try:
        error = r.json()["error"]
        assert error["code"] and error["message"]
    except (ValueError, KeyError, TypeError, AssertionError):
        return [f"answered {r.status_code} without the error object: {r.content[:200]!r}"]
    return []


# --- the tests ---------------------------------------------------------------------------------------

def test_every_operation_is_checked_or_exempted_by_name_with_a_reason(api_schema):
    ops = api_schema.operations()
    unhandled = [str(op) for op in ops if rule_of(op) is None]
    assert not unhandled, (
        "These operations take no object nor organisation and list nothing, so the isolation test cannot "
        f"check them: exempt each by name in EXEMPT with the reason it cannot leak: {unhandled}")
    names = {op.id for op in ops}
    declared = set(EXEMPT) | set(INSTALLATION_WIDE) | set(ORG_FILTERS) | {k[0] for k in RULES_DIFFER} | {
        k[0] for k in KNOWN_ADMIN_SCOPE_LEAKS}
    assert declared <= names, f"rules for operations that no longer exist: {sorted(declared - names)}"
    reasons = [*EXEMPT.values(), *INSTALLATION_WIDE.values(), *ORG_FILTERS.values(), *RULES_DIFFER.values(),
               *KNOWN_ADMIN_SCOPE_LEAKS.values()]
    assert all(len(r) > 20 for r in reasons), "every exemption says why"
    # The generic rules really cover most of the API: a rename must not quietly empty them.
    assert sum(rule_of(op) in ("object", "organization") for op in ops) >= 30


@contextmanager
def undone() -> Iterator[None]:
    """Whatever the operation wrote is undone: the next one starts from the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def test_the_generated_requests_reach_every_kind_of_object_for_its_own_people(iso, api_schema, hints, db):
    """The control: A's and B's own administrator (every role in both, and the installation's) gets
    an answer from each operation, for at least one of the objects the other tests use."""
    w, client = iso, Client()
    unreached = []
    for op in api_schema.operations():
        if rule_of(op) == "exempt":
            continue
        calls = build_calls(op, path_values=w.path_values, org_ids=w.victim_org_ids, values=values_for(w),
                            upload=f.pdf_bytes("Tệp của người trong cuộc"), hint=hints.get(op.id))
        answers = []
        for c in calls:
            with undone():
                answers.append((c, send(client, w.insider_token, c)))
        broken = [(c.label, r.status_code, r.content[:200]) for c, r in answers
                  if r.status_code >= 500 or (r.status_code == 422 and r.json()["error"]["code"] == "validation_error")]
        if broken or not any(200 <= r.status_code < 300 for _c, r in answers):
            unreached.append((str(op), broken or sorted({(r.status_code, r.content[:120]) for _c, r in answers})))
    assert not unreached, "the generated requests do not reach these operations' objects:\n" + "\n".join(map(str, unreached))


def _check_refused(w, api_schema, client, p, op, calls) -> list[str]:
    allowed = differs(op, p)
    issues = []
    for call in calls:
        r = send(client, p.token, call)
        where = f"{op} [{call.label}]"
        if allowed:
            if not 200 <= r.status_code < 300:
                issues.append(f"{where}: allowed ({allowed}) but answered {r.status_code}")
            continue
        issues += [f"{where}: {i}" for i in refusal_problems(r) + named(w, api_schema, op, r)]
    return issues


def _check_lists(w, api_schema, client, p, op, calls) -> list[str]:
    issues = []
    for call in calls:
        r = send(client, p.token, call)
        where = f"{op} [{call.label}]"
        if r.status_code not in (200, 403, 404):
            issues.append(f"{where}: answered {r.status_code}: {r.content[:200]!r}")
        issues += [f"{where}: {i}" for i in named(w, api_schema, op, r)]
    return issues


@pytest.mark.parametrize("persona", [f"{rel}-{roles}" for rel in RELATIONS for roles in ROLE_SETS])
def test_no_one_of_another_organisation_reaches_or_sees_anything_of_a_and_b(iso, api_schema, hints, db, persona):
    w, p, client = iso, iso.personas[persona], Client()
    upload = f.pdf_bytes(f"Tệp của {p.key}")
    values = values_for(w)
    problems: list[tuple[str, str]] = []
    world = snapshot()  # each operation's writes are undone: each starts from (and must leave) this
    for op in api_schema.operations():
        rule = rule_of(op)
        if rule == "exempt":
            continue
        issues = []
        with undone():
            if rule in ("object", "organization", "installation"):
                calls = build_calls(op, path_values=w.path_values, org_ids=w.victim_org_ids, values=values, upload=upload,
                                    hint=hints.get(op.id))
                issues += _check_refused(w, api_schema, client, p, op, calls)
            if rule in ("list", "filter") or (rule == "organization" and op.method == "get"):
                orgs = p.own_org_ids + (w.victim_org_ids if rule == "filter" else [])
                calls = build_calls(op, path_values=w.path_values, org_ids=orgs, values=values, upload=upload, hint=hints.get(op.id))
                if op.org_in == "query" and not op.query["organization_id"][0]:
                    calls += build_calls(op, path_values=w.path_values, org_ids=None, values=values, upload=upload)
                issues += _check_lists(w, api_schema, client, p, op, calls)
            if (diff := changed(world, snapshot())) and not differs(op, p):  # allowed to act: allowed to write
                issues.append(f"{op} wrote: {diff}")
        problems += [(op.id, i) for i in issues]
    assert not storage.exists(hashlib.sha256(upload).hexdigest()), "a refused upload was stored"

    known = {op for (op, rel) in KNOWN_ADMIN_SCOPE_LEAKS if rel == p.relation} if "admin" in p.roles else set()
    leaks = [msg for op, msg in problems if op not in known]
    still = known - {op for op, _msg in problems}
    assert not leaks, f"{p.key} ({', '.join(p.roles)}) reaches or sees what is not theirs:\n" + "\n".join(leaks)
    assert not still, f"fixed, remove from KNOWN_ADMIN_SCOPE_LEAKS: {sorted(still)}"
