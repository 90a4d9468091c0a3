"""Member lists and statistics as XLSX and PDF. Each file says who exported it and when.

Identity numbers are never exported (the list shows them masked); the callers audit each export.
"""

from __future__ import annotations

import io
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from vanthu.documents.pdfgen import make_pdf
from vanthu.ui import formatting
from vanthu.ui.formatting import DATE, TEXT

from .models import Gender, MemberStatus, Qualification, TheoryLevel
from .statistics import AGE_BANDS, CATEGORIES, MOVEMENTS, Statistics

MEMBER_COLUMNS = ("Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng", "Ngày chính thức", "Mã tổ chức",
                  "Dân tộc", "Trình độ chuyên môn", "Lý luận chính trị", "Tình trạng")
_LABELS = {"gender": Gender, "qualification": Qualification, "theory_level": TheoryLevel}


def stamp(user, at: datetime | None = None) -> str:
    at = timezone.localtime(at or timezone.now())
    name = user.get_full_name() or user.get_username()
    return _("Xuất bởi %(name)s lúc %(at)s") % {"name": name, "at": at.strftime("%H:%M %d/%m/%Y")}


def _d(value) -> str:
    return formatting.day(value)


# The member list's columns: dates are stored as dates (dd/mm/yyyy format) so that Excel sorts by
# them and computes ages; the import reads real dates as well as typed ones.
MEMBER_KINDS = [TEXT, DATE, TEXT, TEXT, DATE, DATE, TEXT, TEXT, TEXT, TEXT, TEXT]


def members_xlsx(rows, *, user) -> bytes:
    """`rows`: dicts of the member list (values of PartyMember with organization__code). Streams in write-only mode."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Dang vien")
    ws.append(list(MEMBER_COLUMNS))
    labels = {k: dict(v.choices) for k, v in _LABELS.items()}
    statuses = dict(MemberStatus.choices)
    n = 0
    for r in rows:
        n += 1
        ws.append(formatting.xlsx_row(ws, MEMBER_KINDS, [
            r["full_name"], r["birth_date"], str(labels["gender"].get(r["gender"], "")), r["card_number"],
            r["admitted_on"], r["official_on"], r["organization__code"], r["ethnicity"],
            str(labels["qualification"].get(r["qualification"], "")), str(labels["theory_level"].get(r["theory_level"], "")),
            str(statuses.get(r["status"], ""))]))
    ws.append([])
    ws.append([stamp(user), _("Tổng số: %(n)s đảng viên") % {"n": n}])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The statistics' columns by group. Groups name their columns: "Chưa qua đào tạo" and
    "Trung cấp" are both a qualification and a level of political theory."""
    groups = {"gender": _("Giới tính"), "qualification": _("Trình độ chuyên môn"), "theory_level": _("Lý luận chính trị")}
    out: list[tuple[str, list[tuple[str, str]]]] = [("", [("total", str(_("Tổng số")))])]
    for name, choices in CATEGORIES.items():
        out.append((str(groups[name]), [(f"{name}.{v}", str(label)) for v, label in choices.choices]))
    out.append((str(_("Độ tuổi")), [(f"age.{key}", str(label)) for key, label, *_rest in AGE_BANDS]))
    movement_labels = {"admitted_this_year": _("Kết nạp trong năm"), "transferred_in": _("Chuyển đến"),
                       "transferred_out": _("Chuyển đi"), "deceased": _("Từ trần")}
    out.append((str(_("Biến động")), [(m, str(movement_labels[m])) for m in MOVEMENTS]))
    return out


def _headings() -> list[tuple[str, str]]:
    return [head for _group, heads in _groups() for head in heads]


def statistics_xlsx(stats: Statistics, *, user) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Thong ke"
    ws.append([_("Thống kê đảng viên đến ngày %(d)s") % {"d": _d(stats.as_of)}])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([stamp(user)])
    # Two heading rows: each group over its columns, then the columns.
    ws.cell(row=3, column=1, value=_("Tổ chức")).font = Font(bold=True)
    col = 2
    for group, heads in _groups():
        ws.cell(row=3, column=col, value=group or None).font = Font(bold=True)
        if len(heads) > 1:
            ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + len(heads) - 1)
        col += len(heads)
    heads = _headings()
    ws.append([None] + [label for _k, label in heads])
    for r in stats.rows:
        ws.append(["    " * r.depth + r.name] + [r.total.get(k, 0) for k, _l in heads])
    ws.append([])
    ws.append([_("Dân tộc"), _("Số đảng viên")])
    for name, n in stats.ethnicity().items():
        ws.append([name, n])
    ws.column_dimensions["A"].width = 50
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def statistics_pdf(stats: Statistics, *, user) -> bytes:
    totals = stats.totals()
    lines = [_("THỐNG KÊ ĐẢNG VIÊN ĐẾN NGÀY %(d)s") % {"d": _d(stats.as_of)}, stamp(user), ""]
    for group, heads in _groups():
        if group:
            lines.append(f"{group}:")
        lines += [f"{'  ' if group else ''}{label}: {totals.get(key, 0)}" for key, label in heads]
    lines += ["", _("Theo dân tộc:")] + [f"  {name}: {n}" for name, n in stats.ethnicity().items()]
    lines += ["", _("Theo tổ chức (tổng số đảng viên, kể cả tổ chức trực thuộc):")]
    lines += [f"{'  ' * r.depth}{r.name}: {r.total.get('total', 0)}" for r in stats.rows]
    pages = [lines[i:i + 45] for i in range(0, len(lines), 45)]
    return make_pdf(pages, title=_("Thống kê đảng viên"))
