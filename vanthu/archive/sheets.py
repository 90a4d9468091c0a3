"""The archive's printed forms, as PDFs: the case file's contents sheet (mục lục văn bản), the
handover list (mục lục hồ sơ nộp lưu) and the handover record (biên bản giao nhận)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from datetime import date

from vanthu.documents.pdfgen import make_pdf

LINES_PER_PAGE = 40
WIDTH = 78


def _fmt(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "…"


def _paginate(lines: Iterable[str]) -> list[list[str]]:
    wrapped: list[str] = []
    for line in lines:
        wrapped += textwrap.wrap(line, WIDTH, subsequent_indent="      ") or [""]
    return [wrapped[i:i + LINES_PER_PAGE] for i in range(0, len(wrapped), LINES_PER_PAGE)] or [[""]]


def contents_sheet(*, org_name: str, code: str, title: str, retention: str, start: date | None, end: date | None,
                   rows: Sequence[tuple[str, str, str, int]]) -> bytes:
    """rows: (symbol, date, subject, pages) in the file's order."""
    lines = [org_name.upper(), "", "MỤC LỤC VĂN BẢN", f"Hồ sơ số: {code}", f"Tiêu đề: {title}",
             f"Thời gian: {_fmt(start)} – {_fmt(end)}    Thời hạn bảo quản: {retention}", "",
             "STT | Số, ký hiệu | Ngày | Trích yếu | Số trang"]
    for i, (symbol, when, subject, pages) in enumerate(rows, 1):
        lines.append(f"{i}. {symbol or '—'} | {when} | {subject} | {pages}")
    lines += ["", f"Tổng số: {len(rows)} văn bản, {sum(r[3] for r in rows)} trang."]
    return make_pdf(_paginate(lines), title=f"Mục lục văn bản {code}")


def handover_list(*, org_name: str, year: int, rows: Sequence[tuple[str, str, str, str, int, str]]) -> bytes:
    """rows: (code, title, start – end, retention, pages, heading)."""
    lines = [org_name.upper(), "", f"MỤC LỤC HỒ SƠ NỘP LƯU NĂM {year}", "",
             "STT | Số, ký hiệu hồ sơ | Tiêu đề | Thời gian | Thời hạn bảo quản | Số tờ"]
    heading = None
    for i, (code, title, span, retention, pages, head) in enumerate(rows, 1):
        if head != heading:
            heading = head
            lines.append(head or "Hồ sơ không thuộc đề mục")
        lines.append(f"{i}. {code} | {title} | {span} | {retention} | {pages}")
    lines += ["", f"Tổng số: {len(rows)} hồ sơ."]
    return make_pdf(_paginate(lines), title=f"Mục lục hồ sơ nộp lưu {year}")


def handover_record(*, org_name: str, year: int, count: int, pages: int, on: date, unit_name: str) -> bytes:
    lines = [org_name.upper(), "", "BIÊN BẢN GIAO NHẬN HỒ SƠ, TÀI LIỆU", f"Ngày {_fmt(on)}", "",
             f"Bên giao: {unit_name}", f"Bên nhận: Lưu trữ cơ quan — {org_name}",
             f"Hai bên giao nhận {count} hồ sơ năm {year}, tổng số {pages} tờ,",
             "theo Mục lục hồ sơ nộp lưu kèm theo.",
             "Biên bản được lập thành bản điện tử, có chữ ký số của bên giao và bên nhận.", "",
             "ĐẠI DIỆN BÊN GIAO                         ĐẠI DIỆN BÊN NHẬN"]
    return make_pdf(_paginate(lines), title=f"Biên bản giao nhận hồ sơ năm {year}")
