"""The leader's follow-up screen and an organisation's task page in a real browser, on a desktop and
a phone; screenshots of each are kept in test-results/ to be looked at."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from vanthu.direction import actions, tallies
from vanthu.direction import schedule as sched
from vanthu.direction.models import Directive, Task
from vanthu.testing import factories as f

from .conftest import DESKTOP, PHONE, RESULTS


def shot(page, name: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"direction-{name}.png"), full_page=True)


def fits(page) -> bool:
    """Nothing wider than the screen: the tables turn into cards on a phone."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_follow_up_screen_and_the_task_page_on_desktop_and_phone(pages, world):
    leader = f.make_user(world.bloc, "leader", full_name="Nguyễn Văn Bình")
    today = timezone.localdate()
    orgs = [world.a.org, world.b.org, world.c.org]
    calm = actions.create_directive(user=leader, organization=world.bloc, title="Kết luận về công tác tuyên truyền năm 2026",
                                    tasks=[actions.TaskSpec(organization_id=o.id, content="Tuyên truyền kỷ niệm ngày thành lập Đảng",
                                                            due=today + timedelta(days=20)) for o in orgs])
    late = actions.create_directive(user=leader, organization=world.bloc, title="Chỉ thị về kiểm tra, giám sát năm 2026",
                                    tasks=[actions.TaskSpec(organization_id=o.id, content="Kiểm tra việc chấp hành Điều lệ Đảng",
                                                            due=today + timedelta(days=10)) for o in orgs])
    Task.objects.filter(directive=late, organization=world.c.org).update(due=today - timedelta(days=3))
    Directive.objects.filter(id=late.id).update(open_due=today - timedelta(days=3))
    with transaction.atomic():  # the deadline moved behind the actions' back: recount what they keep
        tallies.rebuild()
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = pages(leader, viewport=viewport, name=label).page
        page.goto(f"{pages.url}/direction/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Theo dõi thực hiện ý kiến chỉ đạo")
        rows = page.locator("#followup-directives tbody tr")
        expect(rows.first).to_contain_text(late.title)
        expect(rows.nth(1)).to_contain_text(calm.title)
        assert fits(page), f"the follow-up screen is wider than the {label}"
        shot(page, f"followup-{label}")
        page.get_by_role("link", name="Theo đơn vị").click()
        expect(page.locator("#followup-organizations tbody tr").first).to_contain_text(world.c.org.name)
        shot(page, f"followup-organizations-{label}")
        page.get_by_role("link", name="Theo ý kiến chỉ đạo").click()
        page.get_by_role("link", name=late.title).click()
        expect(page.locator("#directive-tasks tbody tr").first).to_contain_text(world.c.org.name)
        assert fits(page)
        shot(page, f"directive-{label}")

    # The late organisation reports from a phone; the leader sees the report.
    page = pages(world.c.clerk, viewport=PHONE, name="c-clerk").page
    page.goto(f"{pages.url}/direction/tasks/")
    expect(page.locator("#this-week")).to_contain_text(late.title)
    assert fits(page)
    shot(page, "my-tasks-phone")
    page.locator("#my-tasks").get_by_role("link", name=late.title).click()
    page.get_by_label("Tiến độ (%)").fill("70")
    page.get_by_label("Nội dung báo cáo").fill("Đã kiểm tra 7/10 chi bộ trực thuộc.")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator("#task-reports")).to_contain_text("Đã kiểm tra 7/10 chi bộ trực thuộc.")
    expect(page.locator("#task-state")).to_contain_text("70%")
    assert fits(page)
    shot(page, "task-phone")


def test_the_week_s_schedule_is_drafted_approved_published_and_read_on_a_phone(pages, world):
    leader = f.make_user(world.bloc, "leader", full_name="Nguyễn Văn Bình")
    clerk = f.make_user(world.bloc, "clerk", full_name="Trần Thị Hoa")
    monday = sched.monday(timezone.localdate())
    s = sched.week_of(clerk, world.bloc, monday, create=True)
    sched.add_entry(s, user=clerk, starts_at=timezone.make_aware(datetime.combine(monday + timedelta(days=1), time(14))),
                    content="Làm việc với Đảng bộ Sở Tài chính về công tác kiểm tra", place="Sở Tài chính", chair_user_id=leader.id)
    page = pages(clerk, viewport=DESKTOP, name="office").page
    page.goto(f"{pages.url}/direction/schedule/")
    page.locator("#id_day").fill(monday.strftime("%d/%m/%Y"))
    page.get_by_label("Giờ bắt đầu").fill("08:00")
    page.get_by_label("Giờ kết thúc").fill("10:30")
    page.get_by_label("Nội dung").fill("Giao ban Thường trực Đảng ủy Khối")
    page.get_by_label("Địa điểm").fill("Phòng họp tầng 2")
    page.get_by_role("button", name="Thêm vào lịch").click()
    expect(page.locator("#sc-days")).to_contain_text("Giao ban Thường trực Đảng ủy Khối")
    expect(page.locator("#sc-state")).to_contain_text("Dự thảo")
    shot(page, "schedule-draft-desktop")
    approver = pages(leader, viewport=DESKTOP, name="leader").page
    approver.goto(f"{pages.url}/direction/schedule/")
    approver.get_by_role("button", name="Duyệt lịch").click()
    expect(approver.locator("#sc-state")).to_contain_text("Đã duyệt")
    page.reload()
    page.get_by_role("button", name="Phát hành lịch").click()
    expect(page.locator("#sc-state")).to_contain_text("Đã phát hành")
    phone = pages(world.b.clerk, viewport=PHONE, name="b-clerk-phone").page
    phone.goto(f"{pages.url}/direction/schedule/")
    expect(phone.locator("#sc-days")).to_contain_text("Giao ban Thường trực Đảng ủy Khối")
    expect(phone.locator("#sc-days")).to_contain_text("Làm việc với Đảng bộ Sở Tài chính")
    assert fits(phone)
    shot(phone, "schedule-phone")
    mine = pages(leader, viewport=PHONE, name="leader-phone").page
    mine.goto(f"{pages.url}/direction/schedule/mine/")
    expect(mine.locator("#my-entries")).to_contain_text("Làm việc với Đảng bộ Sở Tài chính")
    mine.get_by_role("button", name="Tạo địa chỉ lịch của tôi").click()
    expect(mine.locator("#feed-url")).to_contain_text("/direction/ics/")
    assert fits(mine)
    shot(mine, "schedule-mine-phone")
