"""Need to know inside an organisation (issue 16 §11), for every role, through the API and pages.

Clerks and leaders see all of their organisation's correspondence. A specialist (and any other
member: inspector, the organisation's administrator) sees an incoming document once it is assigned
to them (main, co-handler, for information) or shared with them, and the drafts they wrote or were
asked to review. An organisation may let every member see everything (its administrator's setting).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from vanthu.audit.models import AuditEntry
from vanthu.documents import actions
from vanthu.documents.models import Delivery, DocumentFile, DocumentShare
from vanthu.notifications.models import Notification
from vanthu.organizations.models import Role
from vanthu.testing import factories as f
from vanthu.workflow.actions import assign_handlers


def issued(world, subject: str = "Về việc tổng kết công tác chuyển đổi số năm 2026"):
    a = world.a
    return f.issued(a.org, specialist=a.specialist, leader=a.leader, clerk=a.clerk, recipients=[world.b.org], subject=subject)


def incoming(world, subject: str = "Về việc tổng kết công tác chuyển đổi số năm 2026", *, accept: bool = True) -> Delivery:
    d = f.delivery_to(issued(world, subject), world.b.org)
    if accept:
        actions.accept_delivery(d, user=world.b.clerk)
    return Delivery.objects.get(pk=d.pk)


def assign(world, d: Delivery, *, main, co=(), informed=()) -> None:
    assign_handlers(Delivery.objects.get(pk=d.pk), user=world.b.leader, main_handler_id=main.id,
                    co_handler_ids=[u.id for u in co], informed_ids=[u.id for u in informed])


def draft(world, author, subject: str = "Về việc dự thảo quy chế làm việc của Ban Chấp hành nhiệm kỳ 2025-2030"):
    return actions.create_draft(user=author, organization=world.a.org, doc_type="CV", subject=subject,
                                recipient_ids=[world.b.org.id], main_file=f.upload("duthao.pdf", f.pdf_bytes(subject)))


def sees_incoming(api, world, d: Delivery) -> bool:
    """Whether every door shows the incoming record alike: document, record, file, inbox, register."""
    doc = api.get(f"/api/v1/documents/{d.document_id}")
    record = api.get(f"/api/v1/incoming/{d.id}")
    # A file's bytes are stored once (by SHA-256) for every document that has them: one only this
    # document has (its sealed copy), else the file shows nothing about this document alone.
    shas = [u.file_id for u in DocumentFile.objects.filter(document_id=d.document_id)
            if not DocumentFile.objects.filter(file_id=u.file_id).exclude(document_id=d.document_id).exists()]
    file = api.get(f"/api/v1/files/{shas[0]}") if shas else doc
    inbox = [i["id"] for i in api.get("/api/v1/inbox", organization_id=world.b.org.id).json()["items"]]
    register = [i["id"] for i in api.get("/api/v1/incoming", organization_id=world.b.org.id).json()["items"]]
    answers = {doc.status_code == 200, record.status_code == 200, file.status_code == 200, d.id in inbox}
    if d.incoming_number is not None:  # the register holds accepted records only
        answers.add(d.id in register)
    assert len(answers) == 1, (doc.status_code, record.status_code, file.status_code, inbox, register)
    if not answers.pop():
        assert doc.status_code == record.status_code == file.status_code == 404
        return False
    return True


# --- incoming: by role -------------------------------------------------------------------------------

def test_clerk_and_leader_see_every_incoming_document_even_before_acceptance(world, api_as):
    arrived = incoming(world, "Về việc báo cáo công tác tháng 5", accept=False)
    accepted = incoming(world, "Về việc báo cáo công tác tháng 6")
    for user in (world.b.clerk, world.b.leader):
        api = api_as(user)
        assert sees_incoming(api, world, arrived) and sees_incoming(api, world, accepted)


def test_specialist_sees_no_incoming_document_until_assigned_and_then_only_that_one(world, api_as):
    arrived = incoming(world, "Về việc báo cáo công tác tháng 5", accept=False)
    mine = incoming(world, "Về việc kiểm tra việc thực hiện quy chế dân chủ")
    other = incoming(world, "Về việc chuẩn bị hội nghị sơ kết")
    spec = api_as(world.b.specialist)
    assert not any(sees_incoming(spec, world, d) for d in (arrived, mine, other))
    assert spec.get("/api/v1/inbox", organization_id=world.b.org.id).json() == {"items": [], "count": 0}

    assign(world, mine, main=world.b.specialist)
    assert sees_incoming(spec, world, mine)
    assert not sees_incoming(spec, world, arrived) and not sees_incoming(spec, world, other)
    assert spec.get("/api/v1/inbox", organization_id=world.b.org.id).json()["count"] == 1
    # Handling works for them now (it was 404 before the assignment).
    assert spec.post(f"/api/v1/incoming/{mine.id}/start").status_code == 200


@pytest.mark.parametrize("as_role", ["co", "informed"])
def test_co_handler_and_informed_specialist_see_the_assigned_document(world, api_as, as_role):
    d = incoming(world)
    kw = {"co": [world.b.specialist2]} if as_role == "co" else {"informed": [world.b.specialist2]}
    assign(world, d, main=world.b.specialist, **kw)
    assert sees_incoming(api_as(world.b.specialist2), world, d)


def test_reassignment_takes_the_document_from_whoever_is_no_longer_named(world, api_as):
    d = incoming(world)
    assign(world, d, main=world.b.specialist)
    assign(world, d, main=world.b.specialist2)
    assert not sees_incoming(api_as(world.b.specialist), world, d)
    assert sees_incoming(api_as(world.b.specialist2), world, d)


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.ADMIN])
def test_inspector_and_organisation_administrator_see_only_what_they_need_to_know(world, api_as, role):
    person = f.make_user(world.b.org, role, full_name="Nguyễn Văn Hùng")
    d = incoming(world)
    assert not sees_incoming(api_as(person), world, d)


def test_the_organisation_may_let_every_member_see_all_its_correspondence(world, api_as):
    d = incoming(world, accept=False)
    spec = api_as(world.b.specialist)
    assert not sees_incoming(spec, world, d)
    world.b.org.all_members_see_correspondence = True
    world.b.org.save(update_fields=["all_members_see_correspondence"])
    assert sees_incoming(api_as(world.b.specialist), world, d)
    # Another organisation's setting opens nothing of it to the people of this one.
    assert api_as(world.c.specialist).get(f"/api/v1/documents/{d.document_id}").status_code == 404


# --- drafts ------------------------------------------------------------------------------------------

def test_a_draft_is_seen_by_its_drafter_the_clerk_and_the_leader_not_by_other_specialists(world, api_as):
    doc = draft(world, world.a.specialist)
    for user, status in ((world.a.specialist, 200), (world.a.clerk, 200), (world.a.leader, 200), (world.a.specialist2, 404)):
        api = api_as(user)
        assert api.get(f"/api/v1/documents/{doc.id}").status_code == status, user
        listed = [i["id"] for i in api.get("/api/v1/documents", organization_id=world.a.org.id).json()["items"]]
        assert (doc.id in listed) == (status == 200)


def test_the_drafter_asks_a_colleague_to_review_and_may_withdraw_it(world, api_as):
    doc = draft(world, world.a.specialist)
    reviewer = api_as(world.a.specialist2)
    r = api_as(world.a.specialist).post(f"/api/v1/documents/{doc.id}/shares",
                                        {"person_id": world.a.specialist2.id, "purpose": "review", "note": "Nhờ đồng chí góp ý mục 3"})
    assert r.status_code == 201, r.content
    assert r.json()["purpose"] == "review" and r.json()["person_name"] == "Chuyên viên hai ĐUK"
    assert reviewer.get(f"/api/v1/documents/{doc.id}").status_code == 200
    assert doc.id in [i["id"] for i in reviewer.get("/api/v1/documents", organization_id=world.a.org.id).json()["items"]]
    assert AuditEntry.objects.filter(action="document_shared", data__person=world.a.specialist2.id).exists()

    drafter = api_as(world.a.specialist)
    gone = drafter.client.delete(f"/api/v1/documents/{doc.id}/shares/{world.a.specialist2.id}", headers=drafter.headers)
    assert gone.status_code == 204
    assert reviewer.get(f"/api/v1/documents/{doc.id}").status_code == 404
    assert AuditEntry.objects.filter(action="document_share_withdrawn").exists()


def test_the_clerk_shares_an_incoming_document_with_a_specialist_to_read(world, api_as):
    d = incoming(world)
    spec = api_as(world.b.specialist)
    assert not sees_incoming(spec, world, d)
    r = api_as(world.b.clerk).post(f"/api/v1/documents/{d.document_id}/shares", {"person_id": world.b.specialist.id})
    assert r.status_code == 201, r.content
    assert r.json()["organization_id"] == world.b.org.id
    assert sees_incoming(spec, world, d)
    # They are told, with a link to the document.
    notice = Notification.objects.select_related("notice").get(user=world.b.specialist, notice__kind="document_shared").notice
    assert notice.url == f"/documents/{d.document_id}/" and "Văn bản chia sẻ để biết" in notice.title
    listed = api_as(world.b.leader).get(f"/api/v1/documents/{d.document_id}/shares").json()
    assert [s["person_id"] for s in listed["items"]] == [world.b.specialist.id]


def test_sharing_is_refused_to_those_who_may_not_and_with_people_outside(world, api_as):
    d = incoming(world)
    assign(world, d, main=world.b.specialist)
    before = DocumentShare.objects.count()
    # A specialist who sees it passes it on to no one: 403.
    r = api_as(world.b.specialist).post(f"/api/v1/documents/{d.document_id}/shares", {"person_id": world.b.specialist2.id})
    assert r.status_code == 403 and r.json()["error"]["code"] == "share_not_allowed"
    clerk = api_as(world.b.clerk)
    # Nobody of another organisation: 422 naming the field.
    r = clerk.post(f"/api/v1/documents/{d.document_id}/shares", {"person_id": world.c.specialist.id})
    assert r.status_code == 422 and r.json()["error"]["details"]["field"] == "person_id"
    assert clerk.post(f"/api/v1/documents/{d.document_id}/shares", {"person_id": world.b.specialist2.id}).status_code == 201
    # Twice: 409, and one share only.
    assert clerk.post(f"/api/v1/documents/{d.document_id}/shares", {"person_id": world.b.specialist2.id}).status_code == 409
    assert DocumentShare.objects.count() == before + 1
    # Another organisation's clerk reaches nothing: not found, as if it did not exist.
    assert api_as(world.c.clerk).post(f"/api/v1/documents/{d.document_id}/shares", {"person_id": world.c.specialist.id}).status_code == 404


# --- pages -------------------------------------------------------------------------------------------

def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_show_a_specialist_only_the_documents_they_need_to_know(world):
    mine = incoming(world, "Về việc kiểm tra việc thực hiện quy chế dân chủ ở cơ sở")
    other = incoming(world, "Về việc chuẩn bị hội nghị sơ kết giữa nhiệm kỳ")
    assign(world, mine, main=world.b.specialist)
    c = signed_in(world.b.specialist)
    inbox = c.get("/inbox/").content.decode()
    assert mine.document.symbol in inbox and other.document.symbol not in inbox
    register = c.get("/registers/incoming/").content.decode()
    assert mine.document.symbol in register and other.document.symbol not in register
    assert c.get(f"/documents/{mine.document_id}/").status_code == 200
    assert c.get(f"/documents/{other.document_id}/").status_code == 404
    assert other.document.symbol in signed_in(world.b.clerk).get("/inbox/").content.decode()


def test_outgoing_page_lists_a_specialists_own_drafts_only(world):
    own = draft(world, world.a.specialist, "Về việc dự thảo kế hoạch kiểm tra, giám sát năm 2027")
    theirs = draft(world, world.a.specialist2, "Về việc dự thảo chương trình hành động thực hiện nghị quyết")
    page = signed_in(world.a.specialist).get("/documents/").content.decode()
    assert "kế hoạch kiểm tra, giám sát năm 2027" in page and "chương trình hành động" not in page
    leader_page = signed_in(world.a.leader).get("/documents/").content.decode()
    assert "kế hoạch kiểm tra, giám sát năm 2027" in leader_page and "chương trình hành động" in leader_page
    assert own.id != theirs.id


def test_the_clerk_shares_from_the_document_page(world):
    d = incoming(world)
    clerk = signed_in(world.b.clerk)
    page = clerk.get(f"/documents/{d.document_id}/").content.decode()
    assert 'id="h-shares"' in page and f'value="{world.b.org.id}:{world.b.specialist.id}"' in page
    r = clerk.post(f"/documents/{d.document_id}/share/", {"person": f"{world.b.org.id}:{world.b.specialist.id}", "purpose": "read"})
    assert r.status_code == 302
    assert signed_in(world.b.specialist).get(f"/documents/{d.document_id}/").status_code == 200
    # The specialist sees the document, but no sharing form: it is not theirs to pass on.
    assert 'id="h-shares"' not in signed_in(world.b.specialist).get(f"/documents/{d.document_id}/").content.decode()
    share = DocumentShare.objects.get()
    assert clerk.post(f"/documents/{d.document_id}/shares/{share.id}/withdraw/").status_code == 302
    assert signed_in(world.b.specialist).get(f"/documents/{d.document_id}/").status_code == 404


def test_the_organisations_administrator_widens_it_on_the_organisation_page(world, api_as):
    cell = f.make_org("Chi bộ Phòng Ngân sách", short_name="CB", parent=world.b.org)
    admin = f.make_user(cell, Role.ADMIN, full_name="Quản trị chi bộ")
    member = f.make_user(cell, Role.SPECIALIST, full_name="Đảng viên Phòng Ngân sách")
    clerk = f.make_user(cell, Role.CLERK, full_name="Văn thư chi bộ")
    doc = actions.register_paper_document(
        user=clerk, organization=cell, sender_name="Ủy ban nhân dân quận Ba Đình", number_symbol="15/UBND",
        issued_date=timezone.localdate(),
        doc_type="CV", subject="Về việc phối hợp tổ chức hội nghị", file=f.upload("scan.pdf", f.pdf_bytes("Bản quét công văn")),
    ).document
    assert api_as(member).get(f"/api/v1/documents/{doc.id}").status_code == 404
    c = signed_in(admin)
    url = f"/manage/organizations/{cell.id}/"
    page = c.get(url)
    assert 'name="all_members_see_correspondence"' in page.content.decode()
    day = lambda d: d.strftime("%d/%m/%Y") if d else ""  # noqa: E731 — the date box's format
    form = {"name": cell.name, "short_name": cell.short_name, "place": cell.place, "invalid_signature_policy": "hold",
            "term_label": cell.term_label, "term_start": day(cell.term_start), "term_end": day(cell.term_end),
            "all_members_see_correspondence": "on"}
    assert c.post(url, form).status_code == 302
    cell.refresh_from_db()
    assert cell.all_members_see_correspondence
    entry = AuditEntry.objects.filter(action="organization_settings_changed").get()
    assert entry.actor_id == admin.id and entry.data == {"all_members_see_correspondence": ["False", "True"]}
    # Another organisation's settings are not found, and the Django admin is not theirs.
    assert c.get(f"/manage/organizations/{world.a.org.id}/").status_code == 404
    assert c.get(f"/admin/organizations/organization/{cell.id}/change/").status_code == 302
    assert api_as(member).get(f"/api/v1/documents/{doc.id}").status_code == 200
