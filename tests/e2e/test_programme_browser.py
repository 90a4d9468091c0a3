"""The programme in a real browser, on a desktop and a phone: the office's course page, the
inspection form, and the evaluation page whose figures link to their evidence. Screenshots of each
are kept in test-results/."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from vanthu.programme import inspecting, training
from vanthu.programme.measures import SOURCES
from vanthu.programme.models import Enrolment, Inspection
from vanthu.reports.models import Criterion
from vanthu.testing import factories as f

from .conftest import DESKTOP, PHONE, RESULTS

YEAR = timezone.localdate().year


def shot(page, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"programme-{name}.png"), full_page=True)


def test_the_office_runs_a_course_in_the_browser(pages, world):
    office = f.make_user(world.bloc, "inspector", full_name="Nguyễn Thị Kiểm")
    course = training.create_course(user=office, title="Tập huấn chữ ký số cho văn thư", audience="clerks",
                                    starts=date(YEAR, 3, 10), ends=date(YEAR, 3, 11), quota=2,
                                    invite_org_ids=[world.a.org.id, world.b.org.id])
    training.nominate(course, user=world.b.clerk, organization_id=world.b.org.id, person_id=world.b.specialist.id)
    page = pages(office).page
    page.goto(f"{pages.url}/programme/courses/{course.id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tập huấn chữ ký số cho văn thư")
    page.get_by_label("Ghi danh học viên").select_option(str(world.a.clerk.id))
    page.get_by_role("button", name="Ghi danh", exact=True).click()
    row = page.locator(f"#enrolment-{world.a.clerk.id}")
    expect(row).to_contain_text(world.a.clerk.get_full_name())
    row.get_by_label("Điểm (0–10)").fill("8,5")  # as a Vietnamese keyboard writes it
    row.get_by_label("Đạt").check()
    row.get_by_role("button", name="Ghi kết quả").click()
    row = page.locator(f"#enrolment-{world.a.clerk.id}")
    expect(row.get_by_role("link", name="Giấy chứng nhận")).to_be_visible()
    assert Enrolment.objects.get(user=world.a.clerk).passed
    # A score out of range is refused with a message, and nothing changes.
    other = page.locator(f"#enrolment-{world.b.specialist.id}")
    other.get_by_label("Điểm (0–10)").fill("12")
    other.get_by_role("button", name="Ghi kết quả").click()
    expect(page.locator(".messages .msg-error").first).to_contain_text("Điểm phải từ 0 đến 10.")
    assert Enrolment.objects.get(user=world.b.specialist).passed is None
    shot(page, "course-desktop")
    phone = pages(office, viewport=PHONE, name="phone").page
    phone.goto(f"{pages.url}/programme/courses/{course.id}/")
    expect(phone.locator(f"#enrolment-{world.a.clerk.id}")).to_contain_text("Đạt")
    shot(phone, "course-phone")


def test_the_inspection_form_and_the_evaluation_with_its_evidence(pages, world):
    office = f.make_user(world.bloc, "inspector", full_name="Nguyễn Thị Kiểm")
    insp = inspecting.plan_inspection(user=office, organization_id=world.a.org.id, year=YEAR,
                                      planned_on=timezone.localdate() - timedelta(days=1), content="Kiểm tra ứng dụng CNTT năm")
    items = inspecting.checklist(YEAR)
    page = pages(office).page
    page.goto(f"{pages.url}/programme/inspections/{insp.id}/")
    for i in items:
        page.locator(f"#score-{i.code}").fill(str(i.max_score - 2))
    page.get_by_label("Kết quả, phát hiện").fill("Văn bản đi đã ký số; còn hai máy tính cũ.")
    page.get_by_role("button", name="Lưu điểm của đoàn").click()
    expect(page.locator("#scores tfoot")).to_contain_text(str(sum(i.max_score - 2 for i in items)))
    shot(page, "inspection-desktop")
    page.get_by_role("button", name="Ký biên bản", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đã ký biên bản")
    page.get_by_label("Kiến nghị").fill("Thay máy tính cho văn thư trước quý II")
    page.locator("#id_deadline").fill((timezone.localdate() + timedelta(days=30)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Thêm kiến nghị").click()
    expect(page.locator("#recommendations")).to_contain_text("Thay máy tính cho văn thư")
    assert Inspection.objects.get().status == "signed"
    phone = pages(world.a.clerk, viewport=PHONE, name="clerk-phone").page
    phone.goto(f"{pages.url}/programme/inspections/{insp.id}/")
    expect(phone.locator("#recommendations")).to_contain_text("Thay máy tính cho văn thư")
    shot(phone, "inspection-phone")

    # The evaluation page: each programme figure links to the organisation's evidence.
    # (A transactional test's flush removed the criteria the migrations seed: the five again.)
    for code, source in zip(("quy-che", "dao-tao", "kiem-tra", "kien-nghi", "ha-tang"), SOURCES, strict=True):
        Criterion.objects.update_or_create(code=code, defaults={"name": str(SOURCES[source][0]), "source": source, "weight": 10,
                                                                "is_active": True})
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        ev = pages(office, viewport=viewport, name=f"evaluation-{label}").page
        ev.goto(f"{pages.url}/reports/evaluation/{world.bloc.id}/?year={YEAR}")
        link = ev.locator(f'a.evidence[href="/programme/org/{world.a.org.id}/?year={YEAR}#inspections"]')
        share = f"{100 * sum(i.max_score - 2 for i in items) / sum(i.max_score for i in items):.1f}"
        expect(link).to_have_text(share.replace(".", ",") + "%")  # the Vietnamese decimal comma
        shot(ev, f"evaluation-{label}")
    link.click()
    ev.wait_for_url(f"**/programme/org/{world.a.org.id}/?year={YEAR}#inspections")
    expect(ev.locator("#inspections")).to_contain_text("Kiểm tra ứng dụng CNTT năm")
