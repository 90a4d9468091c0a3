"""The demo installation: a believable Bloc with a lived-in year, and every invariant kept."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.archive.models import AccessRequest, CaseFile, CaseStatus, Handover, HandoverStatus
from vanthu.audit.chain import verify
from vanthu.audit.models import AuditEntry
from vanthu.demo.seed import seed_demo
from vanthu.direction.models import Directive, Entry, Invitation, Schedule, Task
from vanthu.documents.models import (
    Delivery,
    DeliveryEvent,
    DocStatus,
    Document,
    RegisterCounter,
    StatusCode,
)
from vanthu.documents.storage import read_blob
from vanthu.migration.models import ImportRun, LegacyRecord
from vanthu.organizations.models import (
    GRASSROOTS_KINDS,
    Membership,
    Organization,
    OrgKind,
    Role,
    validate_org_code,
)
from vanthu.programme.measures import SOURCES
from vanthu.programme.models import Enrolment
from vanthu.reports.aggregates import fold_pending
from vanthu.reports.evaluation import evaluate
from vanthu.reports.figures import make_period, per_org
from vanthu.signatures import tasks as signature_tasks
from vanthu.signatures.actions import awaiting_verdict
from vanthu.signatures.tests.stamps import shown_signatures
from vanthu.signatures.verdict import documents_authenticated
from vanthu.testing.factories import IMMEDIATE_TASKS
from vanthu.testing.fixtures import ApiClient
from vanthu.workflow.models import Assignee


def test_tree_of_over_a_hundred_organisations_with_valid_codes_and_people_in_every_role(seeded):
    city = Organization.objects.get(kind=OrgKind.CITY_COMMITTEE, short_name="TU")
    bloc = Organization.objects.get(kind=OrgKind.BLOC_COMMITTEE, parent=city, short_name="ĐUK")
    offices = Organization.objects.filter(parent=bloc, kind=OrgKind.OFFICE)
    assert {o.short_name for o in offices} >= {"VPĐUK"}
    assert offices.count() >= 4
    grassroots = Organization.objects.filter(parent=bloc, kind__in=GRASSROOTS_KINDS)
    assert grassroots.count() >= 100
    assert len({o.name for o in grassroots}) == grassroots.count()
    assert {o.short_name for o in grassroots} == {"ĐU", "CB"}
    assert Organization.objects.filter(kind=OrgKind.SUB_CELL).exists()
    codes = list(Organization.objects.values_list("code", flat=True))
    assert len(set(codes)) == len(codes)
    for code in codes:
        validate_org_code(code)  # raises on an invalid code
    with pytest.raises(ValidationError):
        validate_org_code("000.00.31.h26")
    assert all(o.term_label == "2025-2030" and o.numbering_style == "party" for o in grassroots)

    # Every grassroots organisation has a clerk, a leader and two specialists.
    roles = defaultdict(lambda: defaultdict(int))
    for org_id, role in Membership.objects.values_list("organization_id", "role"):
        roles[org_id][role] += 1
    for org in Organization.objects.filter(kind__in=GRASSROOTS_KINDS):
        assert roles[org.id][Role.CLERK] >= 1, org
        assert roles[org.id][Role.LEADER] >= 1, org
        assert roles[org.id][Role.SPECIALIST] >= 2, org
    usernames = list(User.objects.values_list("username", flat=True))
    assert all(u.isascii() and u == u.lower() for u in usernames)
    assert {"vt.sotaichinh", "bt.sotaichinh", "cv1.sotaichinh", "cv2.sotaichinh", "kt.dukhoi"} <= set(usernames)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("demo")
    assert Membership.objects.filter(user=admin, role=Role.ADMIN, organization__kind=OrgKind.BLOC_COMMITTEE).exists()
    assert Membership.objects.filter(user__username="kt.dukhoi", role=Role.INSPECTOR).exists()
    dual = Membership.objects.filter(user__username="bt.thanhtra")
    assert dual.values("organization").distinct().count() == 2


def test_a_lived_in_year_in_every_state_with_gapless_numbers_ordered_times_and_a_valid_audit_chain(seeded):
    statuses = set(Document.objects.values_list("status", flat=True))
    assert {DocStatus.DRAFT, DocStatus.SUBMITTED, DocStatus.APPROVED, DocStatus.ISSUED, DocStatus.EXTERNAL} <= statuses
    codes = set(Delivery.objects.values_list("status_code", flat=True))
    assert {"01", "02", "03", "04", "05", "06"} <= codes
    assert not Delivery.objects.filter(status_code=StatusCode.REJECTED, reject_reason="").exists()
    assert Delivery.objects.filter(source="paper", incoming_number__isnull=False).exists()
    # The year looks lived in: issue dates spread over months, nothing in the future.
    now = timezone.now()
    issued = Document.objects.filter(status=DocStatus.ISSUED)
    first = issued.order_by("issued_at").first().issued_at
    assert now - first > timedelta(days=120)
    assert not issued.filter(issued_at__gt=now).exists()

    # Every document has its PDF on disk; an issued one reached exactly its recipients.
    for doc in Document.objects.prefetch_related("files__file", "recipients", "deliveries"):
        main = doc.main_file
        assert main is not None and read_blob(main.file_id)[:5] == b"%PDF-", doc.pk
        if doc.status == DocStatus.ISSUED:
            assert {o.id for o in doc.recipients.all()} == {d.recipient_id for d in doc.deliveries.all()}, doc.pk
            assert doc.symbol == f"{doc.number:02d}-{doc.doc_type.code}/{doc.issuer.short_name}"

    # Numbers are gapless per register, outgoing and incoming, and follow time.
    outgoing = defaultdict(list)
    for issuer, key, number, at in Document.objects.filter(number__isnull=False).values_list("issuer_id", "register_key", "number", "issued_at"):
        outgoing[(issuer, key)].append((at, number))
    counters = {(c.organization_id, c.key): c.last_number for c in RegisterCounter.objects.all()}
    for register, rows in outgoing.items():
        rows.sort()
        assert [n for _at, n in rows] == list(range(1, len(rows) + 1)), register
        assert counters[register] == len(rows)
    incoming = defaultdict(list)
    for rid, key, number, at in Delivery.objects.filter(incoming_number__isnull=False).values_list("recipient_id", "incoming_key", "incoming_number", "accepted_at"):
        incoming[(rid, key)].append((at, number))
    for register, rows in incoming.items():
        rows.sort()
        assert [n for _at, n in rows] == list(range(1, len(rows) + 1)), register
        assert counters[register] == len(rows)

    # Backdated timestamps keep the order of each document's and delivery's life.
    for doc in Document.objects.exclude(status=DocStatus.EXTERNAL):
        steps = [doc.created_at, doc.submitted_at, doc.approved_at, doc.issued_at]
        present = [s for s in steps if s is not None]
        assert present == sorted(present) and present[-1] <= now, doc.pk
        if doc.issued_at:
            assert doc.issued_date == timezone.localdate(doc.issued_at)
    for d in Delivery.objects.select_related("document"):
        if d.document.issued_at:
            assert d.arrived_at >= d.document.issued_at
        if d.accepted_at:
            assert d.arrived_at <= d.accepted_at <= d.updated_at <= now
    by_delivery = defaultdict(list)
    for did, code, at in DeliveryEvent.objects.values_list("delivery_id", "status_code", "at"):
        by_delivery[did].append((at, code))
    current = dict(Delivery.objects.values_list("id", "status_code"))
    for did, events in by_delivery.items():
        events.sort()
        assert events[-1][1] == current[did]

    # The audit chain still verifies; seeding again changes nothing.
    assert verify().ok
    counts = (Document.objects.count(), Delivery.objects.count(), User.objects.count(), AuditEntry.objects.count())
    assert seed_demo(password="demo", documents=60) == seeded
    assert (Document.objects.count(), Delivery.objects.count(), User.objects.count(), AuditEntry.objects.count()) == counts


def test_the_printed_people_find_work_waiting(seeded):
    assert any(line.startswith("vt.sotaichinh") for line in seeded)
    org = Organization.objects.get(name="Đảng bộ Sở Tài chính")
    assert Delivery.objects.for_organization(org.id).pending().count() >= 3
    assert Document.objects.filter(issuer=org, status=DocStatus.SUBMITTED).exists()
    bloc = Organization.objects.get(kind=OrgKind.BLOC_COMMITTEE)
    assert Document.objects.filter(issuer=bloc, status=DocStatus.SUBMITTED).exists()
    specialist = User.objects.get(username="cv1.sotaichinh")
    assert Assignee.objects.open_for(specialist).count() >= 3
    assert Assignee.objects.open_for(specialist).overdue().exists()
    # And the clerk sees them through the API, signed in with the demo password.
    clerk = ApiClient(User.objects.get(username="vt.sotaichinh"))
    inbox = clerk.get("/api/v1/inbox", organization_id=org.id, status_code="01").json()
    assert inbox["count"] >= 3


def test_the_bloc_directs_its_organisations_with_tasks_in_every_state_and_a_published_week(seeded):
    bloc = Organization.objects.get(kind=OrgKind.BLOC_COMMITTEE)
    assert Directive.objects.filter(organization=bloc).count() >= 5
    states = set(Task.objects.values_list("state", flat=True))
    assert states == {"assigned", "in_progress", "reported_done", "done"}
    assert Task.objects.overdue().exists() and Task.objects.filter(extended=False, extensions__state="pending").exists()
    for d in Directive.objects.all():
        assert d.task_count == d.tasks.count() and d.done_count == d.tasks.filter(state="done").count()
    week = Schedule.objects.get(organization=bloc, state="published")
    assert Entry.objects.filter(schedule=week, changed=True).exists()
    assert Invitation.objects.exclude(state="pending").exists() and Invitation.objects.filter(state="pending").exists()
    # The Bloc's secretary opens the follow-up screen; an organisation's clerk its tasks.
    leader = User.objects.get(username="bt.dukhoi")
    api = ApiClient(leader)
    r = api.get("/api/v1/directives")
    assert r.status_code == 200 and r.json()["count"] == Directive.objects.count()
    assert r.json()["items"][0]["overdue_count"] >= 1
    assert verify().ok
def test_a_tasks_dates_follow_its_history_so_the_follow_up_and_the_evaluation_read_it(seeded):
    """The follow-up's "last report" and the evaluation's "done on time" read the task's own dates:
    they must be those of its (back-dated) history, in order, not the day the demo was seeded."""
    from django.db.models import F

    today = timezone.localdate()
    for task in Task.objects.prefetch_related("reports"):
        reports = sorted(task.reports.all(), key=lambda r: r.id)
        times = [r.created_at for r in reports]
        assert times == sorted(times), task.id
        reported = [r for r in reports if r.kind in ("progress", "done")]
        if reported:
            assert task.last_report_at == reported[-1].created_at, task.id
        if task.state == "done":
            assert timezone.localdate(task.last_report_at) <= task.done_on <= today, task.id
    # Some organisations finished a task whose deadline has passed before that deadline.
    assert Task.objects.filter(state="done", due__lt=today, reported_done_on__lte=F("due")).exists()
    # The follow-up by organisation reads figures kept per board and organisation: they are the
    # tasks' as they stand after the re-dating, as a recount from the tasks gives them.
    from vanthu.direction import tallies
    from vanthu.direction.models import OpenDeadline, OrganizationFigures

    kept = sorted(OrganizationFigures.objects.values_list("board_id", "organization_id", *tallies.FIELDS))
    deadlines = sorted(OpenDeadline.objects.values_list("board_id", "organization_id", "due", "task_count"))
    assert kept
    with transaction.atomic():
        tallies.rebuild()
    assert kept == sorted(OrganizationFigures.objects.values_list("board_id", "organization_id", *tallies.FIELDS))
    assert deadlines == sorted(OpenDeadline.objects.values_list("board_id", "organization_id", "due", "task_count"))


def test_a_programme_year_measures_every_criterion_of_the_evaluation(seeded):
    """Regulations, two courses, inspections and inventories: every active criterion has a value."""
    grassroots = list(Organization.objects.filter(kind__in=GRASSROOTS_KINDS, parent__kind=OrgKind.BLOC_COMMITTEE))
    rows = evaluate(grassroots, timezone.localdate().year)
    active = {c for r in rows for c in r.values}
    assert {"quy-che", "dao-tao", "kiem-tra", "kien-nghi", "ha-tang"} <= active
    for code in ("quy-che", "dao-tao", "kiem-tra", "kien-nghi", "ha-tang"):
        assert any(r.values[code] is not None for r in rows), code
    assert all(r.evidence.get("kiem-tra", "").startswith("/programme/org/") for r in rows)
    assert len(SOURCES) == 5 and Enrolment.objects.filter(passed=True).exists()
def test_the_bloc_offices_old_lotus_notes_year_is_in_with_its_report(seeded):
    run = ImportRun.objects.get(file_name="vanphong-dukhoi-2014.dxl")
    report = run.report
    assert report["complete"] and report["errors"] == [] and report["created"] == report["documents"] - 1
    assert [x["reason"] for x in report["skipped"]] == ["classified"]
    assert report["mapped"] == {"incoming": 6, "outgoing": 12}
    bloc = run.organization
    records = LegacyRecord.objects.filter(organization=bloc)
    assert records.count() == 20 and records.filter(form="PhanHoi").get().parent_unid
    outgoing = Document.objects.filter(issuer=bloc, register_key__endswith=":2010-2015").order_by("issued_at")
    assert outgoing.count() == 12 and outgoing.first().issued_date.year == 2014
    # The export is kept and was read again: the run's page shows the verification and can repeat it.
    assert Path(run.file_path).is_file() and run.file_size == Path(run.file_path).stat().st_size
    assert run.verification["status"] == "done" and run.verification["mismatches"] == []
    assert run.verification["documents"] == report["documents"]
def test_the_bloc_has_a_year_filed_closed_and_handed_over_and_this_years_list_under_way(seeded):
    year = timezone.localdate().year
    bloc = Organization.objects.get(code="000.00.31.H26")
    last = CaseFile.objects.filter(organization=bloc, file_list__year=year - 1)
    assert last.count() == 5 and set(last.values_list("status", flat=True)) == {CaseStatus.HANDED_OVER}
    h = Handover.objects.get(organization=bloc, year=year - 1)
    assert h.status == HandoverStatus.RECEIVED and h.unit_signed_by.username == "vt.dukhoi" and h.archive_signed_by.username == "lt.dukhoi"
    assert AccessRequest.objects.filter(case_file__organization=bloc, status="pending").exists()
    current = CaseFile.objects.filter(organization=bloc, file_list__year=year)
    assert {CaseStatus.OPEN, CaseStatus.PLANNED} <= set(current.values_list("status", flat=True))
    assert CaseFile.objects.filter(organization=bloc).past_retention().count() == 1
    client = ApiClient(User.objects.get(username="lt.dukhoi"))
    r = client.get(f"/api/v1/archive/case-files/{last.first().id}")
    assert r.status_code == 200 and r.json()["contents_readable"] is True
def test_every_electronic_document_gets_its_verdict_from_the_worker_with_a_realistic_spread(seeded):
    """The year's history is written in bulk, signed (mostly) but not yet checked: it waits, and
    shows as waiting, until the worker that `vanthu demo` starts checks it. Then every issued
    document has its verdict, most authenticated and a few not, and the organisations' shares
    spread around the 95% line; the name on each signed document is its certificate's holder."""
    issued = Document.objects.filter(status=DocStatus.ISSUED, issuer__isnull=False)
    assert awaiting_verdict(issued).exists()
    with override_settings(TASKS=IMMEDIATE_TASKS):
        signature_tasks.on_worker_start()
    assert not awaiting_verdict(Document.objects.all()).exists()
    verdicts = documents_authenticated(issued.values_list("id", flat=True))
    assert None not in verdicts.values()
    yes = sum(1 for v in verdicts.values() if v)
    assert 0.75 * len(verdicts) < yes < len(verdicts), (yes, len(verdicts))
    for doc in issued.filter(authoritative_file__isnull=False).select_related("authoritative_file")[:8]:
        leader = shown_signatures(read_blob(doc.authoritative_file.file_id))[0]
        assert leader.holder == doc.signer_name and leader.stamp.startswith(f"Ký bởi: {doc.signer_name}")
    while fold_pending():
        pass
    figures = per_org(Organization.objects.active().values_list("id", flat=True), make_period(year=timezone.localdate().year))
    shares = [f.authenticated_share for f in figures.values() if f.received]
    assert None not in shares
    assert any(s < 0.95 for s in shares) and any(s >= 0.95 for s in shares)


def test_a_sender_reads_who_handles_each_record_but_not_the_leaders_instructions(seeded):
    assigned = Delivery.objects.filter(status_code__in=["04", "05", "06"], source="electronic")
    assert assigned.exists() and not assigned.filter(handler_name="").exists()
    instructions = DeliveryEvent.objects.filter(status_code="04").exclude(note="")
    assert instructions.exists() and not instructions.filter(note_private=False).exists()
