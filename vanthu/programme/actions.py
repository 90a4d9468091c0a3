"""Every state change of the programme: one transaction each, audited, acting user keyword-only.

Training and infrastructure changes are in `training.py` and `inspecting.py` (re-exported here),
so that each module stays small; this one holds regulations and the shared helpers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.documents.access import get_document
from vanthu.errors import NotAllowed, Unprocessable
from vanthu.notifications.actions import notify
from vanthu.organizations.access import member_org_ids
from vanthu.organizations.models import Membership, Organization
from vanthu.text import clean_text

from . import access, tallies
from .models import Acknowledgement, Regulation, RegulationKind, RegulationTarget, StudySession

TITLE_MAX = 500


def check_year(year: int) -> int:
    if not 2000 <= int(year) <= 2100:
        raise Unprocessable(_("Năm không hợp lệ."), code="invalid_year", details={"field": "year"})
    return int(year)


def people_of(org_ids: Iterable[int], roles: Sequence[str] | None = None) -> list[int]:
    qs = Membership.objects.filter(organization_id__in=list(org_ids), organization__is_active=True, user__is_active=True)
    if roles:
        qs = qs.filter(role__in=list(roles))
    return sorted(set(qs.values_list("user_id", flat=True)))


def office_orgs_checked(user, org_ids: Iterable[int], *, field: str) -> list[Organization]:
    """Organisations the person runs the programme for; any other id is refused, naming the field."""
    ids = sorted(set(org_ids))
    outside = [i for i in ids if not access.is_office(user, i)]
    if outside:
        raise Unprocessable(_("Có tổ chức ngoài phạm vi bạn phụ trách."), code="organization_out_of_scope",
                            details={"field": field, "organization_ids": outside})
    return list(Organization.objects.filter(id__in=ids))


def default_owner(user) -> Organization:
    """Where the person's programme items belong when they name none: their highest office organisation."""
    ids = access.office_ids(user)
    if not ids:
        raise NotAllowed(_("Chỉ cán bộ kiểm tra của cấp trên được làm việc này."), code="not_office")
    org = Organization.objects.filter(id__in=ids).exclude(parent_id__in=ids).order_by("parent_id", "name").first()
    assert org is not None
    return org


# --- regulations ----------------------------------------------------------------------------

def _quiz(quiz: list[dict] | None) -> list[dict]:
    out = []
    for i, q in enumerate(quiz or []):
        options = [clean_text(o, field=f"quiz.{i}.options", max_length=500) for o in q.get("options", [])]
        answer = q.get("answer")
        if len(options) < 2 or not isinstance(answer, int) or not 0 <= answer < len(options):
            raise Unprocessable(_("Câu hỏi %(n)s cần ít nhất hai phương án và một đáp án đúng.") % {"n": i + 1},
                                code="invalid_quiz", details={"field": "quiz", "question": i})
        out.append({"question": clean_text(q.get("question"), field=f"quiz.{i}.question", max_length=1000),
                    "options": options, "answer": answer})
    return out


@transaction.atomic
def publish_regulation(*, user, title: str, year: int, due_date: date, target_org_ids: Sequence[int],
                       kind: str = RegulationKind.QUY_CHE, owner_id: int | None = None, document_id: int | None = None,
                       quiz: list[dict] | None = None, pass_mark: Decimal | float | None = None) -> Regulation:
    """A regulation to be studied by the people of the target organisations by `due_date`; they are told."""
    owner = Organization.objects.get(id=owner_id) if owner_id is not None and access.is_office(user, owner_id) else None
    if owner_id is not None and owner is None:
        access.get_org(user, owner_id)
        access.require_office(user, owner_id)
    owner = owner or default_owner(user)
    if kind not in RegulationKind.values:
        raise Unprocessable(_("Loại văn bản không hợp lệ."), code="invalid_kind", details={"field": "kind"})
    if not target_org_ids:
        raise Unprocessable(_("Hãy chọn ít nhất một tổ chức phải nghiên cứu."), code="no_targets", details={"field": "target_org_ids"})
    targets = office_orgs_checked(user, target_org_ids, field="target_org_ids")
    document = get_document(user, document_id) if document_id is not None else None
    mark = Decimal(str(pass_mark)) if pass_mark is not None else Decimal("0.8")
    if not Decimal(0) <= mark <= Decimal(1):
        raise Unprocessable(_("Tỷ lệ đạt phải từ 0 đến 1."), code="invalid_pass_mark", details={"field": "pass_mark"})
    reg = Regulation.objects.create(
        owner=owner, kind=kind, title=clean_text(title, field="title", max_length=TITLE_MAX, label=_("Tên văn bản")),
        document=document, year=check_year(year), due_date=due_date, quiz=_quiz(quiz), pass_mark=mark, created_by=user)
    RegulationTarget.objects.bulk_create([RegulationTarget(regulation=reg, organization=o) for o in targets])
    record("regulation_published", actor=user, obj=reg, data={"title": reg.title, "targets": [o.id for o in targets]})
    notify(people_of(o.id for o in targets), kind="programme_regulation",
           title=_("Đề nghị nghiên cứu, quán triệt: %(t)s") % {"t": reg.title},
           body=_("Hạn hoàn thành: %(d)s.") % {"d": reg.due_date.strftime("%d/%m/%Y")}, url=f"/programme/regulations/{reg.id}/", obj=reg)
    return reg


def target_org_for(user, regulation: Regulation) -> int | None:
    """The target organisation the person studies the regulation for (their first, by id)."""
    mine = member_org_ids(user)
    ids = sorted(set(regulation.targets.values_list("organization_id", flat=True)) & mine)
    return ids[0] if ids else None


def quiz_score(regulation: Regulation, answers: Sequence[int] | None) -> Decimal | None:
    if not regulation.quiz:
        return None
    answers = list(answers or [])
    if len(answers) != len(regulation.quiz):
        raise Unprocessable(_("Hãy trả lời đủ %(n)s câu hỏi.") % {"n": len(regulation.quiz)}, code="quiz_incomplete",
                            details={"field": "answers"})
    right = sum(1 for q, a in zip(regulation.quiz, answers, strict=True) if a == q["answer"])
    return (Decimal(right) / Decimal(len(regulation.quiz))).quantize(Decimal("0.001"))


@transaction.atomic
def acknowledge_regulation(regulation: Regulation, *, user, answers: Sequence[int] | None = None) -> Acknowledgement:
    """The person confirms "đã đọc, nghiên cứu" (passing the quiz, if there is one). Twice is once."""
    org_id = target_org_for(user, regulation)
    if org_id is None:
        raise NotAllowed(_("Văn bản này không giao cho tổ chức của bạn nghiên cứu."), code="not_a_target")
    existing = Acknowledgement.objects.filter(regulation=regulation, user=user).first()
    if existing:
        return existing
    score = quiz_score(regulation, answers)
    if score is not None and score < regulation.pass_mark:
        raise Unprocessable(_("Chưa đạt: trả lời đúng %(s)s%%, cần %(m)s%%. Hãy đọc lại và trả lời lại.") % {
            "s": int(score * 100), "m": int(regulation.pass_mark * 100)}, code="quiz_failed", details={"field": "answers", "score": float(score)})
    ack = Acknowledgement.objects.create(regulation=regulation, user=user, organization_id=org_id,
                                         acknowledged_at=timezone.now(), quiz_score=score)
    tallies.count_acknowledgement(org_id, regulation.year)
    record("regulation_acknowledged", actor=user, obj=regulation, data={"organization_id": org_id, "quiz_score": score})
    return ack


@transaction.atomic
def confirm_study_session(regulation: Regulation, *, user, organization_id: int, held_on: date, attendees: int) -> StudySession:
    """The committee of a target organisation held its study session (quán triệt)."""
    access.check_side_or_not_found(user, organization_id)
    if not regulation.targets.filter(organization_id=organization_id).exists():
        raise Unprocessable(_("Văn bản này không giao cho tổ chức này quán triệt."), code="not_a_target",
                            details={"field": "organization_id"})
    if held_on > timezone.localdate():
        raise Unprocessable(_("Ngày quán triệt không được ở tương lai."), code="future_date", details={"field": "held_on"})
    if attendees < 1 or attendees > 100000:
        raise Unprocessable(_("Số người dự không hợp lệ."), code="invalid_attendees", details={"field": "attendees"})
    session, _created = StudySession.objects.update_or_create(
        regulation=regulation, organization_id=organization_id,
        defaults={"held_on": held_on, "attendees": attendees, "confirmed_by": user, "confirmed_at": timezone.now()})
    record("regulation_study_session_confirmed", actor=user, obj=regulation,
           data={"organization_id": organization_id, "held_on": held_on, "attendees": attendees})
    return session


def laggards(regulation: Regulation) -> list[int]:
    """People of the target organisations who have not acknowledged yet."""
    org_ids = list(regulation.targets.values_list("organization_id", flat=True))
    done = set(Acknowledgement.objects.filter(regulation=regulation).values_list("user_id", flat=True))
    return [u for u in people_of(org_ids) if u not in done]


@transaction.atomic
def remind_laggards(regulation: Regulation, *, user) -> int:
    """Tell everyone who has not studied the regulation yet (once a day at most)."""
    access.require_office(user, regulation.owner_id)
    ids = laggards(regulation)
    told = notify(ids, kind="programme_regulation", title=_("Nhắc nghiên cứu, quán triệt: %(t)s") % {"t": regulation.title},
                  body=_("Hạn hoàn thành: %(d)s.") % {"d": regulation.due_date.strftime("%d/%m/%Y")},
                  url=f"/programme/regulations/{regulation.id}/", obj=regulation,
                  key=f"programme-remind-{regulation.id}-{timezone.localdate().isoformat()}")
    record("regulation_laggards_reminded", actor=user, obj=regulation, data={"people": told})
    return told
