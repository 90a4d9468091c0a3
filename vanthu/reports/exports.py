"""Registers and dashboard tables as XLSX (openpyxl) and printable PDF (A4, Vietnamese font).

A `Table` is a title, the organisation and period it is about, columns and rows (an iterator,
so a register of tens of thousands of rows is streamed). Writers report progress, which the
background export shows to the person waiting.

Rows hold values, not text: counts as ints, shares as floats 0..1, hours as floats, dates as
dates, and each column says what it holds (`kinds`). The XLSX writer stores them as numbers and
dates with a number format, so that Excel sums, sorts and charts them; the PDF writer prints them
the way the page does (`vanthu.ui.formatting`: 1.234, 99,4%, 16,8, dd/mm/yyyy in Vietnamese).
A row whose organisation missed a target (`Table.missed`) is filled red in the workbook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.documents import registers
from vanthu.documents.pdfgen import font_name
from vanthu.errors import NotFound
from vanthu.organizations.models import Organization
from vanthu.ui import formatting

from . import access, dashboard, records
from .evaluation import Row
from .figures import Figures, Period, by_type, figures_for, make_period
from .models import Criterion

Progress = Callable[[int], None]


@dataclass
class Table:
    kind: str
    title: str
    organization: str
    period: str
    columns: list[str]
    rows: Iterable[list[Any]]
    total: int
    widths: list[float] = field(default_factory=list)  # relative widths for the PDF
    landscape: bool = False
    kinds: list[str] = field(default_factory=list)  # per column, a key of KINDS_OF_CELLS; text if missing
    # Given a data row, whether its organisation missed a target (the row is highlighted).
    missed: Callable[[list[Any]], bool] | None = None

    def kind_of(self, i: int) -> str:
        return self.kinds[i] if i < len(self.kinds) else TEXT

    def file_stem(self) -> str:
        return f"{self.kind}-{timezone.localdate().isoformat()}"


# What a column holds (the kinds and their formats are shared with the other apps' exports).
TEXT, INT, SHARE, HOURS, SCORE, DATE, DATETIME = (formatting.TEXT, formatting.INT, formatting.SHARE, formatting.HOURS,
                                                  formatting.SCORE, formatting.DATE, formatting.DATETIME)
MISSED_FILL = formatting.MISSED_FILL


# --- tables ---------------------------------------------------------------------------------

def incoming_register(org: Organization, period: Period | None, *, register: str = "", doc_type: str = "") -> Table:
    """By a period of the dashboard, or a whole register as the register page shows it."""
    qs = registers.incoming(org, register, doc_type) if register else records.incoming_register(org.id, period)
    label = dict(registers.incoming_periods(org)).get(register, register) if register else period.label

    def rows() -> Iterator[list[Any]]:
        for d in qs.iterator(chunk_size=2000):
            doc = d.document
            yield [d.incoming_number, d.accepted_at, doc.issuer_name, doc.symbol, doc.issued_date,
                   doc.doc_type.name, doc.subject, d.get_source_display(), d.deadline, d.status_label]

    return Table("so-van-ban-den", _("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"), org.name, label,
                 [_("Số đến"), _("Ngày đến"), _("Nơi gửi"), _("Số, ký hiệu"), _("Ngày văn bản"), _("Loại"),
                  _("Trích yếu"), _("Nguồn"), _("Hạn xử lý"), _("Trạng thái")],
                 rows(), qs.count(), [5, 9, 13, 9, 8, 8, 26, 7, 7, 8], landscape=True,
                 kinds=[INT, DATETIME, TEXT, TEXT, DATE, TEXT, TEXT, TEXT, DATE, TEXT])


def outgoing_register(org: Organization, period: Period | None, *, register: str = "", doc_type: str = "") -> Table:
    """By a period of the dashboard, or a whole register (a term or a year) as its page shows it."""
    qs = registers.outgoing(org, register, doc_type) if register else records.outgoing_register(org.id, period)
    label = dict(registers.outgoing_periods(org)).get(register, register) if register else period.label

    def rows() -> Iterator[list[Any]]:
        for doc in qs.iterator(chunk_size=2000):
            yield [doc.symbol, doc.issued_date, doc.doc_type.name, doc.subject,
                   " ".join(x for x in (doc.signer_position, doc.signer_name) if x),
                   "; ".join(o.name for o in doc.recipients.all()), doc.page_count]

    return Table("so-van-ban-di", _("SỔ ĐĂNG KÝ VĂN BẢN ĐI"), org.name, label,
                 [_("Số, ký hiệu"), _("Ngày văn bản"), _("Loại"), _("Trích yếu"), _("Người ký"), _("Nơi nhận"), _("Số trang")],
                 rows(), qs.count(), [10, 8, 8, 30, 12, 26, 5], landscape=True,
                 kinds=[TEXT, DATE, TEXT, TEXT, TEXT, TEXT, INT])


def ranking(root: Organization, year: int, rows_in: list[Row], *, proposals_only: bool = False) -> Table:
    chosen = [r for r in rows_in if r.proposed] if proposals_only else rows_in
    labels = {"met": _("Đạt"), "not_met": _("Chưa đạt"), "unknown": _("Chưa xác định")}

    def rows() -> Iterator[list[Any]]:
        for r in chosen:
            f = r.figures
            yield [r.rank, r.organization.name, f.sent, f.received, f.electronic_share, f.authenticated_share,
                   f.late_share, f.hours(0, 0.5), f.hours(1, 0.5), labels[r.met], r.score,
                   _("Đề nghị") if r.proposed else ""]

    title = _("DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG ỨNG DỤNG CNTT") if proposals_only else _("XẾP HẠNG ỨNG DỤNG CNTT CỦA CÁC TỔ CHỨC ĐẢNG")
    return Table("de-nghi-khen-thuong" if proposals_only else "xep-hang", title, root.name, _("Năm %(y)s") % {"y": year},
                 [_("Hạng"), _("Tổ chức"), _("VB đi"), _("VB đến"), _("Tỷ lệ điện tử"), _("Tỷ lệ xác thực"),
                  _("Tỷ lệ trễ hạn"), _("Giờ tiếp nhận (trung vị)"), _("Giờ hoàn thành (trung vị)"), _("Chỉ tiêu"),
                  _("Điểm"), _("Khen thưởng")],
                 rows(), len(chosen), [4, 24, 5, 5, 7, 7, 7, 8, 8, 7, 5, 7], landscape=True,
                 kinds=[INT, TEXT, INT, INT, SHARE, SHARE, SHARE, HOURS, HOURS, TEXT, SCORE, TEXT],
                 missed=lambda row: row[9] == labels["not_met"])


def type_table(org: Organization, period: Period, types: list[dict[str, Any]], fig: Figures) -> Table:
    def rows() -> Iterator[list[Any]]:
        for t in types:
            yield [t["doc_type_name"] or t["doc_type"], t["urgency_label"], t["sent"], t["received"],
                   t["received_electronic"], t["received_paper"], t["electronic_share"], t["done"], t["late_done"]]

    return Table("theo-loai", _("THỐNG KÊ VĂN BẢN THEO LOẠI VÀ ĐỘ KHẨN"), org.name, period.label,
                 [_("Loại văn bản"), _("Độ khẩn"), _("VB đi"), _("VB đến"), _("Điện tử"), _("Bản giấy"),
                  _("Tỷ lệ điện tử"), _("Hoàn thành"), _("Trễ hạn")],
                 rows(), len(types), [20, 10, 7, 7, 7, 7, 9, 8, 7],
                 kinds=[TEXT, TEXT, INT, INT, INT, INT, SHARE, INT, INT])


# --- writers --------------------------------------------------------------------------------

def write_xlsx(table: Table, out: IO[bytes], progress: Progress | None = None) -> int:
    """Write the table to an XLSX workbook; returns the number of data rows.

    Numbers stay numbers and dates dates, each with its column's number format; a row that
    missed a target is filled light red."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(table.title[:31].replace("/", "-"))
    ws.append([table.title])
    ws.append([table.organization])
    ws.append([table.period])
    ws.append([])
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    ws.append(header)
    kinds = [table.kind_of(i) for i in range(len(table.columns))]
    n = 0
    for row in table.rows:
        ws.append(formatting.xlsx_row(ws, kinds, row, fill=MISSED_FILL if table.missed and table.missed(row) else ""))
        n += 1
        if progress and n % 500 == 0:
            progress(n)
    wb.save(out)
    return n


CELL_PADDING = 12.5  # points: a LongTable cell's left and right padding, and a hair


def fit_widths(avail: float, weights: list[float], minimums: list[float]) -> list[float]:
    """Column widths in proportion to `weights`, none below its minimum (as far as the page
    allows): the columns held at their minimum are fixed, the rest share what is left."""
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        room = avail - sum(fixed.values())
        total = sum(weights[i] for i in free) or 1
        widths = {i: room * weights[i] / total for i in free}
        short = {i: minimums[i] for i in free if widths[i] < minimums[i]}
        if not short or len(short) == len(free):
            widths.update(fixed)
            return [widths[i] for i in range(len(weights))]
        fixed.update(short)


def write_pdf(table: Table, out: IO[bytes], progress: Progress | None = None) -> int:
    """A printable A4 PDF: header with the organisation and period on every page, page numbers."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    font = font_name()
    size = landscape(A4) if table.landscape else A4
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9)
    head = ParagraphStyle("head", parent=cell, fontSize=7.5)
    title = ParagraphStyle("title", fontName=font, fontSize=13, leading=16, alignment=1)
    sub = ParagraphStyle("sub", fontName=font, fontSize=9.5, leading=12, alignment=1)
    printed_at = formatting.day_time(timezone.now())

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        w, h = size
        canvas.drawString(12 * mm, h - 8 * mm, f"{table.organization} — {table.period}")
        canvas.drawRightString(w - 12 * mm, h - 8 * mm, table.title)
        canvas.drawString(12 * mm, 7 * mm, _("In lúc %(t)s từ VanThu") % {"t": printed_at})
        canvas.drawRightString(w - 12 * mm, 7 * mm, _("Trang %(n)s") % {"n": doc.page})
        canvas.restoreState()

    def esc(v: Any) -> str:
        return str("" if v is None else v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    data = [[Paragraph(esc(c), head) for c in table.columns]]
    # The widest unbreakable token of each column (a date, a symbol, a number): no column is
    # narrower, so that nothing prints as "19/01/202" and "6" on the next line.
    longest = [max((stringWidth(t, font, 7.5) for t in str(c).split()), default=0) for c in table.columns]
    kinds = [table.kind_of(i) for i in range(len(table.columns))]
    missed_rows = []
    n = 0
    for row in table.rows:
        if table.missed and table.missed(row):
            missed_rows.append(n + 1)
        row = [formatting.cell_text(k, v) for k, v in zip(kinds, row, strict=False)]
        for i, v in enumerate(row):
            for t in v.split():
                if len(t) > 5:  # shorter words never set a width worth measuring
                    longest[i] = max(longest[i], stringWidth(t, font, 7.5))
        data.append([Paragraph(esc(v), cell) for v in row])
        n += 1
        if progress and n % 500 == 0:
            progress(n)
    if n == 0:
        data.append([Paragraph(_("Không có văn bản nào trong kỳ."), cell)] + [""] * (len(table.columns) - 1))
    doc = SimpleDocTemplate(out, pagesize=size, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=14 * mm,
                            bottomMargin=13 * mm, title=f"{table.title} — {table.organization} — {table.period}", author="VanThu")
    avail = size[0] - 24 * mm
    widths = fit_widths(avail, table.widths or [1] * len(table.columns), [w + CELL_PADDING for w in longest])
    grid = LongTable(data, colWidths=widths, repeatRows=1)
    grid.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *(("BACKGROUND", (0, i), (-1, i), colors.HexColor(f"#{MISSED_FILL}")) for i in missed_rows),
    ]))
    doc.build([Paragraph(esc(table.organization), sub), Paragraph(esc(table.title), title),
               Paragraph(esc(table.period), sub), Spacer(1, 4 * mm), grid],
              onFirstPage=decorate, onLaterPages=decorate)
    return n


WRITERS = {"xlsx": write_xlsx, "pdf": write_pdf}
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


# --- building a table for a person ----------------------------------------------------------

def criteria_table(root: Organization, year: int, rows_in: list[Row], criteria: list) -> Table:
    """The evaluation by criterion: each organisation's value for every criterion, and its score."""

    def rows() -> Iterator[list[Any]]:
        for r in rows_in:
            yield [r.rank, r.organization.name, *(r.values.get(c.code) for c in criteria), r.score]

    names = [f"{c.name} ({c.weight:g})" for c in criteria]
    return Table("danh-gia-theo-tieu-chi", _("ĐÁNH GIÁ ỨNG DỤNG CNTT THEO TIÊU CHÍ"), root.name, _("Năm %(y)s") % {"y": year},
                 [_("Hạng"), _("Tổ chức"), *names, _("Điểm")], rows(), len(rows_in), [4, 24, *([8] * len(criteria)), 5],
                 landscape=True, kinds=[INT, TEXT, *([SHARE] * len(criteria)), SCORE])


KINDS = ("register_in", "register_out", "ranking", "proposals", "types", "criteria")
# What an export request may say: the organisation, a period of the dashboard, or a register's
# period key and document type as the register page chose them.
EXPORT_PARAMS = ("organization_id", "date_from", "date_to", "year", "quarter", "month", "subtree", "register", "doc_type")


def build_table(user, kind: str, params: dict[str, Any]) -> Table:
    """The table `kind` with `params`, fetched through the reports access rules (404 otherwise)."""
    org = access.get_org(user, int(params.get("organization_id") or 0))
    if kind in ("ranking", "proposals", "criteria"):
        year = int(params.get("year") or timezone.localdate().year)
        view = dashboard.bloc(org, year, org_ids=access.visible_subtree(user, org))
        if kind == "criteria":
            return criteria_table(org, year, view.rows, list(Criterion.objects.filter(is_active=True, weight__gt=0)))
        return ranking(org, year, view.rows, proposals_only=kind == "proposals")
    if kind in ("register_in", "register_out") and params.get("register"):
        build = incoming_register if kind == "register_in" else outgoing_register
        return build(org, None, register=str(params["register"]), doc_type=str(params.get("doc_type") or ""))
    period = make_period(
        date.fromisoformat(params["date_from"]) if params.get("date_from") else None,
        date.fromisoformat(params["date_to"]) if params.get("date_to") else None,
        year=int(params["year"]) if params.get("year") else None,
        quarter=int(params["quarter"]) if params.get("quarter") else None,
        month=int(params["month"]) if params.get("month") else None,
    )
    if kind == "register_in":
        return incoming_register(org, period)
    if kind == "register_out":
        return outgoing_register(org, period)
    if kind == "types":
        ids = access.visible_subtree(user, org) if params.get("subtree") else [org.id]
        return type_table(org, period, by_type(ids, period), figures_for(ids, period))
    raise NotFound(_("Không có loại báo cáo này."), code="unknown_report")
