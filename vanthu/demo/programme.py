"""The demo's programme year: two regulations studied, two courses with results and certificates,
a dozen inspections with followed-up recommendations, every organisation's inventory reviewed.

Everything goes through the programme's actions (audited, notifying), so that the office's pages
and the evaluation show what a real year leaves behind; the evaluation's programme criteria are
turned on, so that every criterion is measured.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.organizations.models import Membership, Role
from vanthu.programme import actions, infrastructure, inspecting, training
from vanthu.programme.measures import SOURCES
from vanthu.reports.models import Criterion

from .world import Unit, World

REGULATIONS = [
    ("quy_che", "Quy chế bảo đảm an toàn thông tin trên Hệ thống thông tin điều hành tác nghiệp của Đảng bộ Khối",
     [("Văn bản có độ mật có được trao đổi qua Hệ thống không?", ["Được, nếu đã ký số", "Không, phải qua kênh cơ yếu"], 1),
      ("Khi nghi máy tính bị nhiễm mã độc, cán bộ cần làm gì trước tiên?",
       ["Ngắt kết nối mạng và báo cán bộ phụ trách CNTT", "Tiếp tục làm việc, cuối ngày báo cáo"], 0)]),
    ("huong_dan", "Hướng dẫn sử dụng chữ ký số trên văn bản điện tử của các tổ chức đảng trực thuộc", []),
]
COURSES = [
    ("Tập huấn sử dụng Hệ thống quản lý văn bản và chữ ký số cho văn thư cấp ủy", "clerks", (3, 10), (3, 12),
     "Hội trường Đảng ủy Khối, 27 Trần Hưng Đạo", "Đồng chí Trưởng phòng CNTT Văn phòng Thành ủy; chuyên gia Ban Cơ yếu Chính phủ"),
    ("Bồi dưỡng kiến thức an toàn thông tin cho cán bộ phụ trách công nghệ thông tin", "it_staff", (9, 16), (9, 18),
     "", "Trung tâm Công nghệ thông tin, Văn phòng Thành ủy"),
]
RECOMMENDATIONS = [
    "Ký số toàn bộ văn bản đi trước khi phát hành trên Hệ thống",
    "Cài đặt phần mềm phòng chống mã độc cho máy tính của văn thư",
    "Cử cán bộ kiêm nhiệm phụ trách công nghệ thông tin và báo cáo Đảng ủy Khối",
    "Sao lưu dữ liệu định kỳ hằng tháng, lưu bản sao ngoài trụ sở",
]


def _people(unit: Unit) -> list:
    return [unit.clerk, *unit.leaders, *unit.specialists]


def seed_programme(world: World, rng: random.Random) -> None:
    """A programme year up to today, run by the Bloc's inspector."""
    office = _inspectors(world).first()
    today = timezone.localdate()
    year = today.year
    Criterion.objects.filter(source__in=list(SOURCES)).update(is_active=True)
    orgs = list(world.grassroots)
    _regulations(world, rng, office, orgs, year, today)
    _training(rng, office, orgs, year, today)
    _inspections(rng, office, orgs, year, today)
    _infrastructure(rng, office, world, orgs, year, today)


def _inspectors(world: World):
    ids = Membership.objects.filter(organization=world.bloc.org, role=Role.INSPECTOR).values_list("user_id", flat=True)
    return User.objects.filter(id__in=ids).order_by("id")


def _regulations(world: World, rng: random.Random, office, orgs: list[Unit], year: int, today: date) -> None:
    targets = [u.org.id for u in orgs] + [u.org.id for u in world.offices.values()]
    for i, (kind, title, quiz) in enumerate(REGULATIONS):
        reg = actions.publish_regulation(
            user=office, title=title, kind=kind, year=year, due_date=min(today, date(year, 4 + 3 * i, 30)), target_org_ids=targets,
            quiz=[{"question": q, "options": o, "answer": a} for q, o, a in quiz], pass_mark=1)
        answers = [a for _q, _o, a in quiz]
        for unit in [*orgs, *world.offices.values()]:
            share = rng.choice((1.0, 1.0, 0.8, 0.6, 0.4, 0.0)) if unit.is_grassroots else 1.0
            people = _people(unit)
            for person in people[: round(share * len(people))]:
                actions.acknowledge_regulation(reg, user=person, answers=answers)
            if share >= 0.6:
                actions.confirm_study_session(reg, user=unit.leaders[0], organization_id=unit.org.id,
                                              held_on=min(today, date(year, 3 + 3 * i, 15)), attendees=rng.randint(8, 60))


def _training(rng: random.Random, office, orgs: list[Unit], year: int, today: date) -> None:
    for title, audience, (m1, d1), (m2, d2), place, trainers in COURSES:
        starts, ends = date(year, m1, d1), date(year, m2, d2)
        if starts > today:
            continue
        course = training.create_course(user=office, title=title, audience=audience, starts=starts, ends=ends, place=place,
                                        online=not place, trainers=trainers, quota=1, pass_score=5,
                                        materials="Bài giảng và tài liệu hướng dẫn trên Hệ thống",
                                        invite_org_ids=[u.org.id for u in orgs])
        for unit in orgs:
            if rng.random() < 0.15:
                continue  # did not send anyone
            person = unit.clerk if audience == "clerks" else unit.specialists[0]
            training.nominate(course, user=unit.leaders[0], organization_id=unit.org.id, person_id=person.id)
            came = rng.random() < 0.92
            day = starts
            while day <= ends:
                training.record_attendance(course, user=office, person_id=person.id, day=day,
                                           status="present" if came else rng.choice(("excused", "absent")))
                day += timedelta(days=1)
            score = round(rng.uniform(5.5, 9.8), 1) if came and rng.random() < 0.9 else round(rng.uniform(2, 4.5), 1)
            training.record_result(course, user=office, person_id=person.id, attended=came, score=score if came else 0,
                                   passed=came and score >= 5)
    for unit in orgs:
        training.set_training_plan(user=office, organization_id=unit.org.id, year=year, planned=2)


def _inspections(rng: random.Random, office, orgs: list[Unit], year: int, today: date) -> None:
    chosen = rng.sample(orgs, min(12, len(orgs)))
    items = inspecting.checklist(year, create=True)
    for k, unit in enumerate(chosen):
        planned = min(today, date(year, 4, 1) + timedelta(days=18 * k))
        insp = inspecting.plan_inspection(user=office, organization_id=unit.org.id, year=year, planned_on=planned,
                                          content="Kiểm tra việc ứng dụng công nghệ thông tin trong hoạt động của cấp ủy năm " + str(year))
        if k % 3 != 2:
            inspecting.record_scores(insp, user=unit.leaders[0], side="self",
                                     scores={i.code: i.max_score - rng.randint(0, 2) for i in items})
        if planned >= today - timedelta(days=3):
            continue  # still to be held
        inspecting.record_scores(insp, user=office, side="inspector", scores={i.code: i.max_score - rng.randint(0, i.max_score // 3)
                                                                             for i in items},
                                 findings="Cấp ủy quan tâm chỉ đạo; văn bản đi cơ bản đã ký số; còn máy tính cũ, chưa sao lưu định kỳ.")
        inspecting.sign_off(insp, user=office)
        for text in rng.sample(RECOMMENDATIONS, 2):
            past = planned + timedelta(days=45) < today
            deadline = planned + timedelta(days=45) if rng.random() < 0.5 or not past else today + timedelta(days=30)
            rec = inspecting.add_recommendation(insp, user=office, text=text, deadline=deadline)
            if rng.random() < 0.7:
                inspecting.report_recommendation(rec, user=unit.clerk, report="Đã thực hiện, có báo cáo kèm theo gửi Đảng ủy Khối.")
                if rng.random() < 0.8:
                    inspecting.close_recommendation(rec, user=office)


def _infrastructure(rng: random.Random, office, world: World, orgs: list[Unit], year: int, today: date) -> None:
    infrastructure.start_review(user=office, owner_id=world.bloc.org.id, year=year, due_date=today + timedelta(days=14))
    for unit in orgs:
        if rng.random() < 0.1:
            continue  # has not answered yet
        clerks = rng.randint(2, 6)
        infrastructure.save_inventory(user=unit.clerk, organization_id=unit.org.id, year=year, values={
            "computers_under_5": clerks - rng.choice((0, 0, 0, 1, 2)), "computers_5_to_8": rng.randint(0, 3),
            "computers_over_8": rng.randint(0, 2), "clerks": clerks, "wan_connected": rng.random() < 0.95,
            "wan_speed_mbps": rng.choice((10, 20, 50, 100)), "security_software": rng.random() < 0.85,
            "backup": rng.choice(("none", "manual", "regular", "regular", "offsite")), "it_staff_dedicated": rng.choice((0, 0, 1)),
            "it_staff_part_time": rng.choice((0, 1, 1, 2)), "it_staff_trained": rng.choice((0, 1)),
            "software": "VanThu; phần mềm kế toán; thư điện tử công vụ",
        })
