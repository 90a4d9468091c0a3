"""The follow-up table as XLSX (openpyxl) and as a printable A4 PDF (reportlab, Vietnamese font).

The export holds what the screen shows for the same filters, every page of it: directives with
their figures, or organisations with theirs, overdue first.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from vanthu.documents.pdfgen import font_name
from vanthu.ui import formatting
from vanthu.ui.formatting import DATE, INT, SHARE, TEXT

from . import followup

CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


@dataclass
class Table:
    title: str
    subtitle: str
    columns: list[str]
    rows: list[list[Any]]
    widths: list[float]
    # What each column holds: the workbook stores numbers and dates with a number format, the
    # PDF prints them as the page does (vanthu.ui.formatting).
    kinds: list[str] = field(default_factory=list)


def directives_table(user, f: followup.Filters, subtitle: str) -> Table:
    directives = list(followup.directives(user, f))
    figures = followup.directive_figures([d.id for d in directives], organization=f.organization)
    rows = []
    for i, d in enumerate(directives, 1):
        fig = figures.get(d.id, followup.Figures())
        rows.append([i, d.title, d.organization.short_name or d.organization.name, d.issued_on, fig.total, fig.done,
                     fig.reported, fig.overdue, fig.progress / 100, d.open_due])
    return Table(_("THEO DÕI THỰC HIỆN Ý KIẾN CHỈ ĐẠO"), subtitle,
                 [_("STT"), pgettext("column", "Ý kiến chỉ đạo"), _("Cơ quan chỉ đạo"), _("Ngày"), _("Số nhiệm vụ"), _("Hoàn thành"),
                  _("Chờ xác nhận"), _("Quá hạn"), _("Tiến độ TB"), _("Hạn gần nhất")],
                 rows, [3, 30, 8, 7, 6, 6, 6, 5, 6, 7], [INT, TEXT, TEXT, DATE, INT, INT, INT, INT, SHARE, DATE])


def organizations_table(user, f: followup.Filters, subtitle: str) -> Table:
    rows = []
    for i, (org, fig) in enumerate(followup.organization_rows(user, f), 1):
        rows.append([i, org.name, fig.total, fig.done, fig.on_time, fig.reported, fig.overdue, fig.progress / 100])
    return Table(_("THEO DÕI THỰC HIỆN NHIỆM VỤ THEO ĐƠN VỊ"), subtitle,
                 [_("STT"), _("Đơn vị"), _("Số nhiệm vụ"), _("Hoàn thành"), _("Đúng hạn"), _("Chờ xác nhận"), _("Quá hạn"),
                  _("Tiến độ TB")], rows, [3, 30, 6, 6, 6, 6, 6, 6], [INT, TEXT, INT, INT, INT, INT, INT, SHARE])


def write_xlsx(table: Table) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Theo dõi")[:31])
    ws.append([table.title])
    ws.append([table.subtitle])
    ws.append([])
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    ws.append(header)
    for row in table.rows:
        ws.append(formatting.xlsx_row(ws, table.kinds, row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _esc(v: Any) -> str:
    return str("" if v is None else v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_pdf(table: Table) -> bytes:
    font = font_name()
    size = landscape(A4)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9)
    title = ParagraphStyle("title", fontName=font, fontSize=13, leading=16, alignment=1)
    sub = ParagraphStyle("sub", fontName=font, fontSize=9.5, leading=12, alignment=1)
    printed = formatting.day_time(timezone.now())

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        w, h = size
        canvas.drawString(12 * mm, h - 8 * mm, table.subtitle[:150])
        canvas.drawString(12 * mm, 7 * mm, _("In lúc %(t)s từ VanThu") % {"t": printed})
        canvas.drawRightString(w - 12 * mm, 7 * mm, _("Trang %(n)s") % {"n": doc.page})
        canvas.restoreState()

    data: list[Iterable] = [[Paragraph(_esc(c), cell) for c in table.columns]]
    kinds = table.kinds + [TEXT] * (len(table.columns) - len(table.kinds))
    data += [[Paragraph(_esc(formatting.cell_text(k, v)), cell) for k, v in zip(kinds, row, strict=False)] for row in table.rows]
    if not table.rows:
        data.append([Paragraph(_("Không có nhiệm vụ nào."), cell)] + [""] * (len(table.columns) - 1))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=size, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=14 * mm,
                            bottomMargin=13 * mm, title=table.title, author="VanThu")
    avail = size[0] - 24 * mm
    widths = [avail * w / sum(table.widths) for w in table.widths]
    grid = LongTable(data, colWidths=widths, repeatRows=1)
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                              ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                              ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    doc.build([Paragraph(_esc(table.title), title), Paragraph(_esc(table.subtitle), sub), Spacer(1, 4 * mm), grid],
              onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


WRITERS = {"xlsx": write_xlsx, "pdf": write_pdf}
