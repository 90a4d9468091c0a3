"""The world the isolation tests run in: two organisations with something of everything, and
people of unrelated, parent and child organisations holding each role.

    Đảng bộ Khối (the parent)
    ├── A  the sender: documents in every state, its outbox to a peer, an export, signatures
    │   └── A1  a child of A
    ├── B  the recipient: deliveries in every status, assignments, a paper record, a document
    │   │       received from the peer and its status message back
    │   └── B1  a child of B
    └── O  an unrelated organisation
    Thành ủy (at a peer installation, reached through the outbox)

Everything A and B own carries MARK in its text (subjects, reasons, notes, file names, their
people's names), so that a response naming any of it to someone else shows it, whatever its shape.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field

from django.test import TestCase, override_settings
from django.utils import timezone

from vanthu.accounts.actions import issue_api_token
from vanthu.accounts.models import User
from vanthu.archive import actions as archive
from vanthu.archive.models import (
    AccessRequest,
    CaseFile,
    CaseItem,
    Disposal,
    FileList,
    Handover,
    Heading,
)
from vanthu.archive.retention import ensure_retention_periods
from vanthu.direction import actions as direction
from vanthu.direction import schedule as sched
from vanthu.direction.models import (
    Directive,
    Entry,
    ExtensionRequest,
    Invitation,
    Meeting,
    Report,
    Schedule,
    Task,
)
from vanthu.documents import actions, delegations
from vanthu.documents.doctypes import ensure_document_types
from vanthu.documents.models import (
    Delegation,
    Delivery,
    Document,
    DocumentFile,
    DocumentShare,
    Signatory,
)
from vanthu.documents.pdfgen import make_pdf
from vanthu.documents.sharing import share_document
from vanthu.exchange import edxml as E
from vanthu.exchange import sending
from vanthu.exchange.actions import request_recall
from vanthu.exchange.models import OutboxMessage
from vanthu.exchange.receiving import receive
from vanthu.exchange.tests.peers import REMOTE, register_unreachable_peer
from vanthu.membership import actions as membership
from vanthu.membership.models import IncomingTransfer, PartyMember, Transfer
from vanthu.migration import samples
from vanthu.migration.importer import run_import
from vanthu.migration.mapping import parse_mapping
from vanthu.migration.models import LegacyAttachment, LegacyRecord
from vanthu.notifications.models import Notification
from vanthu.organizations.models import Membership, Organization, OrgKind, Role
from vanthu.programme import actions as programme
from vanthu.programme import infrastructure, inspecting, training
from vanthu.programme.models import Course, Enrolment, Inspection, Recommendation, Regulation
from vanthu.reports.actions import request_export
from vanthu.reports.aggregates import fold_pending
from vanthu.signatures.actions import verify_document
from vanthu.signatures.ca import ensure_demo_ca
from vanthu.signatures.models import SigningCertificate, TrustRoot
from vanthu.testing import factories as f
from vanthu.workflow.actions import assign_handlers, complete_handling, start_handling

MARK = "zqxwvk"  # in every text of A and B; never in anything another person may read

RELATIONS = ("unrelated", "parent", "child")
ROLES = (Role.CLERK, Role.LEADER, Role.SPECIALIST, Role.INSPECTOR, Role.ADMIN)
# Each role alone, and every role at once (what one role hides another may not).
ROLE_SETS: dict[str, tuple[str, ...]] = {**{r.value: (r.value,) for r in ROLES}, "every": tuple(r.value for r in ROLES)}


@dataclass
class Side:
    org: Organization
    clerk: User
    leader: User
    specialist: User
    specialist2: User


@dataclass
class Persona:
    """Someone who must see and change nothing of A's and B's (except where the rules differ)."""

    key: str  # "<relation>-<role set>"
    relation: str
    roles: tuple[str, ...]
    user: User
    token: str
    own_org_ids: list[int]


@dataclass
class World:
    bloc: Organization
    a: Side
    b: Side
    outsider: Organization
    a1: Organization
    b1: Organization
    insider: User  # every role in A and B, and the installation's administrator: reaches everything
    insider_token: str
    remote: Organization | None = None  # the peer's organisation, once the peer is registered
    personas: dict[str, Persona] = field(default_factory=dict)
    # What a path parameter of each name may name: every such object of A and B (label, value).
    path_values: dict[str, list[tuple[str, object]]] = field(default_factory=dict)
    victim_org_ids: list[int] = field(default_factory=list)
    # Ids of A's and B's objects by kind, which no one else's answer may contain.
    secret_ids: dict[str, set[int]] = field(default_factory=dict)
    # Texts of A's and B's objects (MARK, file digests, message ids) no one else's answer may contain.
    secret_texts: list[str] = field(default_factory=list)
    archive: object = None  # ArchiveHints, once the archive is built


def token_for(user: User) -> str:
    return issue_api_token(user=user)[0]


def _side(name: str, code: str, parent: Organization, tag: str) -> Side:
    org = f.make_org(name, code=code, parent=parent)
    return Side(
        org=org,
        clerk=f.make_user(org, Role.CLERK, full_name=f"Văn thư {tag} {MARK}"),
        leader=f.make_user(org, Role.LEADER, full_name=f"Bí thư {tag} {MARK}"),
        specialist=f.make_user(org, Role.SPECIALIST, full_name=f"Chuyên viên {tag} {MARK}"),
        specialist2=f.make_user(org, Role.SPECIALIST, full_name=f"Chuyên viên hai {tag} {MARK}"),
    )


def _pdf(text: str) -> actions.Upload:
    return f.upload(f"{MARK}.pdf", f.pdf_bytes(f"{text} {MARK}"))


def _draft(w: World, label: str, recipients: list[Organization]) -> Document:
    a = w.a
    signatory = Signatory.objects.get(organization=a.org, user=a.leader)
    return actions.create_draft(user=a.specialist, organization=a.org, doc_type="CV", subject=f"Về việc {label} {MARK}",
                                recipient_ids=[o.id for o in recipients], main_file=_pdf(label), signatory_id=signatory.id)


def _issued(w: World, label: str, recipients: list[Organization]) -> Document:
    a = w.a
    doc = _draft(w, label, recipients)
    actions.submit_document(doc, user=a.specialist)
    actions.approve_document(doc, user=a.leader)
    return actions.issue_document(doc, user=a.clerk)


def _to_b(w: World, doc: Document) -> Delivery:
    return Delivery.objects.get(document=doc, recipient=w.b.org)


def _assign(w: World, d: Delivery, main: User) -> Delivery:
    b = w.b
    assign_handlers(Delivery.objects.get(pk=d.pk), user=b.leader, main_handler_id=main.id,
                    co_handler_ids=[b.specialist2.id], informed_ids=[b.clerk.id], note=f"Giao xử lý {MARK}")
    return Delivery.objects.get(pk=d.pk)


def _documents(w: World) -> None:
    """A's documents in every state, and B's deliveries in every status (unsigned: no one has a
    certificate yet, and signing each of them would only make the world slow to build)."""
    a, b = w.a, w.b
    _draft(w, "dự thảo", [b.org])
    returned = _draft(w, "dự thảo bị trả lại", [b.org])
    actions.submit_document(returned, user=a.specialist)
    actions.return_document(returned, user=a.leader, note=f"Sửa lại {MARK}")
    submitted = _draft(w, "chờ duyệt", [b.org])
    actions.submit_document(submitted, user=a.specialist)
    approved = _draft(w, "đã duyệt", [b.org])
    actions.submit_document(approved, user=a.specialist)
    actions.approve_document(approved, user=a.leader)

    _to_b(w, _issued(w, "đã đến", [b.org]))  # 01 at B
    actions.reject_delivery(_to_b(w, _issued(w, "bị từ chối", [b.org])), user=b.clerk, reason=f"Không đúng thẩm quyền {MARK}")
    accepted = _to_b(w, _issued(w, "đã tiếp nhận", [b.org]))
    actions.accept_delivery(accepted, user=b.clerk)
    # Shared with a specialist of B (need to know), so that withdrawing a share has one to withdraw.
    share_document(accepted.document, user=b.clerk, person_id=b.specialist.id, organization_id=b.org.id, note=f"Để biết {MARK}")
    for label, then in (("đã phân công", None), ("đang xử lý", "start"), ("hoàn thành", "complete")):
        d = _to_b(w, _issued(w, label, [b.org]))
        actions.accept_delivery(d, user=b.clerk)
        # The insider (A's and B's own administrator, in the control test) handles what is open.
        main = b.specialist if then == "complete" else w.insider
        d = _assign(w, d, main)
        if then:
            d = start_handling(d, user=main)
        if then == "complete":
            # With a reply file: its download (for the recipient and the sender) is reached and checked too.
            complete_handling(d, user=main, note=f"Đã xong {MARK}", reply_file=_pdf("văn bản trả lời"))
    actions.register_paper_document(
        user=b.clerk, organization=b.org, sender_name=f"Sở Nội vụ {MARK}", number_symbol="12/SNV",
        issued_date=timezone.localdate(), doc_type="CV", subject=f"Về việc văn bản giấy {MARK}", file=_pdf("bản quét"),
    )
    request_export(user=a.clerk, kind="register_out", fmt="xlsx", params={"organization_id": a.org.id, "year": timezone.localdate().year})


def _directives(w: World) -> None:
    """Directives of A and of B, each to its own organisation, with tasks in every state (a task of
    A's would reach A1's people if it were A1's: their tasks are theirs)."""
    today = timezone.localdate()
    for side in (w.a, w.b):
        def made(label: str, due_in: int = 30, side=side) -> Task:
            d = direction.create_directive(
                user=side.leader, organization=side.org, title=f"Kết luận về {label} {MARK}", content=f"Chỉ đạo {MARK}",
                tasks=[direction.TaskSpec(organization_id=side.org.id, content=f"Nhiệm vụ {label} {MARK}",
                                          due=today + dt.timedelta(days=due_in))])
            return d.created_tasks[0]
        made("việc mới giao")
        asked = made("việc xin gia hạn")
        direction.report_progress(asked, user=side.specialist, progress=30, content=f"Tiến độ {MARK}")
        direction.ask_extension(asked, user=side.clerk, due=today + dt.timedelta(days=90), reason=f"Lý do {MARK}")
        reported = made("việc báo cáo xong")
        direction.report_progress(reported, user=side.specialist, progress=100, content=f"Đã xong {MARK}", done=True)
        done = made("việc đã hoàn thành")
        direction.report_progress(done, user=side.specialist, progress=100, content=f"Xong {MARK}", done=True)
        direction.confirm_task(done, user=side.leader, note=f"Xác nhận {MARK}")
        late = made("việc quá hạn")
        Task.objects.filter(id=late.id).update(due=today - dt.timedelta(days=5))
    # A's work schedule: this week's a draft, next week's approved (published ones are the
    # organisations' below, A1's too); and a meeting A invites B to.
    a, monday = w.a, sched.monday(today)
    for week, approve in ((monday, False), (monday + dt.timedelta(days=7), True)):
        s = sched.week_of(a.clerk, a.org, week, create=True)
        at = timezone.make_aware(dt.datetime.combine(week + dt.timedelta(days=1), dt.time(8)))
        sched.add_entry(s, user=a.clerk, starts_at=at, content=f"Giao ban {MARK}", place=f"Phòng họp {MARK}",
                        chair_user_id=a.leader.id)
        if approve:
            sched.approve_schedule(s, user=a.leader)
    sched.create_meeting(user=a.clerk, organization=a.org, title=f"Hội nghị {MARK}", place=f"Hội trường {MARK}",
                         starts_at=timezone.make_aware(dt.datetime.combine(monday + dt.timedelta(days=16), dt.time(8))),
                         invited_ids=[w.b.org.id])


def _signed(w: World) -> None:
    """Once a peer is registered and every leader, clerk and organisation has a certificate:
    a signed and sealed document that A asks B to recall, a package to the peer waiting (00) and
    one that failed for good (98), and a package from the peer that B accepted (its status
    message waits in the outbox)."""
    peer, key, cert = register_unreachable_peer()  # and the demo authority's certificates
    ensure_demo_ca()
    w.remote = peer.organizations.get().organization
    recalled = _issued(w, "yêu cầu thu hồi", [w.b.org])
    request_recall(recalled, user=w.a.clerk, reason=f"Thu hồi {MARK}")  # 13 at B, waiting for B's answer
    verify_document(recalled, user=w.a.clerk)
    failed = _issued(w, "gửi Thành ủy không thành công", [w.remote])
    OutboxMessage.objects.filter(delivery__document=failed).update(
        created_at=timezone.now() - dt.timedelta(minutes=1), next_attempt_at=timezone.now())
    with override_settings(VANTHU_EXCHANGE_MAX_AGE_HOURS=0):
        sending.send_due()  # the peer's port is closed: the package gives up at once
    _issued(w, "đang gửi Thành ủy", [w.remote])  # 00 until the peer acknowledges
    package = E.Package(
        message_id=E.new_message_id(), sender=E.Party(REMOTE, "Thành ủy Hà Nội"), recipient=E.Party(w.b.org.code, w.b.org.name),
        code_number="7", code_notation="CV/TU", issued_date=timezone.localdate(), place="Hà Nội", type_code="CV",
        type_name="Công văn", subject=f"Về việc văn bản liên thông {MARK}", signer_authority="T/M BAN THƯỜNG VỤ",
        signer_position="Bí thư", signer_name="Nguyễn Văn An", due_date=None, priority=2, page_count=1,
        timestamp=dt.datetime.now(dt.UTC), files=[E.FilePart(f"{MARK}.pdf", make_pdf([[f"Văn bản liên thông {MARK}"]]))],
    )
    answer = receive(E.sign(E.build_package(package), key, cert), peer=peer)
    assert answer.http_status == 200, answer.body
    actions.accept_delivery(Delivery.objects.get(document__subject__contains="liên thông", recipient=w.b.org), user=w.b.clerk)
    # A member transferred from the peer to B, waiting for B's records officer (the record travels in the letter's package).
    record = {"format": "vanthu-party-member", "version": 1, "site": peer.site_id, "transfer_id": 5, "member_id": 9,
              "note": f"Điều động công tác {MARK}", "profile": {
                  "full_name": f"Phạm Thị {MARK}", "gender": "female", "birth_date": "1988-04-05", "card_number": "91000009",
                  "admitted_on": "2012-06-07", "official_on": "2013-06-07", "id_number": "001188012349"}}
    package.message_id, package.code_number, package.subject = E.new_message_id(), "8", f"Giới thiệu sinh hoạt đảng {MARK}"
    package.files = package.files + [E.FilePart("vanthu-extra-party-member-5.json", json.dumps(record).encode(),
                                                content_type="application/json", content_id="pm5")]
    answer = receive(E.sign(E.build_package(package), key, cert), peer=peer)
    assert answer.http_status == 200, answer.body


def _members(w: World) -> None:
    """Party members of A and B (MARK in their names), the insider as the records officer of both,
    rankings, and a transfer from A to B waiting for B."""
    for side in (w.a, w.b):
        membership.grant_records_role(user=w.insider, person=w.insider, organization=side.org, kind="office")
    made = []
    for n, (side, name) in enumerate([(w.a, "Nguyễn Văn"), (w.b, "Trần Thị"), (w.a, "Lê Văn")]):
        made.append(membership.create_member(user=w.insider, organization=side.org, values={
            "full_name": f"{name} {MARK}", "gender": "male", "birth_date": dt.date(1980, 1, 2), "card_number": f"9100000{n}",
            "admitted_on": dt.date(2005, 3, 4), "official_on": dt.date(2006, 3, 4), "id_number": f"00108001234{n}",
            "awards": f"Huy hiệu {MARK}"}))
        membership.rank_member(made[-1], user=w.insider, year=timezone.localdate().year - 1, grade="good")
    membership.issue_transfer(made[2], user=w.insider, to_organization_id=w.b.org.id, note=f"Chuyển công tác {MARK}")
def _programme(w: World) -> None:
    """A's programme for B: a regulation B studies, a course B sends someone to (who passed), an
    inspection of B scored and one signed with recommendations (one reported), B's inventory."""
    a, b, office, today = w.a, w.b, w.insider, timezone.localdate()
    reg = programme.publish_regulation(user=office, owner_id=a.org.id, title=f"Quy chế an toàn thông tin {MARK}", year=today.year,
                                       due_date=today, target_org_ids=[a.org.id, b.org.id])
    programme.acknowledge_regulation(reg, user=b.clerk)
    programme.confirm_study_session(reg, user=b.leader, organization_id=b.org.id, held_on=today, attendees=12)
    course = training.create_course(user=office, owner_id=a.org.id, title=f"Tập huấn chữ ký số {MARK}", audience="clerks",
                                    starts=today - dt.timedelta(days=1), ends=today + dt.timedelta(days=1), quota=3,
                                    invite_org_ids=[a.org.id, b.org.id])
    training.nominate(course, user=b.clerk, organization_id=b.org.id, person_id=b.specialist.id)
    training.record_attendance(course, user=office, person_id=b.specialist.id, day=today, status="present")
    training.record_result(course, user=office, person_id=b.specialist.id, attended=True, score=9, passed=True)
    training.set_training_plan(user=office, organization_id=b.org.id, year=today.year, planned=4)
    full = {i.code: i.max_score for i in inspecting.checklist(today.year, create=True)}
    for signed in (False, True):
        insp = inspecting.plan_inspection(user=office, owner_id=a.org.id, organization_id=b.org.id, year=today.year,
                                          planned_on=today, content=f"Kiểm tra ứng dụng CNTT {MARK}")
        inspecting.record_scores(insp, user=b.leader, side="self", scores=full)
        inspecting.record_scores(insp, user=office, side="inspector", scores=full, findings=f"Phát hiện {MARK}")
        if signed:
            inspecting.sign_off(insp, user=office)
            inspecting.add_recommendation(insp, user=office, text=f"Kiến nghị còn mở {MARK}", deadline=today)
            rec = inspecting.add_recommendation(insp, user=office, text=f"Kiến nghị đã báo cáo {MARK}", deadline=today)
            inspecting.report_recommendation(rec, user=b.clerk, report=f"Đã thực hiện {MARK}")
    infrastructure.save_inventory(user=b.clerk, organization_id=b.org.id, year=today.year,
                                  values={"clerks": 3, "computers_under_5": 2, "software": f"Phần mềm {MARK}"})
def _legacy(w: World, tmp_dir: str) -> None:
    """A's Lotus Notes records: one kept as a record, one also entered in A's outgoing register."""
    notes = [samples.SampleNote(
        form=form, unid=samples.unid(n, MARK), note_id=f"{n:x}", created="20110602T091505,27+07",
        modified="20110602T091505,27+07", updated_by=[f"CN=Văn thư {MARK}/O=A"],
        items=[samples.number("SoVB", n), samples.text("TrichYeu", f"Hồ sơ cũ {MARK} {n}"),
               samples.richtext("Body", [f"Nội dung {MARK}"], picture=samples.GIF)],
        files=[samples.File(f"{MARK}-{n}.doc", f"Tệp {MARK} {n}".encode())]) for n, form in ((1, "GhiChep"), (2, "VanBanDi"))]
    path = f"{tmp_dir}/a.dxl"
    with open(path, "wb") as fh:
        samples.write_export(fh, notes)
    mapping = parse_mapping('[forms.VanBanDi]\nregister = "outgoing"\nnumber = "SoVB"\nsubject = "TrichYeu"\n'
                            'default_doc_type = "CV"\nterm = "2010-2015"\n')
    run_import(path, organization=w.a.org, mapping=mapping)
@dataclass
class ArchiveHints:
    """The archive's objects the generated requests must name to reach something of A's."""

    document_id: int = 0  # an issued document of A in no case file
    item_ids: list[int] = field(default_factory=list)  # the open case file's items, in order
    handover_year: int = 0
    handover_case_file_ids: list[int] = field(default_factory=list)  # closed, in no handover yet
    decision_id: int = 0  # an issued decision listing the expired case file
    expired_case_file_ids: list[int] = field(default_factory=list)


def _archive(w: World) -> None:
    """A's archive in every state: a file list with a heading and case files planned, open (with
    documents and an uploaded record), closed, handed over (signed by both sides, with a reading
    request pending), past its retention (with the decision to dispose of it), and disposed."""
    a = w.a
    ensure_retention_periods()
    archive.appoint_archivist(user=w.insider, organization=a.org, person_id=w.insider.id)
    last = timezone.localdate().year - 1
    fl = archive.create_file_list(user=a.leader, organization=a.org, year=last)
    heading = archive.add_heading(fl, user=a.leader, code="I", title=f"Công tác văn phòng {MARK}")

    def entry(code: str, retention: str = "10", in_list: FileList = fl) -> CaseFile:
        return archive.add_entry(in_list, user=a.leader, code=code, title=f"Hồ sơ {code} {MARK}", retention=retention,
                                 heading_id=heading.id if in_list == fl else None, responsible_id=a.specialist.id)

    def filled(code: str, docs: list[Document], retention: str = "10", in_list: FileList = fl) -> CaseFile:
        cf = archive.open_case_file(entry(code, retention, in_list), user=a.specialist)
        for d in docs:
            archive.add_document(cf, user=a.specialist, document_id=d.id)
        return cf

    entry("01.01")  # planned
    issued = [_issued(w, f"lưu hồ sơ {i}", [w.b.org]) for i in range(5)]
    open_cf = filled("01.02", issued[:1])
    archive.add_record(open_cf, user=a.specialist, name=f"{MARK}.pdf", data=f.pdf_bytes(f"Tài liệu {MARK}"), title=f"Bản quét {MARK}")
    free = archive.close_case_file(filled("01.03", issued[1:2]), user=a.specialist)
    handed = archive.close_case_file(filled("01.04", issued[2:3]), user=a.specialist)
    h = archive.prepare_handover(user=a.clerk, organization=a.org, year=last, case_file_ids=[handed.id])
    h = archive.sign_handover(h, user=a.clerk)
    archive.sign_handover(h, user=w.insider)
    archive.request_access(CaseFile.objects.get(pk=handed.id), user=a.specialist, reason=f"Tra cứu {MARK}")
    archive.prepare_handover(user=a.clerk, organization=a.org, year=last,
                             case_file_ids=[archive.close_case_file(filled("01.05", issued[3:4]), user=a.specialist).id])

    old = archive.create_file_list(user=a.leader, organization=a.org, year=2015)
    paper = [actions.register_paper_document(
        user=a.clerk, organization=a.org, sender_name=f"Thành ủy {MARK}", number_symbol=f"{n}-CV/TU", issued_date=dt.date(2015, 5, n),
        doc_type="CV", subject=f"Về việc lưu trữ năm 2015 {MARK}", file=_pdf(f"năm 2015 số {n}")).document for n in (1, 2)]
    expired = archive.close_case_file(filled("15.01", paper[:1], "05", old), user=a.specialist)
    gone = archive.close_case_file(filled("15.02", paper[1:], "05", old), user=a.specialist)
    decision = _issued_decision(w, f"Quyết định hủy tài liệu hết giá trị: hồ sơ 15.01, 15.02 {MARK}")
    archive.dispose(user=w.insider, organization=a.org, decision_id=decision.id, case_file_ids=[gone.id])
    w.archive = ArchiveHints(document_id=issued[4].id, item_ids=list(open_cf.items.values_list("id", flat=True)),
                             handover_year=last, handover_case_file_ids=[free.id], decision_id=decision.id,
                             expired_case_file_ids=[expired.id])


def _issued_decision(w: World, subject: str) -> Document:
    a = w.a
    doc = actions.create_draft(user=a.specialist, organization=a.org, doc_type="QĐ", subject=subject,
                               recipient_ids=[w.b.org.id], main_file=_pdf("quyết định"),
                               signatory_id=Signatory.objects.get(organization=a.org, user=a.leader).id)
    actions.submit_document(doc, user=a.specialist)
    actions.approve_document(doc, user=a.leader)
    return actions.issue_document(doc, user=a.clerk)


def _delegations(w: World) -> None:
    """The insider, a signing leader of A, names A's leader to sign in their place next month
    (so that a delegation made in the control test for today does not overlap it)."""
    later = timezone.localdate() + dt.timedelta(days=30)
    delegations.create_delegation(user=w.insider, organization=w.a.org, deputy_id=w.a.leader.id, form="K/T",
                                  starts_on=later, ends_on=later + dt.timedelta(days=4), reason=f"Đi công tác {MARK}")


def _persona(w: World, relation: str, set_name: str, roles: tuple[str, ...]) -> Persona:
    orgs = {"unrelated": [w.outsider], "parent": [w.bloc], "child": [w.a1, w.b1]}[relation]
    user = f.make_user(None, full_name=f"Người ngoài {relation} {set_name}")
    Membership.objects.bulk_create([Membership(user=user, organization=o, role=r) for o in orgs for r in roles])
    return Persona(key=f"{relation}-{set_name}", relation=relation, roles=roles, user=user, token=token_for(user),
                   own_org_ids=[o.id for o in orgs])


def one_of_each(rows: list[tuple[str, tuple, object]]) -> list[tuple[str, object]]:
    """One object of each kind of state: what differs between two drafts is not who may see them."""
    seen: dict[tuple, tuple[str, object]] = {}
    for label, state, value in rows:
        seen.setdefault(state, (f"{label} {'/'.join(map(str, state))}", value))
    return list(seen.values())


def _catalogue(w: World) -> None:
    """What path parameters may name, and what must never reach anyone else."""
    victims = [w.a.org.id, w.b.org.id]
    docs = Document.objects.filter(id__in=Document.objects.filter(issuer_id__in=victims).values("id")) | Document.objects.filter(
        id__in=Delivery.objects.filter(recipient_id__in=victims).values("document_id"))
    docs = list(docs.distinct().order_by("id"))
    deliveries = list(Delivery.objects.filter(document__in=docs).order_by("id"))
    files = sorted(set(DocumentFile.objects.filter(document__in=docs).values_list("file_id", flat=True)))
    shared = set(DocumentShare.objects.values_list("document_id", flat=True))
    messages = list(OutboxMessage.objects.order_by("id"))
    people = [u for s in (w.a, w.b) for u in (s.clerk, s.leader, s.specialist, s.specialist2)] + [w.insider]
    w.victim_org_ids = victims
    signed = {d.id for d in docs if d.authoritative_file_id}
    w.path_values = {
        # A shared one among them: withdrawing a share needs one (need to know).
        "document_id": one_of_each([(f"document {d.id}", (d.status, d.source, d.id in signed, d.id in shared), d.id) for d in docs]),
        "delivery_id": one_of_each([(f"delivery {d.id}", (d.status_code, d.source, d.recipient_id), d.id) for d in deliveries]),
        "message_id": one_of_each([(f"outbox message {m.id}", (m.kind, m.state), m.id) for m in messages]),
        "org_id": [(f"organization {o}", o) for o in victims],
        "sha256": one_of_each([(f"file {df.file_id[:12]}", (df.document.status, df.document.source, df.role), df.file_id)
                               for df in DocumentFile.objects.filter(document__in=docs).select_related("document").order_by("id")]),
        "root_id": [(f"trust root {r.id}", r.id) for r in TrustRoot.objects.order_by("id")],
        "person_id": [(f"person {u.id} ({u.username})", u.id) for u in (w.a.clerk, w.b.specialist)],
        "member_id": [(f"party member {m.id}", m.id) for m in PartyMember.objects.filter(organization_id__in=victims).order_by("id")],
        "transfer_id": [(f"transfer {t.id}", t.id) for t in Transfer.objects.order_by("id")],
        "incoming_id": [(f"incoming transfer {t.id}", t.id) for t in IncomingTransfer.objects.filter(to_org_id__in=victims)],
        # Office actions must all succeed for those allowed them: the inspection still open (fully
        # scored, so it can be signed) and the recommendation reported (so it can be closed).
        "regulation_id": [(f"regulation {r.id}", r.id) for r in Regulation.objects.filter(owner_id__in=victims)],
        "course_id": [(f"course {c.id}", c.id) for c in Course.objects.filter(owner_id__in=victims)],
        "inspection_id": [(f"inspection {i.id}", i.id) for i in Inspection.objects.filter(organization_id__in=victims, status="planned")],
        "recommendation_id": [(f"recommendation {r.id}", r.id) for r in Recommendation.objects.filter(organization_id__in=victims,
                                                                                                      status="reported")],
        "file_list_id": [(f"file list {fl.id} ({fl.year})", fl.id) for fl in FileList.objects.filter(organization_id__in=victims)],
        "case_file_id": one_of_each([(f"case file {c.id}", (c.status,), c.id) for c in CaseFile.objects.filter(organization_id__in=victims)]),
        "item_id": one_of_each([(f"case item {i.id}", (i.case_file.status, bool(i.record_id)), i.id)
                                for i in CaseItem.objects.filter(organization_id__in=victims).select_related("case_file")]),
        "handover_id": one_of_each([(f"handover {h.id}", (h.status,), h.id) for h in Handover.objects.filter(organization_id__in=victims)]),
        "request_id": [(f"access request {r.id}", r.id) for r in AccessRequest.objects.filter(organization_id__in=victims)],
        "notification_id": [(f"notification {n.id} of {n.user_id}", n.id)
                            for n in Notification.objects.filter(user__in=people).order_by("id")[:3]],
        "record_id": [(f"legacy record {r.id} ({r.form})", r.id) for r in LegacyRecord.objects.filter(organization_id__in=victims)],
        "delegation_id": [(f"delegation {d.id}", d.id) for d in Delegation.objects.filter(organization_id__in=victims).order_by("id")],
    }
    directives = list(Directive.objects.filter(organization_id__in=victims).order_by("id"))
    tasks = list(Task.objects.filter(directive__in=directives).order_by("id"))
    pending = set(ExtensionRequest.objects.filter(state="pending").values_list("task_id", flat=True))
    w.path_values["directive_id"] = [(f"directive {d.id}", d.id) for d in directives]
    w.path_values["task_id"] = one_of_each([(f"task {t.id}", (t.state, t.id in pending, t.is_overdue()), t.id) for t in tasks])
    schedules = list(Schedule.objects.filter(organization_id__in=victims).order_by("id"))
    entries = list(Entry.objects.filter(schedule__in=schedules).order_by("id"))
    meetings = list(Meeting.objects.filter(organization_id__in=victims).order_by("id"))
    w.path_values["schedule_id"] = [(f"schedule {s.id} ({s.state})", s.id) for s in schedules]
    w.path_values["entry_id"] = [(f"schedule entry {e.id}", e.id) for e in entries]
    w.path_values["meeting_id"] = [(f"meeting {m.id}", m.id) for m in meetings]
    w.secret_ids = {
        "schedule": {s.id for s in schedules},
        "schedule_entry": {e.id for e in entries},
        "meeting": {m.id for m in meetings},
        "invitation": set(Invitation.objects.filter(meeting__in=meetings).values_list("id", flat=True)),
        "directive": {d.id for d in directives},
        "task": {t.id for t in tasks},
        "task_report": set(Report.objects.filter(task__in=tasks).values_list("id", flat=True)),
        "extension_request": set(ExtensionRequest.objects.filter(task__in=tasks).values_list("id", flat=True)),
        "document": {d.id for d in docs},
        "delivery": {d.id for d in deliveries},
        "outbox_message": {m.id for m in messages},
        "user": {u.id for u in people},
        "signing_certificate": set(SigningCertificate.objects.filter(user__in=people).values_list("id", flat=True))
        | set(SigningCertificate.objects.filter(organization_id__in=victims).values_list("id", flat=True)),
        "notification": set(Notification.objects.filter(user__in=people).values_list("id", flat=True)),
        "party_member": set(PartyMember.objects.filter(organization_id__in=victims).values_list("id", flat=True)),
        "transfer": set(Transfer.objects.values_list("id", flat=True)),
        "incoming_transfer": set(IncomingTransfer.objects.filter(to_org_id__in=victims).values_list("id", flat=True)),
        "regulation": set(Regulation.objects.filter(owner_id__in=victims).values_list("id", flat=True)),
        "course": set(Course.objects.filter(owner_id__in=victims).values_list("id", flat=True)),
        "enrolment": set(Enrolment.objects.filter(organization_id__in=victims).values_list("id", flat=True)),
        "inspection": set(Inspection.objects.filter(organization_id__in=victims).values_list("id", flat=True)),
        "recommendation": set(Recommendation.objects.filter(organization_id__in=victims).values_list("id", flat=True)),
        "legacy_record": set(LegacyRecord.objects.filter(organization_id__in=victims).values_list("id", flat=True)),
        "legacy_attachment": set(LegacyAttachment.objects.filter(record__organization_id__in=victims).values_list("id", flat=True)),
        "file_list": set(FileList.objects.filter(organization_id__in=victims).values_list("id", flat=True)),
        "heading": set(Heading.objects.filter(file_list__organization_id__in=victims).values_list("id", flat=True)),
        "case_file": set(CaseFile.objects.filter(organization_id__in=victims).values_list("id", flat=True)),
        "case_item": set(CaseItem.objects.filter(organization_id__in=victims).values_list("id", flat=True)),
        "handover": set(Handover.objects.filter(organization_id__in=victims).values_list("id", flat=True)),
        "access_request": set(AccessRequest.objects.filter(organization_id__in=victims).values_list("id", flat=True)),
        "disposal": set(Disposal.objects.filter(organization_id__in=victims).values_list("id", flat=True)),
    }
    archived = {*CaseFile.objects.filter(organization_id__in=victims, contents_sheet__isnull=False).values_list("contents_sheet_id", flat=True),
                *CaseItem.objects.filter(organization_id__in=victims, record__isnull=False).values_list("record_id", flat=True),
                *Handover.objects.filter(organization_id__in=victims).values_list("record_id", flat=True),
                *Handover.objects.filter(organization_id__in=victims).values_list("handover_list_id", flat=True)}
    w.secret_texts = [MARK, *files, *sorted(archived), *(str(m.message_id) for m in messages),
                      *PartyMember.objects.filter(organization_id__in=victims).values_list("card_number", flat=True)]


def build() -> World:
    """Make the world through the real actions, with background work run as it is queued."""
    ensure_document_types()
    bloc = f.make_org("Đảng bộ Khối các cơ quan Thành phố Hà Nội", code="000.00.90.H26", kind=OrgKind.BLOC_COMMITTEE)
    a = _side("Đảng ủy cơ quan A", "000.00.91.H26", bloc, "A")
    b = _side("Đảng bộ cơ quan B", "000.00.92.H26", bloc, "B")
    insider = f.make_user(a.org, *ROLES, full_name=f"Quản trị {MARK}")
    Membership.objects.bulk_create([Membership(user=insider, organization=b.org, role=r) for r in ROLES])
    User.objects.filter(pk=insider.pk).update(is_superuser=True)
    w = World(
        bloc=bloc, a=a, b=b,
        outsider=f.make_org("Đảng bộ cơ quan O", code="000.00.93.H26", parent=bloc),
        a1=f.make_org("Chi bộ A1", code="000.00.94.H26", parent=a.org, kind=OrgKind.SUB_CELL),
        b1=f.make_org("Chi bộ B1", code="000.00.95.H26", parent=b.org, kind=OrgKind.SUB_CELL),
        insider=insider, insider_token=token_for(insider),
    )
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "slow"]}}
    with override_settings(TASKS=immediate), TestCase.captureOnCommitCallbacks(execute=True):
        _documents(w)
        _delegations(w)
        _directives(w)
        _signed(w)
        _members(w)
        with tempfile.TemporaryDirectory() as tmp_dir:
            _legacy(w, tmp_dir)
        _archive(w)
    _programme(w)
    fold_pending()  # the statistics a worker would have folded by now (a fold is queued once per few seconds)
    for relation in RELATIONS:
        for set_name, roles in ROLE_SETS.items():
            p = _persona(w, relation, set_name, roles)
            w.personas[p.key] = p
    _catalogue(w)
    return w
