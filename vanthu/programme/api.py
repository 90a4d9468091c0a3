"""The programme in the API: /regulations, /training, /inspections, /infrastructure, /programme/measures.

Lists take the organisation they are about (`organization_id`), which the person must belong to or
run the programme for; everything else is fetched through access.py (not found and not allowed
look alike)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from . import access, actions, infrastructure, inspecting, read, training
from . import schemas as s
from .measures import measures
from .models import Course, Inspection, Regulation, ScoreSide

router = Router(tags=["programme"])


def _year(year: int | None) -> int:
    return actions.check_year(year) if year is not None else timezone.localdate().year


# --- regulations ----------------------------------------------------------------------------

@router.post("/regulations", response={201: s.RegulationOut}, summary="Ban hành quy chế, quy định cần nghiên cứu")
def publish_regulation(request: HttpRequest, payload: s.RegulationIn):
    reg = actions.publish_regulation(
        user=request.auth, owner_id=payload.organization_id, title=payload.title, kind=payload.kind, year=payload.year,
        due_date=payload.due_date, target_org_ids=payload.target_org_ids, document_id=payload.document_id,
        quiz=[q.dict() for q in payload.quiz], pass_mark=payload.pass_mark)
    return Status(201, read.regulation_out(request.auth, reg))


@router.get("/regulations", response=s.RegulationList, summary="Quy chế, quy định của một tổ chức")
def list_regulations(request: HttpRequest, organization_id: int, year: int | None = None):
    access.get_org(request.auth, organization_id)
    qs = access.visible_regulations(request.auth).filter(id__in=Regulation.objects.concerning(organization_id).values("id"))
    if year is not None:
        qs = qs.of_year(_year(year))
    items = read.regulations_out(request.auth, list(qs.order_by("-year", "due_date", "id")[:200]))
    return {"items": items, "count": len(items)}


@router.get("/regulations/{regulation_id}", response=s.RegulationOut, summary="Một quy chế và mức độ hoàn thành")
def get_regulation(request: HttpRequest, regulation_id: int):
    return read.regulation_out(request.auth, access.get_regulation(request.auth, regulation_id))


@router.post("/regulations/{regulation_id}/acknowledgements", response={201: s.AcknowledgementOut},
             summary="Xác nhận đã đọc, nghiên cứu")
def acknowledge(request: HttpRequest, regulation_id: int, payload: s.AcknowledgeIn):
    reg = access.get_regulation(request.auth, regulation_id)
    ack = actions.acknowledge_regulation(reg, user=request.auth, answers=payload.answers)
    return Status(201, {"regulation_id": reg.id, "organization_id": ack.organization_id, "acknowledged_at": ack.acknowledged_at,
                 "quiz_score": float(ack.quiz_score) if ack.quiz_score is not None else None})


@router.post("/regulations/{regulation_id}/study-sessions", response={201: s.StudySessionOut}, summary="Xác nhận đã tổ chức quán triệt")
def confirm_study_session(request: HttpRequest, regulation_id: int, payload: s.StudySessionIn):
    reg = access.get_regulation(request.auth, regulation_id)
    session = actions.confirm_study_session(reg, user=request.auth, organization_id=payload.organization_id,
                                            held_on=payload.held_on, attendees=payload.attendees)
    return Status(201, {"regulation_id": reg.id, "organization_id": session.organization_id, "held_on": session.held_on,
                 "attendees": session.attendees})


@router.post("/regulations/{regulation_id}/reminders", response=s.RemindedOut, summary="Nhắc những người chưa nghiên cứu")
def remind(request: HttpRequest, regulation_id: int):
    reg = access.get_regulation(request.auth, regulation_id)
    return {"reminded": actions.remind_laggards(reg, user=request.auth)}


# --- training -------------------------------------------------------------------------------

@router.post("/training/courses", response={201: s.CourseOut}, summary="Mở lớp tập huấn")
def create_course(request: HttpRequest, payload: s.CourseIn):
    course = training.create_course(
        user=request.auth, owner_id=payload.organization_id, title=payload.title, audience=payload.audience, starts=payload.starts,
        ends=payload.ends, place=payload.place, online=payload.online, trainers=payload.trainers, materials=payload.materials,
        quota=payload.quota, pass_score=payload.pass_score, invite_org_ids=payload.invite_org_ids)
    return Status(201, read.course_out(request.auth, course))


@router.get("/training/courses", response=s.CourseList, summary="Các lớp của một tổ chức (tổ chức mở hoặc được mời)")
def list_courses(request: HttpRequest, organization_id: int, year: int | None = None):
    access.get_org(request.auth, organization_id)
    qs = access.visible_courses(request.auth).filter(
        id__in=Course.objects.filter(Q(owner_id=organization_id) | Q(invitations__organization_id=organization_id)).values("id"))
    if year is not None:
        qs = qs.of_year(_year(year))
    items = [{"id": c.id, "title": c.title, "audience": c.audience, "starts": c.starts, "ends": c.ends, "place": c.place,
              "online": c.online, "owner_id": c.owner_id} for c in qs.order_by("-starts", "id")[:200]]
    return {"items": items, "count": len(items)}


@router.get("/training/courses/{course_id}", response=s.CourseOut, summary="Một lớp: mời, ghi danh, điểm danh, kết quả")
def get_course(request: HttpRequest, course_id: int):
    return read.course_out(request.auth, access.get_course(request.auth, course_id))


@router.post("/training/courses/{course_id}/invitations", response={201: s.InvitationOut}, summary="Mời một tổ chức cử người")
def invite(request: HttpRequest, course_id: int, payload: s.InvitationIn):
    course = access.get_course(request.auth, course_id)
    inv = training.invite(course, user=request.auth, organization_id=payload.organization_id, quota=payload.quota)
    return Status(201, {"organization_id": inv.organization_id, "organization_name": inv.organization.name, "quota": inv.quota,
                 "taken": course.enrolments.filter(organization_id=inv.organization_id).count()})


@router.post("/training/courses/{course_id}/enrolments", response={201: s.EnrolmentOut}, summary="Ghi danh học viên")
def enrol(request: HttpRequest, course_id: int, payload: s.EnrolIn):
    course = access.get_course(request.auth, course_id)
    return Status(201, read.enrolment_out(training.enrol(course, user=request.auth, person_id=payload.user_id)))


@router.post("/training/courses/{course_id}/nominations", response={201: s.EnrolmentOut}, summary="Tổ chức cử người dự lớp")
def nominate(request: HttpRequest, course_id: int, payload: s.NominateIn):
    course = access.get_course(request.auth, course_id)
    e = training.nominate(course, user=request.auth, organization_id=payload.organization_id, person_id=payload.user_id)
    return Status(201, read.enrolment_out(e))


@router.post("/training/courses/{course_id}/attendance", response=s.EnrolmentOut, summary="Điểm danh một buổi học")
def attendance(request: HttpRequest, course_id: int, payload: s.AttendanceIn):
    course = access.get_course(request.auth, course_id)
    a = training.record_attendance(course, user=request.auth, person_id=payload.user_id, day=payload.day, status=payload.status)
    return read.enrolment_out(a.enrolment)


@router.post("/training/courses/{course_id}/results", response=s.EnrolmentOut, summary="Kết quả cuối khóa (và giấy chứng nhận khi đạt)")
def result(request: HttpRequest, course_id: int, payload: s.ResultIn):
    course = access.get_course(request.auth, course_id)
    e = training.record_result(course, user=request.auth, person_id=payload.user_id, attended=payload.attended,
                               score=payload.score, passed=payload.passed)
    return read.enrolment_out(e)


@router.get("/training/courses/{course_id}/use", response=s.CourseUseOut,
            summary="Học viên sử dụng hệ thống trước và sau lớp (90 ngày)")
def course_use(request: HttpRequest, course_id: int):
    """Per trainee: documents handled (as main handler) and drafted, and the median hours from
    assignment to completion, in the 90 days before the course and the 90 days after it; and the
    share of those who passed who were active users after it."""
    return read.course_use_out(request.auth, access.get_course(request.auth, course_id))


@router.get("/training/certificates/{code}", response=s.TrainingCertificateOut, summary="Xác minh giấy chứng nhận theo mã")
def verify_certificate(request: HttpRequest, code: str):
    """The certificate VanThu issued under this code, with the SHA-256 of its PDF as issued: a copy
    whose digest differs was edited. Any code VanThu did not issue is not found."""
    e = training.certificate_for(code)
    return {"code": e.certificate_code, "person": e.user.get_full_name(), "organization": e.organization.name,
            "course": e.course.title, "course_starts": e.course.starts, "course_ends": e.course.ends,
            "date": timezone.localdate(e.result_at), "score": float(e.score), "passed": bool(e.passed), "sha256": e.certificate_sha256}


@router.get("/training/plans", response=s.PlanOut, summary="Kế hoạch đào tạo năm của một tổ chức và mức thực hiện")
def get_plan(request: HttpRequest, organization_id: int, year: int | None = None):
    access.get_org(request.auth, organization_id)
    return read.plan_out(organization_id, _year(year))


@router.put("/training/plans", response=s.PlanOut, summary="Đặt số người cần đào tạo trong năm")
def put_plan(request: HttpRequest, payload: s.PlanIn):
    training.set_training_plan(user=request.auth, organization_id=payload.organization_id, year=payload.year, planned=payload.planned)
    return read.plan_out(payload.organization_id, payload.year)


# --- inspections ----------------------------------------------------------------------------

@router.get("/inspections/checklist", response=s.ChecklistOut, summary="Bảng tiêu chí kiểm tra của năm")
def get_checklist(request: HttpRequest, year: int | None = None):
    items = inspecting.checklist(_year(year))
    return {"year": _year(year), "items": [{"code": i.code, "area": i.area, "title": i.title, "max_score": i.max_score} for i in items],
            "count": len(items)}


@router.post("/inspections", response={201: s.InspectionOut}, summary="Đưa một cuộc kiểm tra vào kế hoạch")
def plan_inspection(request: HttpRequest, payload: s.InspectionIn):
    insp = inspecting.plan_inspection(user=request.auth, organization_id=payload.organization_id, year=payload.year,
                                      planned_on=payload.planned_on, content=payload.content, team_ids=payload.team_ids)
    return Status(201, read.inspection_out(insp))


@router.get("/inspections", response=s.InspectionList, summary="Các cuộc kiểm tra một tổ chức (được kiểm tra hoặc đi kiểm tra)")
def list_inspections(request: HttpRequest, organization_id: int, year: int | None = None):
    access.get_org(request.auth, organization_id)
    qs = access.visible_inspections(request.auth).filter(Q(organization_id=organization_id) | Q(owner_id=organization_id))
    if year is not None:
        qs = qs.of_year(_year(year))
    items = [{"id": i.id, "owner_id": i.owner_id, "organization_id": i.organization_id, "year": i.year, "planned_on": i.planned_on,
              "content": i.content, "status": i.status} for i in qs.order_by("planned_on", "id")[:500]]
    return {"items": items, "count": len(items)}


@router.get("/inspections/{inspection_id}", response=s.InspectionOut, summary="Một cuộc kiểm tra: điểm hai bên, kiến nghị")
def get_inspection(request: HttpRequest, inspection_id: int):
    return read.inspection_out(access.get_inspection(request.auth, inspection_id))


def _scores(request: HttpRequest, inspection_id: int, payload: s.ScoresIn, side: str) -> Inspection:
    insp = access.get_inspection(request.auth, inspection_id)
    return inspecting.record_scores(insp, user=request.auth, side=side, scores=payload.scores, findings=payload.findings)


@router.put("/inspections/{inspection_id}/scores", response=s.InspectionOut, summary="Đoàn kiểm tra chấm điểm")
def put_scores(request: HttpRequest, inspection_id: int, payload: s.ScoresIn):
    return read.inspection_out(_scores(request, inspection_id, payload, ScoreSide.INSPECTOR))


@router.put("/inspections/{inspection_id}/self-assessment", response=s.InspectionOut, summary="Tổ chức tự đánh giá")
def put_self_assessment(request: HttpRequest, inspection_id: int, payload: s.ScoresIn):
    return read.inspection_out(_scores(request, inspection_id, payload, ScoreSide.SELF))


@router.post("/inspections/{inspection_id}/sign-off", response=s.InspectionOut, summary="Ký biên bản kiểm tra")
def sign_off(request: HttpRequest, inspection_id: int, payload: s.SignOffIn):
    insp = access.get_inspection(request.auth, inspection_id)
    return read.inspection_out(inspecting.sign_off(insp, user=request.auth, document_id=payload.document_id, findings=payload.findings))


@router.post("/inspections/{inspection_id}/recommendations", response={201: s.RecommendationOut}, summary="Thêm kiến nghị")
def add_recommendation(request: HttpRequest, inspection_id: int, payload: s.RecommendationIn):
    insp = access.get_inspection(request.auth, inspection_id)
    return Status(201, read.recommendation_out(inspecting.add_recommendation(insp, user=request.auth, text=payload.text, deadline=payload.deadline)))


@router.post("/inspections/recommendations/{recommendation_id}/report", response=s.RecommendationOut, summary="Báo cáo thực hiện kiến nghị")
def report_recommendation(request: HttpRequest, recommendation_id: int, payload: s.RecommendationReportIn):
    rec = access.get_recommendation(request.auth, recommendation_id)
    return read.recommendation_out(inspecting.report_recommendation(rec, user=request.auth, report=payload.report))


@router.post("/inspections/recommendations/{recommendation_id}/close", response=s.RecommendationOut, summary="Kết thúc kiến nghị")
def close_recommendation(request: HttpRequest, recommendation_id: int):
    rec = access.get_recommendation(request.auth, recommendation_id)
    return read.recommendation_out(inspecting.close_recommendation(rec, user=request.auth))


# --- infrastructure -------------------------------------------------------------------------

@router.get("/infrastructure/standards", response=s.StandardList, summary="Chuẩn tối thiểu về hạ tầng của năm")
def get_standards(request: HttpRequest, year: int | None = None):
    rules = infrastructure.standards(_year(year))
    return {"year": _year(year), "items": [{"metric": r.metric, "label": r.label, "threshold": r.threshold} for r in rules],
            "count": len(rules)}


@router.post("/infrastructure/reviews", response={201: s.ReviewOut}, summary="Yêu cầu các tổ chức rà soát hạ tầng")
def start_review(request: HttpRequest, payload: s.ReviewIn):
    c = infrastructure.start_review(user=request.auth, owner_id=payload.organization_id, year=payload.year, due_date=payload.due_date)
    return Status(201, {"owner_id": c.owner_id, "year": c.year, "due_date": c.due_date})


@router.get("/infrastructure/{org_id}", response=s.InventoryOut, summary="Hạ tầng CNTT của một tổ chức và các điểm chưa đạt chuẩn")
def get_inventory(request: HttpRequest, org_id: int, year: int | None = None):
    access.get_org(request.auth, org_id)
    return read.inventory_out(org_id, _year(year))


@router.put("/infrastructure/{org_id}", response=s.InventoryOut, summary="Tổ chức xác nhận hoặc cập nhật hạ tầng")
def put_inventory(request: HttpRequest, org_id: int, payload: s.InventoryIn):
    values = payload.dict(exclude={"year"})
    infrastructure.save_inventory(user=request.auth, organization_id=org_id, year=payload.year, values=values)
    return read.inventory_out(org_id, payload.year)


# --- measures -------------------------------------------------------------------------------

@router.get("/programme/measures", response=s.MeasuresOut, summary="Các chỉ số đo được của một tổ chức cho đánh giá năm")
def get_measures(request: HttpRequest, organization_id: int, year: int | None = None):
    access.get_org(request.auth, organization_id)
    y = _year(year)
    found = measures([organization_id], y)[organization_id]
    return {"organization_id": organization_id, "year": y, "measures": {k: m.as_dict() for k, m in found.items()}}
