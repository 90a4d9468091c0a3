"""Training actions: courses, invitations and nominations within a quota, enrolment, attendance,
results and certificates, and the yearly training plan. One transaction each, audited.

A certificate is a PDF made once, when a person passes; its SHA-256 is kept with the verification
code printed on it, so that `certificate_for(code)` confirms a genuine copy and an edited one
(same code, other bytes) is caught by comparing digests.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.accounts.models import User
from vanthu.audit.chain import record
from vanthu.documents.pdfgen import make_pdf
from vanthu.errors import NotFound, Unprocessable
from vanthu.notifications.actions import notify
from vanthu.organizations.models import Membership, Organization, Role
from vanthu.text import clean_text

from . import access
from .actions import TITLE_MAX, check_year, default_owner, office_orgs_checked, people_of
from .models import (
    Attendance,
    AttendanceStatus,
    Audience,
    Course,
    CourseInvitation,
    Enrolment,
    TrainingPlan,
)

SCORE_MAX = Decimal(10)


def _check_dates(starts: date, ends: date) -> None:
    if ends < starts:
        raise Unprocessable(_("Ngày kết thúc phải sau ngày bắt đầu."), code="invalid_dates", details={"field": "ends"})
    if (ends - starts).days > 366:
        raise Unprocessable(_("Một lớp không kéo dài quá một năm."), code="invalid_dates", details={"field": "ends"})


@transaction.atomic
def create_course(*, user, title: str, audience: str, starts: date, ends: date, owner_id: int | None = None,
                  place: str = "", online: bool = False, trainers: str = "", materials: str = "", quota: int = 5,
                  pass_score: Decimal | float = 5, invite_org_ids: Sequence[int] = ()) -> Course:
    """A course run by the person's office; the organisations invited are told, with their quota."""
    if owner_id is not None:
        access.get_org(user, owner_id)
        access.require_office(user, owner_id)
        owner = Organization.objects.get(id=owner_id)
    else:
        owner = default_owner(user)
    if audience not in Audience.values:
        raise Unprocessable(_("Đối tượng không hợp lệ."), code="invalid_audience", details={"field": "audience"})
    _check_dates(starts, ends)
    check_year(starts.year)
    if not 0 <= Decimal(str(pass_score)) <= SCORE_MAX:
        raise Unprocessable(_("Điểm đạt phải từ 0 đến 10."), code="invalid_score", details={"field": "pass_score"})
    course = Course.objects.create(
        owner=owner, title=clean_text(title, field="title", max_length=TITLE_MAX, label=_("Tên lớp")), audience=audience,
        starts=starts, ends=ends, place=clean_text(place, field="place", max_length=255), online=online,
        trainers=clean_text(trainers, field="trainers", max_length=500),
        materials=clean_text(materials, field="materials", max_length=4000, multiline=True), quota=quota,
        pass_score=Decimal(str(pass_score)), created_by=user)
    orgs = office_orgs_checked(user, invite_org_ids, field="invite_org_ids") if invite_org_ids else []
    CourseInvitation.objects.bulk_create([CourseInvitation(course=course, organization=o, quota=quota) for o in orgs])
    record("course_created", actor=user, obj=course, data={"title": course.title, "invited": [o.id for o in orgs]})
    if orgs:
        notify(people_of([o.id for o in orgs], [Role.CLERK, Role.LEADER, Role.ADMIN]), kind="programme_training",
               title=_("Đề nghị cử người dự lớp: %(t)s") % {"t": course.title},
               body=_("Mỗi tổ chức cử tối đa %(n)s người.") % {"n": quota}, url=f"/programme/courses/{course.id}/", obj=course)
    return course


@transaction.atomic
def invite(course: Course, *, user, organization_id: int, quota: int) -> CourseInvitation:
    access.require_office(user, course.owner_id)
    office_orgs_checked(user, [organization_id], field="organization_id")
    inv, _created = CourseInvitation.objects.update_or_create(course=course, organization_id=organization_id, defaults={"quota": quota})
    record("course_invitation_set", actor=user, obj=course, data={"organization_id": organization_id, "quota": quota})
    return inv


def _person(person_id: int) -> User:
    try:
        return User.objects.get(id=person_id, is_active=True)
    except User.DoesNotExist:
        raise Unprocessable(_("Không tìm thấy người này."), code="person_not_found", details={"field": "user_id"}) from None


def _enrolment_org(user, course: Course, person: User) -> int:
    """The organisation a person attends for: an invited one of theirs first, else any the office runs."""
    theirs = set(Membership.objects.filter(user=person).values_list("organization_id", flat=True))
    invited = theirs & set(course.invitations.values_list("organization_id", flat=True))
    scoped = {i for i in theirs if access.is_office(user, i)}
    pick = sorted(invited & scoped) or sorted(scoped)
    if not pick:
        raise Unprocessable(_("Người này không thuộc tổ chức nào trong phạm vi bạn phụ trách."), code="person_out_of_scope",
                            details={"field": "user_id"})
    return pick[0]


@transaction.atomic
def enrol(course: Course, *, user, person_id: int) -> Enrolment:
    """The office puts a person on the course (again is the same enrolment)."""
    access.require_office(user, course.owner_id)
    person = _person(person_id)
    existing = Enrolment.objects.filter(course=course, user=person).first()
    if existing:
        return existing
    e = Enrolment.objects.create(course=course, user=person, organization_id=_enrolment_org(user, course, person), created_by=user)
    record("course_enrolled", actor=user, obj=course, data={"user_id": person.id, "organization_id": e.organization_id})
    return e


@transaction.atomic
def nominate(course: Course, *, user, organization_id: int, person_id: int) -> Enrolment:
    """An organisation sends one of its people, within its quota (the quota is counted under a lock)."""
    access.check_side_or_not_found(user, organization_id)
    inv = CourseInvitation.objects.select_for_update().filter(course=course, organization_id=organization_id).first()
    if inv is None:
        raise Unprocessable(_("Tổ chức này không được mời cử người dự lớp."), code="not_invited", details={"field": "organization_id"})
    person = _person(person_id)
    if not Membership.objects.filter(user=person, organization_id=organization_id).exists():
        raise Unprocessable(_("Người được cử phải thuộc tổ chức cử."), code="person_not_in_organization", details={"field": "user_id"})
    existing = Enrolment.objects.filter(course=course, user=person).first()
    if existing:
        return existing
    taken = Enrolment.objects.filter(course=course, organization_id=organization_id).count()
    if taken >= inv.quota:
        raise Unprocessable(_("Đã cử đủ %(n)s người theo chỉ tiêu của lớp.") % {"n": inv.quota}, code="quota_exceeded",
                            details={"field": "user_id", "quota": inv.quota, "taken": taken})
    e = Enrolment.objects.create(course=course, user=person, organization_id=organization_id, nominated=True, created_by=user)
    record("course_nominated", actor=user, obj=course, data={"user_id": person.id, "organization_id": organization_id})
    return e


def _enrolment(course: Course, person_id: int, *, lock: bool = False) -> Enrolment:
    qs = Enrolment.objects.select_for_update() if lock else Enrolment.objects
    e = qs.filter(course=course, user_id=person_id).first()
    if e is None:
        raise Unprocessable(_("Người này chưa được ghi danh vào lớp."), code="not_enrolled", details={"field": "user_id"})
    return e


@transaction.atomic
def record_attendance(course: Course, *, user, person_id: int, day: date, status: str) -> Attendance:
    access.require_office(user, course.owner_id)
    e = _enrolment(course, person_id)
    if status not in AttendanceStatus.values:
        raise Unprocessable(_("Trạng thái điểm danh không hợp lệ."), code="invalid_status", details={"field": "status"})
    if not course.starts <= day <= course.ends:
        raise Unprocessable(_("Ngày điểm danh phải trong thời gian của lớp."), code="day_outside_course", details={"field": "day"})
    a, _created = Attendance.objects.update_or_create(enrolment=e, day=day, defaults={"status": status})
    record("course_attendance_recorded", actor=user, obj=course, data={"user_id": person_id, "day": day, "status": status})
    return a


def certificate_lines(e: Enrolment, course: Course, code: str) -> list[str]:
    name = e.user.get_full_name()
    return [
        "ĐẢNG BỘ KHỐI CÁC CƠ QUAN THÀNH PHỐ HÀ NỘI", course.owner.name, "",
        "GIẤY CHỨNG NHẬN", "", f"Chứng nhận đồng chí: {name}",
        f"Đơn vị: {e.organization.name}", f"Đã hoàn thành lớp: {course.title}",
        f"Thời gian: {course.starts.strftime('%d/%m/%Y')} – {course.ends.strftime('%d/%m/%Y')}",
        f"Kết quả: đạt, điểm {e.score:.1f}/10", "", f"Mã xác minh: {code}",
        f"Kiểm tra tại: /api/v1/training/certificates/{code}",
    ]


@transaction.atomic
def record_result(course: Course, *, user, person_id: int, attended: bool, score: Decimal | float, passed: bool) -> Enrolment:
    """The end-of-course result; a pass earns a certificate (made once, kept with its digest)."""
    access.require_office(user, course.owner_id)
    e = _enrolment(course, person_id, lock=True)
    value = Decimal(str(score))
    if not Decimal(0) <= value <= SCORE_MAX:
        raise Unprocessable(_("Điểm phải từ 0 đến 10."), code="invalid_score", details={"field": "score"})
    if passed and (not attended or value < course.pass_score):
        raise Unprocessable(_("Không thể công nhận đạt: học viên phải tham dự và đạt từ %(p)s điểm.") % {"p": course.pass_score},
                            code="inconsistent_result", details={"field": "passed"})
    e.attended, e.score, e.passed, e.result_at = attended, value, passed, timezone.now()
    if passed and not e.certificate_code:
        e.certificate_code = f"{course.starts.year % 100:02d}{secrets.token_hex(6).upper()}"
        e.organization = Organization.objects.get(id=e.organization_id)
        pdf = make_pdf(certificate_lines(e, course, e.certificate_code), title=f"Giấy chứng nhận {e.certificate_code}")
        e.certificate_pdf, e.certificate_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    elif not passed:
        e.certificate_code, e.certificate_pdf, e.certificate_sha256 = None, None, ""
    e.save()
    record("course_result_recorded", actor=user, obj=course,
           data={"user_id": person_id, "attended": attended, "score": value, "passed": passed, "certificate": e.certificate_code})
    return e


def certificate_for(code: str) -> Enrolment:
    """The enrolment a verification code was issued for; any other code is not found."""
    e = (Enrolment.objects.filter(certificate_code=code.strip().upper(), passed=True)
         .select_related("user", "course", "organization").first()) if code and len(code) <= 32 else None
    if e is None:
        raise NotFound(_("Không có giấy chứng nhận nào mang mã này."), code="certificate_not_found")
    return e


def certificate_pdf(e: Enrolment) -> bytes:
    if not e.passed or not e.certificate_pdf:
        raise Unprocessable(_("Người này chưa đạt nên không có giấy chứng nhận."), code="not_passed")
    return bytes(e.certificate_pdf)


@transaction.atomic
def set_training_plan(*, user, organization_id: int, year: int, planned: int) -> TrainingPlan:
    """How many of an organisation's people the year's plan trains."""
    access.get_org(user, organization_id)
    access.require_office(user, organization_id)
    if not 0 <= planned <= 100000:
        raise Unprocessable(_("Số người không hợp lệ."), code="invalid_planned", details={"field": "planned"})
    plan, _created = TrainingPlan.objects.update_or_create(organization_id=organization_id, year=check_year(year),
                                                           defaults={"planned": planned})
    record("training_plan_set", actor=user, obj=plan, data={"organization_id": organization_id, "year": year, "planned": planned})
    return plan
