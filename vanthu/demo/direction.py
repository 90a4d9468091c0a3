"""The demo's direction: the Bloc's directives and their tasks in every state, this week's work
schedule (published, with a change), next week's draft, and a meeting whose invitations are being
answered. Everything goes through the direction app's actions, then the dates are moved back so
that the year looks lived in.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from vanthu.direction import actions, tallies
from vanthu.direction import schedule as sched
from vanthu.direction.models import Directive, DirectiveKind, Report, ReportKind, Task
from vanthu.reports.models import Criterion, CriterionSource

from .world import Unit, World

# (kind, title, the task given to each organisation, days of the deadline after the directive,
#  how many months ago, share of organisations tasked)
DIRECTIVES = [
    (DirectiveKind.CONCLUSION, "Kết luận của Ban Thường vụ Đảng ủy Khối về đẩy mạnh chuyển đổi số trong công tác đảng năm 2026",
     "Rà soát hạ tầng công nghệ thông tin, đăng ký chứng thư số cho lãnh đạo và văn thư; báo cáo kết quả về Văn phòng Đảng ủy Khối.", 45, 5, 1.0),
    (DirectiveKind.DIRECTIVE, "Chỉ thị về tổ chức đại hội chi bộ trực thuộc nhiệm kỳ 2027–2029",
     "Xây dựng kế hoạch, hướng dẫn các chi bộ trực thuộc chuẩn bị văn kiện và nhân sự đại hội; báo cáo tiến độ hằng tháng.", 90, 4, 0.6),
    (DirectiveKind.OPINION, "Ý kiến chỉ đạo của đồng chí Bí thư Đảng ủy Khối về công tác phát triển đảng viên",
     "Rà soát quần chúng ưu tú, xây dựng chỉ tiêu kết nạp đảng viên mới năm 2026; báo cáo số liệu về Ban Tổ chức.", 30, 3, 0.8),
    (DirectiveKind.CONCLUSION, "Kết luận của Thường trực Đảng ủy Khối về sơ kết công tác kiểm tra, giám sát 6 tháng",
     "Tự kiểm tra việc thực hiện nhiệm vụ kiểm tra, giám sát; khắc phục hạn chế đã chỉ ra; gửi báo cáo về Ủy ban Kiểm tra.", 20, 2, 0.5),
    (DirectiveKind.DIRECTIVE, "Chỉ thị về tăng cường công tác bảo vệ bí mật nhà nước trong cơ quan đảng",
     "Quán triệt quy định bảo vệ bí mật nhà nước; kiểm tra việc soạn thảo, lưu giữ văn bản mật; không đưa văn bản mật lên mạng.", 15, 1, 1.0),
    (DirectiveKind.OPINION, "Ý kiến chỉ đạo về tuyên truyền kỷ niệm 97 năm Ngày thành lập Đảng Cộng sản Việt Nam",
     "Xây dựng kế hoạch tuyên truyền, treo băng rôn, tổ chức sinh hoạt chuyên đề; báo cáo kết quả về Ban Tuyên giáo và Dân vận.", 25, 0, 0.9),
    (DirectiveKind.CONCLUSION, "Kết luận về chuẩn bị tổng kết công tác xây dựng Đảng năm 2026",
     "Chuẩn bị báo cáo tổng kết năm, kiểm điểm tập thể, cá nhân và đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên.", 35, 0, 1.0),
]
PROGRESS_NOTES = [
    "Đã triển khai đến các chi bộ trực thuộc, đang tổng hợp số liệu.",
    "Đã xây dựng kế hoạch, đang tổ chức thực hiện theo tiến độ.",
    "Đã hoàn thành khoảng một nửa khối lượng công việc; còn chờ ý kiến của cơ quan chuyên môn.",
    "Đã tổ chức hội nghị quán triệt; đang kiểm tra việc thực hiện ở các chi bộ.",
]
DONE_NOTES = [
    "Đã hoàn thành nhiệm vụ; báo cáo kết quả gửi kèm theo đường văn bản điện tử.",
    "Đơn vị đã thực hiện xong các nội dung được giao, đề nghị Thường trực Đảng ủy Khối xem xét.",
]


def _at(day: date, hh: int, mm: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def _work(task: Task, unit: Unit, leader, rng: random.Random, today: date) -> None:
    """Move one task to a state the dates make likely."""
    reporter = unit.clerk
    roll = rng.random()
    overdue = task.due < today
    if roll < 0.15 and not overdue:
        return  # still only assigned
    actions.accept_task(task, user=reporter)
    if roll < 0.45:
        actions.report_progress(task, user=reporter, progress=rng.choice([20, 30, 50, 60, 75]), content=rng.choice(PROGRESS_NOTES))
        if overdue and rng.random() < 0.3:
            actions.ask_extension(task, user=unit.leaders[0], due=today + timedelta(days=rng.choice([7, 14, 21])),
                                  reason="Khối lượng công việc lớn, cần thêm thời gian tổng hợp số liệu từ các chi bộ trực thuộc.")
        return
    actions.report_progress(task, user=reporter, progress=100, content=rng.choice(DONE_NOTES), done=True)
    if roll < 0.55:
        return  # waiting for the Bloc to confirm
    if roll < 0.6:
        actions.send_back(task, user=leader, note="Đề nghị bổ sung số liệu cụ thể của từng chi bộ trực thuộc.")
        return
    actions.confirm_task(task, user=leader, note="Đơn vị hoàn thành tốt nhiệm vụ.")


def _directives(world: World, rng: random.Random, today: date) -> int:
    leader = world.bloc.leaders[0]
    units = world.grassroots
    made = 0
    for kind, title, task_text, days, months_ago, share in DIRECTIVES:
        issued = today - timedelta(days=30 * months_ago + rng.randint(0, 10))
        chosen = units if share >= 1 else rng.sample(units, max(3, int(len(units) * share)))
        specs = [actions.TaskSpec(organization_id=u.org.id, content=task_text, due=issued + timedelta(days=days + rng.randint(-3, 5)),
                                  cycle="monthly" if days >= 60 else "once") for u in chosen]
        if specs:
            specs[0].cooperating_ids = [world.offices["vanphong"].org.id]
        d = actions.create_directive(user=world.bloc.clerk, organization=world.bloc.org, kind=kind, title=title,
                                     content=f"Thực hiện {title[0].lower()}{title[1:]}, Thường trực Đảng ủy Khối yêu cầu "
                                             "các tổ chức cơ sở đảng triển khai các nội dung sau.",
                                     leader_name=leader.get_full_name(), issued_on=issued, tasks=specs)
        Directive.objects.filter(id=d.id).update(created_at=_at(issued, 9))
        by_org = {u.org.id: u for u in chosen}
        for task in d.created_tasks:
            _work(task, by_org[task.organization_id], leader, rng, today)
        made += len(d.created_tasks)
    _date_histories(rng, today)
    return made


def _date_histories(rng: random.Random, today: date) -> None:
    """The reports happened over the weeks after each directive, not all today. Each task's
    history keeps its order (accepted before the first report), and the task's own dates follow
    it: the follow-up's "last report" and the evaluation's "done on time" read what the history
    shows, not the day the demo was seeded."""
    for task in Task.objects.select_related("directive").prefetch_related("reports"):
        reports = sorted(task.reports.all(), key=lambda r: r.id)
        if not reports:
            continue
        start = task.directive.issued_on
        span = max(1, min((today - start).days, 60))
        times = sorted(_at(start + timedelta(days=rng.randint(1, span)), rng.randint(8, 16), rng.randint(0, 59)) for _ in reports)
        for report, at in zip(reports, times, strict=True):
            Report.objects.filter(id=report.id).update(created_at=at)
            report.created_at = at
        Task.objects.filter(id=task.id).update(**_task_dates(task, reports))


def _task_dates(task: Task, reports: list[Report]) -> dict:
    """The task's dates as its (re-dated) history gives them."""
    def last(*kinds: str) -> Report | None:
        return next((r for r in reversed(reports) if r.kind in kinds), None)

    local = timezone.localdate
    accepted = next((r for r in reports if r.kind in (ReportKind.ACCEPTED, ReportKind.PROGRESS, ReportKind.DONE)), None)
    reported = last(ReportKind.PROGRESS, ReportKind.DONE)
    done = last(ReportKind.DONE)
    confirmed = last(ReportKind.CONFIRMED)
    return {"accepted_at": accepted.created_at if accepted else task.accepted_at,
            "last_report_at": reported.created_at if reported else task.last_report_at,
            "reported_done_on": local(done.created_at) if done and task.reported_done_on else task.reported_done_on,
            "done_on": local(confirmed.created_at) if confirmed and task.done_on else task.done_on}


def _schedule(world: World, rng: random.Random, today: date) -> None:
    clerk, leaders = world.bloc.clerk, world.bloc.leaders
    monday = sched.monday(today)
    week = sched.week_of(clerk, world.bloc.org, monday, create=True)
    plan = [
        (0, 8, 0, "Giao ban Thường trực Đảng ủy Khối", "Phòng họp tầng 2", leaders[0], "Văn phòng Đảng ủy Khối"),
        (0, 14, 0, "Làm việc với Đảng bộ Sở Tài chính về công tác kiểm tra, giám sát", "Sở Tài chính", leaders[1], "Ủy ban Kiểm tra"),
        (1, 8, 30, "Hội nghị Ban Thường vụ Đảng ủy Khối", "Hội trường Đảng ủy Khối", leaders[0], "Văn phòng Đảng ủy Khối"),
        (2, 8, 0, "Dự hội nghị Thành ủy triển khai nhiệm vụ năm 2027", "Trụ sở Thành ủy", leaders[0], ""),
        (3, 14, 0, "Tiếp công dân định kỳ", "Phòng tiếp công dân", leaders[1], "Văn phòng Đảng ủy Khối"),
        (4, 8, 0, "Làm việc với Ban Tổ chức về công tác cán bộ", "Phòng họp tầng 3", leaders[0], "Ban Tổ chức Đảng ủy Khối"),
    ]
    entries = []
    for day, hh, mm, content, place, chair, preparer in plan:
        entries.append(sched.add_entry(week, user=clerk, starts_at=_at(monday + timedelta(days=day), hh, mm),
                                       ends_at=_at(monday + timedelta(days=day), hh + 2, mm), place=place, content=content,
                                       chair=f"Đồng chí {chair.get_full_name()}", chair_user_id=chair.id,
                                       attendees="Các đồng chí Ủy viên Ban Thường vụ" if "Ban Thường vụ" in content else "",
                                       attendee_user_ids=[u.id for u in leaders if u != chair][:1], preparer=preparer))
    sched.approve_schedule(week, user=leaders[0])
    sched.publish_schedule(week, user=clerk)
    moved = entries[4]
    sched.update_entry(moved, user=clerk, starts_at=_at(monday + timedelta(days=3), 15), ends_at=_at(monday + timedelta(days=3), 17),
                       place=moved.place, content=moved.content, chair=moved.chair, chair_user_id=moved.chair_user_id,
                       attendee_user_ids=list(moved.attendee_users.values_list("id", flat=True)), preparer=moved.preparer)
    nxt = sched.week_of(clerk, world.bloc.org, monday + timedelta(days=7), create=True)
    sched.add_entry(nxt, user=clerk, starts_at=_at(monday + timedelta(days=7), 8), ends_at=_at(monday + timedelta(days=7), 10),
                    place="Phòng họp tầng 2", content="Giao ban Thường trực Đảng ủy Khối", chair_user_id=leaders[0].id,
                    preparer="Văn phòng Đảng ủy Khối")
    # A meeting next week, with most invitations answered.
    invited = rng.sample(world.grassroots, min(12, len(world.grassroots)))
    meeting = sched.create_meeting(user=clerk, organization=world.bloc.org,
                                   title="Hội nghị sơ kết công tác chuyển đổi số trong các tổ chức cơ sở đảng",
                                   starts_at=_at(monday + timedelta(days=9), 8), ends_at=_at(monday + timedelta(days=9), 11, 30),
                                   place="Hội trường Đảng ủy Khối, tầng 5", invited_ids=[u.org.id for u in invited])
    for i, unit in enumerate(invited[:9]):
        if i % 4 == 3:
            sched.answer_invitation(meeting, user=unit.clerk, organization_id=unit.org.id, state="absent",
                                    note="Trùng lịch đại hội chi bộ trực thuộc.")
        else:
            sched.answer_invitation(meeting, user=unit.clerk, organization_id=unit.org.id,
                                    state="attending" if i % 3 else "substitute",
                                    attendees=f"Đồng chí {unit.leaders[0].get_full_name()}, Bí thư" if i % 3
                                    else f"Đồng chí {unit.specialists[0].get_full_name()}, chuyên viên (dự thay đồng chí Bí thư)")


def seed_direction(world: World, rng: random.Random) -> int:
    """Returns the number of tasks made."""
    today = timezone.localdate()
    made = _directives(world, rng, today)
    # The histories were re-dated behind the actions' back (on time or late depends on the dates):
    # the follow-up's kept figures are recounted from the tasks as they now stand.
    with transaction.atomic():
        tallies.rebuild()
    _schedule(world, rng, today)
    # With a year of directives behind it, the Bloc counts their tasks done on time in the evaluation.
    Criterion.objects.filter(source=CriterionSource.DIRECTED_TASKS).update(is_active=True)
    return made
