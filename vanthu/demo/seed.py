"""Seed the demo installation: the Bloc's organisation tree, its people, and a lived-in year of documents.

The work in progress and the documents of the last few days go through the real actions (draft
→ submit → approve → issue), so the newest records, and everything a visitor then does, come
from the code a clerk uses. The year before them is written in bulk with exactly what those
actions write — gapless numbers in issue order per register, symbols, files, recipients,
deliveries, status events, assignments, incoming numbers, one audit entry per change appended to
the hash chain — because one action per change would take minutes for tens of thousands of
changes. Timestamps are then moved into the past year keeping every record's order (drafted <
submitted < approved < issued < arrived < accepted < assigned < started < done); audit entries
are never edited and keep the real time of seeding. Statistics and the search index are rebuilt
from the result at the end.
"""

from __future__ import annotations

import logging
import random
import textwrap
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.audit.chain import record
from vanthu.audit.models import AuditEntry
from vanthu.documents import actions, numbering
from vanthu.documents.models import (
    Delivery,
    DeliveryEvent,
    DocSource,
    DocStatus,
    Document,
    DocumentFile,
    DocumentType,
    FileRole,
    RegisterCounter,
    StatusCode,
    StoredFile,
    Urgency,
)
from vanthu.documents.pdf import inspect_pdf
from vanthu.documents.pdfgen import make_pdf
from vanthu.documents.storage import store_pdf, write_blob
from vanthu.organizations.models import Organization, OrgKind
from vanthu.reports import aggregates
from vanthu.search.indexing import reindex_all
from vanthu.signatures.ca import ensure_demo_ca
from vanthu.workflow.models import Assignee, Assignment, HandlerRole

from . import bulk, data
from .archive import seed_archive
from .direction import seed_direction
from .legacy import seed_legacy
from .members import login_lines as member_login_lines
from .members import seed_members
from .notices import seed_calendar_and_notices
from .programme import seed_programme
from .signed import HistorySigning
from .world import BLOC_SLUG, Unit, World, build_world

log = logging.getLogger(__name__)

MARKER_ACTION = "demo_seeded"
LIVE_DAYS = 4  # documents issued in the last days go through the real actions
SIGNING_SEED = 20261207  # which history went out signed (demo/signed.py)


def login_lines() -> list[str]:
    """The logins `vanthu demo` prints: one per kind of work worth trying first."""
    show = dict((s, n) for s, _k, n in data.GRASSROOTS)
    org, dual = show[data.SHOWCASE_ORG], show[data.DUAL_ROLE_ORG]
    s = data.SHOWCASE_ORG
    return [
        "admin — quản trị hệ thống (tổ chức, người dùng, vai trò)",
        f"vt.{BLOC_SLUG} — văn thư Đảng ủy Khối: văn bản đến chờ tiếp nhận, cấp số và phát hành",
        f"bt.{BLOC_SLUG} — Bí thư Đảng ủy Khối: văn bản chờ duyệt, phân công xử lý văn bản đến",
        f"kt.{BLOC_SLUG} — cán bộ kiểm tra Đảng ủy Khối: thống kê, đánh giá các tổ chức đảng",
        f"lt.{BLOC_SLUG} — lưu trữ viên Đảng ủy Khối: hồ sơ năm trước đã nộp lưu, đề nghị khai thác chờ duyệt",
        f"vt.{s} — văn thư Đảng bộ {org}: văn bản đến chờ tiếp nhận",
        f"bt.{s} — Bí thư Đảng ủy {org}: văn bản chờ duyệt, phân công xử lý",
        f"cv1.{s} — chuyên viên Đảng bộ {org}: văn bản được giao xử lý (có văn bản quá hạn)",
        f"bt.{data.DUAL_ROLE_ORG} — Bí thư Chi bộ {dual}, đồng thời Ủy viên Ban Thường vụ Đảng ủy Khối",
        "các đơn vị khác: vt.<đơn vị>, bt.<đơn vị>, cv1.<đơn vị>, cv2.<đơn vị> (ví dụ vt.soyte, bt.hanoimoi)",
        *member_login_lines(),
    ]


def is_seeded() -> bool:
    return AuditEntry.objects.filter(action=MARKER_ACTION).exists() or Organization.objects.filter(code=data.BLOC["code"]).exists()


def seed_demo(*, password: str = "demo", documents: int = 2000, seed: int = 20251001) -> list[str]:
    """Create the demo installation once; on an already seeded database do nothing.

    Returns the login lines to print. `documents` is the number of documents (outgoing and
    paper) spread over the past twelve months.
    """
    if is_seeded():
        return login_lines()
    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        world = build_world(password, rng)

        # Certificates before the documents, so that the recent ones are signed and sealed.
        ensure_demo_ca()
        seeder = _DocumentSeeder(world, rng, now)
        seeder.run(documents)
        seed_calendar_and_notices(world)
        seed_direction(world, rng)
        seed_members(world)
        seed_programme(world, rng)
        seed_legacy(world)  # the Bloc office's 2014 Lotus Notes database, imported
        seed_archive(world)
        record(MARKER_ACTION, actor=world.admin, data={
            "organizations": len(world.units) + 2 + len(data.SUB_CELLS),
            "users": User.objects.count(), "documents": seeder.documents_made,
            "deliveries": seeder.deliveries_made,
        })
    log.info("demo seeded in %.1f s", time.perf_counter() - started)
    return login_lines()


# --- documents ----------------------------------------------------------------------------------

STATES = ("draft", "submitted", "approved", "issued")
URGENCIES = [(Urgency.NORMAL, 85), (Urgency.URGENT, 10), (Urgency.VERY_URGENT, 4), (Urgency.FLASH, 1)]
VN = "Asia/Ho_Chi_Minh"


@dataclass
class Plan:
    unit: Unit
    doc_type: str
    template: str
    subject: str
    recipients: list[int]
    state: str
    at: datetime  # issue time, or the time of the last step for documents not issued
    urgency: str
    due_date: date | None
    author: User
    leader: User
    doc: Document | None = None


@dataclass
class _Stage:
    code: str
    at: datetime


@dataclass
class _Incoming:
    delivery_id: int | None
    document_id: int
    unit: Unit
    arrived: datetime
    paper: bool = False
    target: str = StatusCode.ARRIVED
    forced: bool = False
    main: User | None = None
    overdue: bool = False
    stages: list[_Stage] = field(default_factory=list)
    number: int | None = None
    key: str = ""
    row: dict = field(default_factory=dict)


def _weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights)[0]


class _DocumentSeeder:
    def __init__(self, world: World, rng: random.Random, now: datetime):
        self.w, self.rng, self.now = world, rng, now
        self.start = now - timedelta(days=365)
        self.types = {t.code: t for t in DocumentType.objects.all()}
        self.type_names = {t.code: t.name for t in self.types.values()}
        self.pdfs: dict[tuple, bytes] = {}
        self.stored: dict = {}
        self.new_files: list[StoredFile] = []
        self.paper_symbols: dict[int, str] = {}
        self.paper_due: dict[int, date | None] = {}
        self.attachments: list[bytes] = []
        self.documents_made = 0
        self.deliveries_made = 0
        self.showcase = next(u for u in world.grassroots if u.slug == data.SHOWCASE_ORG)
        # Its own generator: the rest of the demo draws the same numbers with or without it.
        self.signing = HistorySigning(world, random.Random(SIGNING_SEED), now)
        # Each organisation sends the same few kinds of documents again and again (as in life),
        # which also keeps the pool of generated PDFs small; the printed ones send every kind.
        self.repertoire = {
            u.slug: data.GRASSROOTS_SUBJECTS if u.slug in (data.SHOWCASE_ORG, data.DUAL_ROLE_ORG)
            else rng.sample(data.GRASSROOTS_SUBJECTS, k=3)
            for u in world.grassroots
        }

    # time helpers

    def _local(self, dt: datetime) -> datetime:
        return timezone.localtime(dt)

    def _office_hours(self, dt: datetime) -> datetime:
        """Move a moment to a weekday between 7:30 and 17:00, Hanoi time, not after now."""
        local = self._local(dt)
        while local.weekday() >= 5:
            local -= timedelta(days=1)
        minutes = self.rng.randint(7 * 60 + 30, 17 * 60)
        local = local.replace(hour=minutes // 60, minute=minutes % 60, second=self.rng.randint(0, 59), microsecond=0)
        if local > self._local(self.now):
            local = self._local(self.now) - timedelta(minutes=self.rng.randint(5, 90))
        return local

    def _random_time(self, days_back_max: float, days_back_min: float = 0.0) -> datetime:
        back = self.rng.uniform(days_back_min, days_back_max)
        return self._office_hours(self.now - timedelta(days=back))

    # texts

    def _fill(self, template: str, at: datetime) -> str:
        d = self._local(at).date()
        holidays = [(3, 2), (19, 5), (2, 9), (7, 11)]
        upcoming = next(((dd, mm) for dd, mm in holidays if (mm, dd) >= (d.month, d.day)), (3, 2))
        holiday_year = d.year if (upcoming[1], upcoming[0]) >= (d.month, d.day) else d.year + 1
        org = self.rng.choice(self.w.grassroots).org.name
        return template.format(
            year=d.year, prev_year=d.year - 1, next_year=d.year + 1, period=self._period(d),
            month=f"{d.month:02d}", quarter=(d.month - 1) // 3 + 1, org=org, n=self.rng.randint(2, 9),
            holiday=f"{upcoming[0]}/{upcoming[1]}/{holiday_year}",
        )

    def _period(self, d: date) -> str:
        """A reporting period that has just ended at date d."""
        m, y = d.month, d.year
        if m == 1:
            return f"năm {y - 1}"
        if m == 12:
            return f"năm {y}"
        options = [f"tháng {m - 1:02d}/{y}"]
        if m in (4, 5):
            options.append(f"quý I năm {y}")
        if m in (7, 8):
            options += [f"6 tháng đầu năm {y}", f"quý II năm {y}"]
        if m in (10, 11):
            options += [f"9 tháng năm {y}", f"quý III năm {y}"]
        return self.rng.choice(options)

    def _pdf(self, plan: Plan) -> tuple[bytes, str]:
        """The draft's PDF and its text, from a pool keyed by issuer and subject template."""
        key = (plan.unit.org.id, plan.template, plan.leader.id)
        pdf = self.pdfs.get(key)
        if pdf is None:
            pdf = self.pdfs[key] = self._render(plan)
        return pdf

    def _render(self, plan: Plan) -> tuple[bytes, str]:
        org, unit = plan.unit.org, plan.unit
        parent = "ĐẢNG BỘ THÀNH PHỐ HÀ NỘI" if org.kind == OrgKind.BLOC_COMMITTEE else "ĐẢNG BỘ KHỐI CÁC CƠ QUAN TP HÀ NỘI"
        heading = org.name.upper()
        if org.kind == OrgKind.GRASSROOTS_COMMITTEE:
            heading = "ĐẢNG ỦY " + org.name.removeprefix("Đảng bộ ").upper()
        local = self._local(plan.at)
        lines = [
            parent, heading, "*", "ĐẢNG CỘNG SẢN VIỆT NAM",
            f"Số      -{plan.doc_type}/{org.short_name}",
            f"{org.place}, ngày {local.day:02d} tháng {local.month:02d} năm {local.year}", "",
        ]
        if plan.doc_type != "CV":
            lines.append(self.type_names.get(plan.doc_type, plan.doc_type).upper())
        lines += textwrap.wrap(plan.subject, 70) + [""]
        # The type's own paragraphs in their order (or the common ones), then the closing line.
        generic = data.BODY["*"]
        body = (data.BODY.get(plan.doc_type) or generic[:3])[:3] + generic[3:]
        for para in body:
            lines += textwrap.wrap(para.format(year=local.year), 80) + [""]
        lines += ["Nơi nhận:", "- Như trên,", "- Lưu Văn phòng.", ""]
        sig = unit.signatories[plan.leader.id]
        lines += [sig.authority, sig.position, "", plan.leader.full_name]
        return make_pdf(lines, title=plan.subject[:120]), "\n".join(lines)

    def _attachment(self) -> bytes:
        if len(self.attachments) < 4:
            k = len(self.attachments) + 1
            self.attachments.append(make_pdf([
                f"PHỤ LỤC {k}", "Biểu tổng hợp số liệu kèm theo văn bản", "",
                "STT | Nội dung | Số lượng | Ghi chú",
                *[f"{i} | Chỉ tiêu {i} | {i * 7 + k} | " for i in range(1, 16)],
            ], title=f"Phụ lục {k}"))
            return self.attachments[-1]
        return self.rng.choice(self.attachments)

    # the plan

    def _plan(self, unit: Unit, state: str, at: datetime, *, template: tuple | None = None,
              recipients: list[int] | None = None, author: User | None = None, leader: User | None = None) -> Plan:
        rng = self.rng
        grassroots_ids = [u.org.id for u in self.w.grassroots]
        due = None
        if unit is self.w.bloc or not unit.is_grassroots:
            pool = data.BLOC_SUBJECTS if unit is self.w.bloc else data.OFFICE_SUBJECTS[unit.slug]
            doc_type, tmpl, asks = template or rng.choice(pool)
            if recipients is None:
                if rng.random() < (0.35 if unit is self.w.bloc else 0.2):
                    recipients = list(grassroots_ids)
                else:
                    recipients = rng.sample(grassroots_ids, k=rng.randint(4, 30))
                if unit is self.w.bloc and rng.random() < 0.3:
                    recipients.append(rng.choice(list(self.w.offices.values())).org.id)
            if asks:
                due = self._local(at).date() + timedelta(days=rng.randint(7, 20))
        else:
            doc_type, tmpl, office = template or rng.choice(self.repertoire[unit.slug])
            if recipients is None:
                recipients = [self.w.bloc.org.id]
                if office:
                    recipients.append(self.w.offices[office].org.id)
        return Plan(
            unit=unit, doc_type=doc_type, template=tmpl, subject=self._fill(tmpl, at),
            recipients=sorted(set(recipients) - {unit.org.id}), state=state, at=at,
            urgency=_weighted(rng, URGENCIES), due_date=due,
            author=author or rng.choice(unit.specialists), leader=leader or rng.choice(unit.leaders),
        )

    def _issuer(self) -> Unit:
        r = self.rng.random()
        if r < 0.14:
            return self.w.bloc
        if r < 0.24:
            return self.rng.choice(list(self.w.offices.values()))
        if r < 0.30:
            return self.showcase  # a busy organisation, so its people have a full year to look at
        return self.rng.choice(self.w.grassroots)

    def plans(self, internal: int) -> list[Plan]:
        w, rng = self.w, self.rng
        n_draft = max(2, round(internal * 0.02))
        n_submitted = max(4, round(internal * 0.02))
        n_approved = max(2, round(internal * 0.015))
        n_fresh = 6  # issued in the last two days, so inboxes have something waiting
        n_issued = max(n_fresh, internal - n_draft - n_submitted - n_approved)
        plans: list[Plan] = []
        # Work in progress: the printed leader and specialist find something in their queues.
        for i in range(n_draft):
            unit = self.showcase if i < 2 else self._issuer()
            plans.append(self._plan(unit, "draft", self._random_time(10), author=unit.specialists[0] if i < 2 else None))
        for i in range(n_submitted):
            unit = self.showcase if i < 2 else w.bloc if i < 4 else self._issuer()
            leader = w.bloc.leaders[0] if unit is w.bloc else None
            plans.append(self._plan(unit, "submitted", self._random_time(6), leader=leader))
        for _ in range(n_approved):
            plans.append(self._plan(self._issuer(), "approved", self._random_time(3)))
        # Fresh documents: three from the Bloc to every grassroots organisation, three reports up.
        for i in range(n_fresh):
            at = self._random_time(2)
            if i < 3:
                plans.append(self._plan(w.bloc, "issued", at, recipients=[u.org.id for u in w.grassroots]))
            else:
                plans.append(self._plan(rng.choice(w.grassroots), "issued", at))
        for _ in range(n_issued - n_fresh):
            plans.append(self._plan(self._issuer(), "issued", self._random_time(365, 0.05)))
        # Even a small demo gives the printed organisation enough incoming documents to show
        # every kind of waiting work (see _choose_targets).
        showcase_id = self.showcase.org.id
        others = [p for p in plans if p.state == "issued" and p.unit is not self.showcase and showcase_id not in p.recipients]
        others.sort(key=lambda p: (p.unit.is_grassroots, rng.random()))
        wanted = 20 - sum(1 for p in plans if p.state == "issued" and showcase_id in p.recipients)
        for p in others[:max(0, wanted)]:
            p.recipients = sorted({*p.recipients, showcase_id})
        return plans

    # running the actions

    def run(self, total: int) -> None:
        paper = max(3, round(total * 0.05))
        plans = self.plans(max(total - paper, 14))
        # The year's history is written in bulk; the last days and the work in progress go
        # through the real actions, after the history, so their numbers continue its registers.
        cutoff = self.now - timedelta(days=LIVE_DAYS)
        history = sorted((p for p in plans if p.state == "issued" and p.at < cutoff), key=lambda p: p.at)
        live = sorted((p for p in plans if not (p.state == "issued" and p.at < cutoff)), key=lambda p: p.at)
        t0 = time.perf_counter()
        self._bulk_issue(history)
        t1 = time.perf_counter()
        for plan in live:
            self._act(plan)
        self._backdate_documents(live)
        t2 = time.perf_counter()
        issued = history + [p for p in live if p.state == "issued"]
        incoming = self._electronic_incoming(issued)
        incoming += self._paper_incoming(paper)
        self._process(incoming)
        t3 = time.perf_counter()
        self._derived_data()
        log.info("history %.1f s (%d documents), actions %.1f s (%d), recipients %.1f s (%d), derived %.1f s",
                 t1 - t0, len(history), t2 - t1, len(live), t3 - t2, len(incoming), time.perf_counter() - t3)
        self.documents_made = len(plans) + paper
        self.deliveries_made = len(incoming)

    def _derived_data(self) -> None:
        """Statistics and the search index, recomputed from what was written (and backdated)."""

        aggregates.rebuild()
        reindex_all()

    def _steps(self, p: Plan) -> dict[str, datetime | None]:
        """Walk back from the last step: each earlier step a few hours to days before."""
        rng, t = self.rng, p.at
        steps: dict[str, datetime | None] = {"issued": None, "approved": None, "submitted": None, "created": None}
        if p.state == "issued":
            steps["issued"] = t
            t = t - timedelta(hours=rng.uniform(0.3, 30))
        if p.state in ("issued", "approved"):
            steps["approved"] = t
            t = t - timedelta(hours=rng.uniform(0.5, 48))
        if p.state != "draft":
            steps["submitted"] = t
            t = t - timedelta(hours=rng.uniform(1, 96))
        steps["created"] = t
        return steps

    def _stored(self, plan: Plan):
        key = (plan.unit.org.id, plan.template, plan.leader.id)
        stored = self.stored.get(key)
        if stored is None:
            # The bytes go to content-addressed storage now; the rows are inserted together
            # later. The text layer is the lines just drawn: no need to parse our own PDF back.
            pdf, text = self._pdf(plan)
            stored = self.stored[key] = StoredFile(sha256=write_blob(pdf), size=len(pdf), page_count=1, text=text)
            self.new_files.append(stored)
        return stored

    def _stored_attachment(self):
        pdf = self._attachment()
        stored = self.stored.get(pdf)
        if stored is None:
            stored = self.stored[pdf] = store_pdf(pdf, inspect_pdf(pdf, "phu-luc.pdf"))
        return stored

    def _bulk_issue(self, plans: list[Plan]) -> None:
        """Issued documents of the past year, written as `issue_document` writes them.

        Numbers are given in issue order, one register per organisation, type and term, with no
        gaps; the register counters end at the last number so the actions continue from there.
        """
        if not plans:
            return
        last: dict[tuple[int, str], int] = {}
        docs, files, links, audit = [], [], [], []
        for p in plans:
            org, dtype, unit = p.unit.org, self.types[p.doc_type], p.unit
            steps = self._steps(p)
            issued_day = self._local(p.at).date()
            key = numbering.outgoing_register_key(org, dtype, issued_day)
            n = last[(org.id, key)] = last.get((org.id, key), 0) + 1
            stored = self._stored(p)
            signed = self.signing.copy(unit, p.leader, *self._pdf(p)) if self.signing.signs(unit, p.at) else None
            doc = Document(
                issuer=org, doc_type=dtype, subject=p.subject, urgency=p.urgency, status=DocStatus.ISSUED,
                register_key=key, number=n, symbol=numbering.format_symbol(org, dtype, n),
                issued_date=issued_day, issued_at=p.at, place=org.place,
                signatory=unit.signatories[p.leader.id], signer=p.leader,
                signer_authority=unit.signatories[p.leader.id].authority, signer_position=unit.signatories[p.leader.id].position,
                signer_name=p.leader.full_name, due_date=p.due_date, page_count=stored.page_count,
                created_by=p.author, submitted_by=p.author, submitted_at=steps["submitted"], approved_by=p.leader,
                approved_at=steps["approved"], issued_by=unit.clerk,
            )
            doc._steps, doc._stored, doc._signed = steps, stored, signed
            p.doc = doc
            docs.append(doc)
        StoredFile.objects.bulk_create(self.new_files + self.signing.new_files, batch_size=500, ignore_conflicts=True)
        self.signing.new_files.clear()
        Document.objects.bulk_create(docs, batch_size=500)
        for p in plans:
            doc, unit = p.doc, p.unit
            doc.created_at = doc._steps["created"]
            files.append([doc.pk, doc._stored.pk, FileRole.MAIN, f"{p.doc_type}-{unit.slug}.pdf", 0])
            if doc._signed is not None:
                files.append([doc.pk, doc._signed.pk, FileRole.SIGNED, f"{p.doc_type}-{unit.slug}.sealed.pdf", 100])
            if self.rng.random() < 0.15:
                files.append([doc.pk, self._stored_attachment().pk, FileRole.ATTACHMENT, "phu-luc.pdf", 1])
            links += [[doc.pk, rid] for rid in p.recipients]
            steps = doc._steps
            audit += [
                (steps["created"], "document_drafted", p.author, doc.pk, {"subject": doc.subject, "recipients": p.recipients}),
                (steps["submitted"], "document_submitted", p.author, doc.pk, {}),
                (steps["approved"], "document_approved", p.leader, doc.pk, {}),
                (steps["issued"], "document_issued", unit.clerk, doc.pk, {"symbol": doc.symbol, "recipients": len(p.recipients)}),
            ]
        bulk.update_many(Document, ["created_at"], ["id"], [([d.created_at], [d.pk]) for d in docs])
        bulk.insert_many(DocumentFile, ["document", "file", "role", "name", "position"], files)
        # The signed copy counts, where there is one (as attach_signed_copy makes it).
        signed_ids = [d.pk for d in docs if d._signed is not None]
        for start in range(0, len(signed_ids), 500):
            Document.objects.filter(id__in=signed_ids[start:start + 500]).update(authoritative_file=Subquery(
                DocumentFile.objects.filter(document_id=OuterRef("pk"), role=FileRole.SIGNED).values("id")[:1]))
        bulk.insert_many(Document.recipients.through, ["document", "organization"], links)
        RegisterCounter.objects.bulk_create(
            [RegisterCounter(organization_id=org_id, key=key, last_number=n) for (org_id, key), n in last.items()], batch_size=1000
        )
        audit.sort(key=lambda x: (x[0], x[3]))
        bulk.append_audit([(action, actor, "documents.document", pk, payload) for _at, action, actor, pk, payload in audit])

    def _act(self, plan: Plan) -> None:
        unit = plan.unit
        attachments = [actions.Upload(name="phu-luc.pdf", data=self._attachment())] if self.rng.random() < 0.15 else []
        doc = actions.create_draft(
            user=plan.author, organization=unit.org, doc_type=plan.doc_type, subject=plan.subject,
            urgency=plan.urgency, recipient_ids=plan.recipients, signatory_id=unit.signatories[plan.leader.id].id,
            due_date=plan.due_date,
            main_file=actions.Upload(name=f"{plan.doc_type}-{unit.slug}.pdf", data=self._pdf(plan)[0]),
            attachments=attachments,
        )
        if plan.state != "draft":
            actions.submit_document(doc, user=plan.author)
        if plan.state in ("approved", "issued"):
            actions.approve_document(doc, user=plan.leader)
        if plan.state == "issued":
            doc = actions.issue_document(doc, user=unit.clerk)
        plan.doc = doc

    def _backdate_documents(self, plans: list[Plan]) -> None:
        rows = []
        for p in plans:
            steps, doc = self._steps(p), p.doc
            doc.created_at = steps["created"]
            doc.submitted_at = steps["submitted"]
            doc.approved_at = steps["approved"]
            if steps["issued"]:
                doc.issued_at = steps["issued"]
                doc.issued_date = self._local(steps["issued"]).date()
            rows.append(([doc.created_at, doc.submitted_at, doc.approved_at, doc.issued_at, doc.issued_date], [doc.pk]))
        bulk.update_many(Document, ["created_at", "submitted_at", "approved_at", "issued_at", "issued_date"], ["id"], rows)

    # the recipients' side

    def _electronic_incoming(self, issued: list[Plan]) -> list[_Incoming]:
        """One item per recipient of each issued document; history ones have no row yet."""
        out = []
        live = {p.doc.pk: p for p in issued if getattr(p.doc, "_steps", None) is None}
        existing = Delivery.objects.filter(document_id__in=list(live)).values_list("id", "document_id", "recipient_id")
        rows = {(doc_id, rid): did for did, doc_id, rid in existing.iterator(chunk_size=5000)}
        for p in issued:
            for rid in p.recipients:
                arrived = min(p.doc.issued_at + timedelta(seconds=self.rng.randint(2, 90)), self.now)
                out.append(_Incoming(delivery_id=rows.get((p.doc.pk, rid)), document_id=p.doc.pk, unit=self.w.by_org[rid], arrived=arrived))
        return out

    def _paper_incoming(self, count: int) -> list[_Incoming]:
        """Paper documents from outside VanThu, scanned and registered by the recipients' clerks."""
        rng, w = self.rng, self.w
        counters = {i: rng.randint(40, 400) for i in range(len(data.PAPER_SENDERS))}
        items = []
        for _ in range(count):
            r = rng.random()
            unit = w.bloc if r < 0.4 else w.offices["vanphong"] if r < 0.55 else self.showcase if r < 0.62 else rng.choice(w.grassroots)
            items.append((self._random_time(365, 0.1), unit, rng.randrange(len(data.PAPER_SENDERS)), rng.randrange(len(data.PAPER_SUBJECTS))))
        items.sort(key=lambda x: x[0])
        docs, files, pool = [], [], {}
        for arrived, unit, s, k in items:
            name, code, pattern = data.PAPER_SENDERS[s]
            counters[s] += rng.randint(1, 12)
            doc_type, tmpl = data.PAPER_SUBJECTS[k]
            subject = self._fill(tmpl, arrived)
            if (s, k) not in pool:
                scan = make_pdf([
                    "ĐẢNG BỘ THÀNH PHỐ HÀ NỘI" if "Thành ủy" in name else "THÀNH PHỐ HÀ NỘI", name.upper(), "",
                    f"Số: {pattern.format(n='   ')}", f"Hà Nội, ngày     tháng     năm {self._local(arrived).year}", "",
                    *textwrap.wrap(subject, 70), "", *textwrap.wrap(data.BODY["*"][1], 80), "",
                    "(Bản quét từ văn bản giấy)",
                ], title=subject[:120])
                pool[(s, k)] = store_pdf(scan, inspect_pdf(scan, "scan.pdf"))
            stored = pool[(s, k)]
            issued_date = self._local(arrived).date() - timedelta(days=rng.randint(1, 6))
            doc = Document(
                issuer=None, external_issuer_name=name, external_issuer_code=code, doc_type=self.types[doc_type],
                subject=subject, urgency=_weighted(rng, URGENCIES), status=DocStatus.EXTERNAL, source=DocSource.PAPER,
                symbol=pattern.format(n=counters[s]), issued_date=issued_date, page_count=stored.page_count,
                due_date=issued_date + timedelta(days=rng.randint(10, 25)) if rng.random() < 0.3 else None,
                created_by=unit.clerk,
            )
            docs.append((doc, unit, arrived, stored))
        Document.objects.bulk_create([d for d, *_ in docs], batch_size=500)
        for doc, _unit, arrived, stored in docs:
            doc.created_at = arrived
            files.append(DocumentFile(document=doc, file=stored, role=FileRole.MAIN, name=f"ban-quet-{doc.pk}.pdf", position=0))
        bulk.update_many(Document, ["created_at"], ["id"], [([d.created_at], [d.pk]) for d, *_ in docs])
        DocumentFile.objects.bulk_create(files, batch_size=500)
        self.paper_symbols = {doc.pk: doc.symbol for doc, *_ in docs}
        self.paper_due = {doc.pk: doc.due_date for doc, *_ in docs}
        return [_Incoming(delivery_id=None, document_id=doc.pk, unit=unit, arrived=arrived, paper=True)
                for doc, unit, arrived, _s in docs]

    def _choose_targets(self, incoming: list[_Incoming]) -> None:
        rng, now = self.rng, self.now
        by_unit: dict[int, list[_Incoming]] = defaultdict(list)
        for item in incoming:
            by_unit[item.unit.org.id].append(item)
        # The printed clerks find documents waiting; the printed specialist finds work, some late.
        for unit in (self.showcase, self.w.bloc):
            mine = sorted((i for i in by_unit[unit.org.id] if not i.paper), key=lambda i: i.arrived, reverse=True)
            for i in mine[:6]:
                i.target, i.forced = StatusCode.ARRIVED, True
            if unit is self.showcase:
                for n, i in enumerate(mine[6:14]):
                    i.target, i.forced = (StatusCode.ASSIGNED if n % 2 else StatusCode.IN_PROGRESS), True
                    i.main, i.overdue = unit.specialists[0], n >= 3
        for item in incoming:
            if item.forced:
                continue
            age = (now - item.arrived).total_seconds() / 86400
            if item.paper:
                weights = [(StatusCode.ACCEPTED, 55), (StatusCode.ASSIGNED, 5), (StatusCode.IN_PROGRESS, 5), (StatusCode.DONE, 35)]
            elif age < 1:
                weights = [(StatusCode.ARRIVED, 70), (StatusCode.ACCEPTED, 25), (StatusCode.ASSIGNED, 5)]
            elif age < 5:
                weights = [(StatusCode.ARRIVED, 20), (StatusCode.REJECTED, 2), (StatusCode.ACCEPTED, 45),
                           (StatusCode.ASSIGNED, 15), (StatusCode.IN_PROGRESS, 10), (StatusCode.DONE, 8)]
            elif age < 30:
                weights = [(StatusCode.ARRIVED, 3), (StatusCode.REJECTED, 2), (StatusCode.ACCEPTED, 45),
                           (StatusCode.ASSIGNED, 8), (StatusCode.IN_PROGRESS, 8), (StatusCode.DONE, 34)]
            else:
                weights = [(StatusCode.ARRIVED, 1), (StatusCode.REJECTED, 1.5), (StatusCode.ACCEPTED, 52),
                           (StatusCode.ASSIGNED, 2), (StatusCode.IN_PROGRESS, 2), (StatusCode.DONE, 41.5)]
            item.target = _weighted(rng, weights)
        # Every status appears at least once, even in a small demo.
        present = {i.target for i in incoming}
        spare = [i for i in incoming if not i.forced and not i.paper]
        rng.shuffle(spare)
        for code in (StatusCode.ARRIVED, StatusCode.REJECTED, StatusCode.ACCEPTED, StatusCode.ASSIGNED, StatusCode.IN_PROGRESS, StatusCode.DONE):
            if code not in present and spare:
                spare.pop().target = code

    def _timeline(self, item: _Incoming) -> None:
        """The moments of each step up to the target status, compressed to end before now."""
        rng, h = self.rng, lambda a, b: timedelta(hours=rng.uniform(a, b))
        order = [StatusCode.ACCEPTED, StatusCode.ASSIGNED, StatusCode.IN_PROGRESS, StatusCode.DONE]
        gaps: list[tuple[str, timedelta]] = []
        if item.target == StatusCode.REJECTED:
            gaps.append((StatusCode.REJECTED, h(0.2, 30)))
        elif item.target != StatusCode.ARRIVED:
            last = order.index(item.target)
            for code in order[: last + 1]:
                if code == StatusCode.ACCEPTED:
                    gaps.append((code, timedelta(0) if item.paper else h(0.2, 30)))
                elif code == StatusCode.ASSIGNED:
                    gaps.append((code, h(0.5, 48)))
                elif code == StatusCode.IN_PROGRESS:
                    if item.target == StatusCode.DONE and rng.random() < 0.3:
                        continue  # done straight from assigned: allowed, and common for small tasks
                    gaps.append((code, h(1, 48)))
                else:
                    gaps.append((code, h(4, 240)))
        total = sum((g for _c, g in gaps), timedelta(0))
        room = self.now - timedelta(minutes=2) - item.arrived
        scale = 1.0 if total <= room or total.total_seconds() == 0 else max(room, timedelta(0)) / total
        at = item.arrived
        for code, gap in gaps:
            at = at + gap * scale
            item.stages.append(_Stage(code, at))

    def _process(self, incoming: list[_Incoming]) -> None:
        """Each recipient's side: statuses, incoming numbers, events, assignments, audit entries."""
        rng = self.rng
        self._choose_targets(incoming)
        for item in incoming:
            self._timeline(item)
        # Incoming numbers: gapless per recipient and year, in the order documents were accepted.
        accepted = [(i.stages[0].at, i.document_id, i) for i in incoming if i.stages and i.stages[0].code == StatusCode.ACCEPTED]
        accepted.sort(key=lambda x: (x[2].unit.org.id, x[0], x[1]))
        last: dict[tuple[int, str], int] = {}
        for at, _doc, item in accepted:
            item.key = numbering.incoming_register_key(self._local(at).date())
            k = (item.unit.org.id, item.key)
            last[k] = item.number = last.get(k, 0) + 1
        RegisterCounter.objects.bulk_create(
            [RegisterCounter(organization_id=org_id, key=key, last_number=n) for (org_id, key), n in last.items()], batch_size=1000
        )
        # Final values of every delivery; new rows are inserted, rows made by the actions updated.
        today = self._local(self.now).date()
        for item in incoming:
            item.row = self._final_row(item, today)
        fields = ["status_code", "arrived_at", "updated_at", "incoming_key", "incoming_number", "accepted_at", "reject_reason", "deadline", "done_at"]
        new = [i for i in incoming if i.delivery_id is None]
        old = [i for i in incoming if i.delivery_id is not None]
        bulk.insert_many(Delivery, ["document", "recipient", "source", *fields],
                     [[i.document_id, i.unit.org.id, "paper" if i.paper else "electronic", *(i.row[f] for f in fields)] for i in new])
        ids = {}
        doc_ids = sorted({i.document_id for i in new})
        for n in range(0, len(doc_ids), 500):
            for did, doc_id, rid in Delivery.objects.filter(document_id__in=doc_ids[n:n + 500]).values_list("id", "document_id", "recipient_id"):
                ids[(doc_id, rid)] = did
        for i in new:
            i.delivery_id = ids[(i.document_id, i.unit.org.id)]
        bulk.update_many(Delivery, fields, ["id"], [([i.row[f] for f in fields], [i.delivery_id]) for i in old])
        bulk.update_many(DeliveryEvent, ["at"], ["delivery", "status_code"], [([i.arrived], [i.delivery_id, StatusCode.ARRIVED]) for i in old])

        events: list[list] = [[i.delivery_id, StatusCode.ARRIVED, i.arrived, None, "", "", False] for i in new if not i.paper]
        assignments, audit, handlers = [], [], {}
        for item in incoming:
            unit, did = item.unit, item.delivery_id
            main = item.main or rng.choice(unit.specialists)
            assignment = None
            for stage in item.stages:
                code, at = stage.code, stage.at
                if code == StatusCode.REJECTED:
                    reason = item.row["reject_reason"]
                    events.append([did, code, at, unit.clerk.pk, unit.clerk.full_name, reason, False])
                    audit.append((at, "delivery_rejected", unit.clerk, did, {"reason": reason}))
                elif code == StatusCode.ACCEPTED:
                    events.append([did, code, at, unit.clerk.pk, unit.clerk.full_name, "Vào sổ từ bản giấy" if item.paper else "", False])
                    if item.paper:
                        audit.append((at, "paper_document_registered", unit.clerk, did, {
                            "document": item.document_id, "symbol": self.paper_symbols[item.document_id], "incoming_number": item.number}))
                    else:
                        audit.append((at, "delivery_accepted", unit.clerk, did, {"incoming_number": item.number}))
                elif code == StatusCode.ASSIGNED:
                    leader = unit.leaders[0]
                    others = [s for s in unit.specialists if s is not main]
                    co = [others[0].pk] if others and rng.random() < 0.4 else []
                    informed = [unit.clerk.pk] if rng.random() < 0.3 else []
                    note = rng.choice(data.ASSIGN_NOTES)
                    deadline = item.row["deadline"]
                    assignment = Assignment(delivery_id=did, is_current=True, assigned_by=leader, assigned_at=at, deadline=deadline, note=note)
                    assignment._people = [(main.pk, HandlerRole.MAIN)] + [(u, HandlerRole.CO) for u in co] + [(u, HandlerRole.INFORMED) for u in informed]
                    assignments.append(assignment)
                    handlers[did] = main.full_name  # what the sender reads as "who handles it"
                    # A leader's instructions are for the staff (the default: not shared with the sender).
                    events.append([did, code, at, leader.pk, leader.full_name, note, True])
                    audit.append((at, "delivery_assigned", leader, did, {"main": main.pk, "co": co, "informed": informed, "deadline": deadline}))
                elif code == StatusCode.IN_PROGRESS:
                    events.append([did, code, at, main.pk, main.full_name, "", False])
                    audit.append((at, "handling_started", main, did, {}))
                elif code == StatusCode.DONE:
                    note = rng.choice(data.DONE_NOTES)
                    assignment.completed_at, assignment.completion_note = at, note
                    events.append([did, code, at, main.pk, main.full_name, note, False])
                    audit.append((at, "handling_completed", main, did, {"note": note}))
        bulk.insert_many(DeliveryEvent, ["delivery", "status_code", "at", "by", "by_name", "note", "note_private"], events)
        bulk.update_many(Delivery, ["handler_name"], ["id"], [([name], [did]) for did, name in handlers.items()])
        Assignment.objects.bulk_create(assignments, batch_size=2000)
        bulk.insert_many(Assignee, ["assignment", "user", "role"], [[a.pk, uid, role] for a in assignments for uid, role in a._people])
        audit.sort(key=lambda x: (x[0], x[3]))
        bulk.append_audit([(action, actor, "documents.delivery", pk, payload) for _at, action, actor, pk, payload in audit])

    def _final_row(self, item: _Incoming, today: date) -> dict:
        """The delivery's columns once every step of its timeline has happened."""
        rng = self.rng
        row = {"status_code": item.stages[-1].code if item.stages else StatusCode.ARRIVED, "arrived_at": item.arrived,
               "updated_at": item.stages[-1].at if item.stages else item.arrived, "incoming_key": item.key,
               "incoming_number": item.number, "accepted_at": None, "reject_reason": "",
               "deadline": self.paper_due.get(item.document_id) if item.paper else None, "done_at": None}
        for stage in item.stages:
            if stage.code == StatusCode.REJECTED:
                row["reject_reason"] = rng.choice(data.REJECT_REASONS)
            elif stage.code == StatusCode.ACCEPTED:
                row["accepted_at"] = stage.at
            elif stage.code == StatusCode.ASSIGNED:
                assigned_day = self._local(stage.at).date()
                if item.overdue:
                    deadline = assigned_day + timedelta(days=3)
                else:
                    deadline = assigned_day + timedelta(days=rng.randint(5, 20))
                    if item.forced:  # the printed specialist's open work: mostly still in time
                        deadline = max(deadline, today + timedelta(days=rng.randint(3, 10)))
                row["deadline"] = deadline
            elif stage.code == StatusCode.DONE:
                row["done_at"] = stage.at
        return row
