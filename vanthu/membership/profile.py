"""The rules of a member's profile, shared by the forms, the API and the Excel import.

Each check returns the problems it finds as (field, message) pairs; messages are Vietnamese and never
repeat the value (values are personal data and must not reach logs or error pages).
"""

from __future__ import annotations

import functools
import re
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _

from vanthu.search.fold import fold

from .models import Gender, Qualification, TheoryLevel

ADULT_AGE = 18
CARD_RE = re.compile(r"^[0-9A-Z.\-]{4,16}$")
ID_NUMBER_RE = re.compile(r"^[0-9]{9}([0-9]{3})?$")  # CMND (9) or CCCD/personal identifier (12)

Problem = tuple[str, str]


def years_after(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 1 March in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def check_dates(birth: date | None, admitted: date | None, official: date | None, *, today: date) -> list[Problem]:
    out: list[Problem] = []
    if birth and birth > today:
        out.append(("birth_date", _("Ngày sinh ở sau ngày hôm nay.")))
    if admitted and admitted > today:
        out.append(("admitted_on", _("Ngày vào Đảng ở sau ngày hôm nay.")))
    if birth and admitted and admitted < years_after(birth, ADULT_AGE):
        out.append(("admitted_on", _("Ngày vào Đảng khi chưa đủ 18 tuổi.")))
    if official and admitted and official < admitted:
        out.append(("official_on", _("Ngày chính thức trước ngày vào Đảng.")))
    if official and official > today:
        out.append(("official_on", _("Ngày chính thức ở sau ngày hôm nay.")))
    return out


def check_card(card: str) -> list[Problem]:
    if not CARD_RE.match(card):
        return [("card_number", _("Số thẻ đảng viên chỉ gồm chữ số, chữ in hoa, dấu chấm hoặc gạch nối, từ 4 đến 16 ký tự."))]
    return []


def check_id_number(value: str) -> list[Problem]:
    if value and not ID_NUMBER_RE.match(value):
        return [("id_number", _("Số định danh cá nhân gồm 12 chữ số (hoặc 9 chữ số với chứng minh nhân dân cũ)."))]
    return []


@functools.cache
def _table(kind: str) -> dict[str, str]:
    """Folded Vietnamese label (and code) → code: "Cử nhân", "cu nhan" and "bachelor" all match.

    Built once, from the labels as written in the code (Vietnamese), whatever language is active."""
    choices = {"gender": Gender, "qualification": Qualification, "theory_level": TheoryLevel}[kind]
    out: dict[str, str] = dict(_EXTRA[kind])
    with translation.override(None):
        for value, label in choices.choices:
            out[fold(str(label))] = value
            out[value] = value
    return out


_EXTRA: dict[str, dict[str, str]] = {
    "gender": {"nu": Gender.FEMALE, "nam": Gender.MALE},
    "qualification": {"cu nhan": Qualification.BACHELOR, "ky su": Qualification.BACHELOR, "thac sy": Qualification.MASTER,
                      "tien sy": Qualification.DOCTOR, "": Qualification.NONE, "khong": Qualification.NONE},
    "theory_level": {"": TheoryLevel.NONE, "khong": TheoryLevel.NONE, "cao cap ly luan chinh tri": TheoryLevel.ADVANCED},
}


def choice_from_text(kind: str, text: str) -> str | None:
    """A choice's code from what a person typed in Excel, or None if it names none."""
    return _table(kind).get(fold(" ".join(text.split())))
