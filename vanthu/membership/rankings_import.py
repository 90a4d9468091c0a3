"""A year's member rankings from Excel, as committees keep them: all rows or none, errors per row.

Columns, in this order: `Số thẻ đảng viên`, `Họ và tên`, `Xếp loại`. The name is checked against the
record (a card number typed wrong must not rank someone else); the grade is the full wording or its
usual abbreviation (HTXSNV, HTTNV, HTNV, KHTNV). Importing the same file again changes nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from vanthu.audit.chain import record
from vanthu.search.fold import fold

from . import actions
from .importing import XLSX, ImportRejected, RowError, cell_text, read_sheet
from .models import Grade, MemberRanking, PartyMember

COLUMNS = ("Số thẻ đảng viên", "Họ và tên", "Xếp loại")
ABBREVIATIONS = {"htxsnv": Grade.EXCELLENT, "httnv": Grade.GOOD, "htnv": Grade.DONE, "khtnv": Grade.NOT_DONE}
__all__ = ["COLUMNS", "XLSX", "Outcome", "import_rankings", "template"]


@dataclass
class Outcome:
    ranked: int
    unchanged: int
    dry_run: bool


def _grades() -> dict[str, str]:
    with translation.override(None):
        out = {fold(str(label)): value for value, label in Grade.choices}
    return {**out, **ABBREVIATIONS, **{v: v for v in Grade.values}}


def template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Xep loai"
    ws.append(COLUMNS)
    ws.append(["01234567", "Nguyễn Văn An", "Hoàn thành tốt nhiệm vụ"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def import_rankings(data: bytes, *, user, org_ids: set[int], year: int, dry_run: bool = False) -> Outcome:
    """Check every row; if all are good, record the year's grades in one transaction (unless `dry_run`)."""
    actions.check_year(year)
    rows, errors = read_sheet(data, COLUMNS)
    grades = _grades()
    parsed: list[tuple[int, str, str, str]] = []
    seen: dict[str, int] = {}
    for n, cells in rows:
        card, name, grade_text = (cell_text(c) for c in cells)
        card = card.upper()
        grade = grades.get(fold(" ".join(grade_text.split())))
        if not card:
            errors.append(RowError(n, COLUMNS[0], _("Thiếu thông tin bắt buộc.")))
        elif card in seen:
            errors.append(RowError(n, COLUMNS[0], _("Số thẻ đảng viên trùng với dòng %(row)s của tệp.") % {"row": seen[card]}))
        else:
            seen[card] = n
        if grade is None:
            errors.append(RowError(n, COLUMNS[2], _("Mức xếp loại không hợp lệ.")))
        parsed.append((n, card, name, grade or ""))
    cards = [c for _n, c, _name, _g in parsed if c]
    members = {}
    for i in range(0, len(cards), 900):
        members.update({m.card_number: m for m in PartyMember.objects.filter(card_number__in=cards[i:i + 900], organization_id__in=org_ids)
                        .only("id", "card_number", "full_name", "organization_id")})
    for n, card, name, _grade in parsed:
        m = members.get(card)
        if card and m is None:
            errors.append(RowError(n, COLUMNS[0], _("Không có đảng viên mang số thẻ này trong phạm vi quản lý của đồng chí.")))
        elif m is not None and seen[card] == n and fold(" ".join(name.split())) != fold(m.full_name):
            errors.append(RowError(n, COLUMNS[1], _("Họ và tên không khớp với hồ sơ của số thẻ này.")))
    if errors:
        errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1))
        actions.audit_read("party_rankings_import_rejected", user=user, data={"rows": len(rows), "errors": len(errors)})
        raise ImportRejected(_("Tệp có %(n)s lỗi; chưa nhập dòng nào. Sửa các dòng được nêu rồi nhập lại.") % {"n": len(errors)},
                             details={"errors": [e.as_dict() for e in errors]})
    current = dict(MemberRanking.objects.filter(year=year, member_id__in=[m.id for m in members.values()]).values_list("member_id", "grade"))
    todo = [(members[card], grade) for _n, card, _name, grade in parsed if current.get(members[card].id) != grade]
    outcome = Outcome(ranked=len(todo), unchanged=len(parsed) - len(todo), dry_run=dry_run)
    if dry_run:
        return outcome
    with transaction.atomic():
        for m, grade in todo:
            MemberRanking.objects.update_or_create(member=m, year=year, defaults={"grade": grade, "organization_id": m.organization_id,
                                                                                  "entered_by": user})
        record("party_rankings_imported", actor=user, object_type="membership.memberranking",
               data={"year": year, "rows": len(parsed), "ranked": len(todo)})
    return outcome
