"""The verification report of a run as a workbook (XLSX) and as a PDF for sign-off; the page and
the JSON show the same dictionary (`importer.run_import`'s report).

The workbook has a sheet per part: the summary, the per-document mapping (UNID → legacy record →
register document, with each record's content digest), the attachments with their SHA-256, what
was skipped, the errors and the unmapped names. The PDF carries the summary, the digests of the
export and a place for the signatures of the office and IT staff.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from vanthu.documents.pdfgen import font_name

from .models import ImportRun, LegacyAttachment, LegacyRecord

SUMMARY_KEYS = [
    ("documents", gettext_lazy("Số văn bản (document) trong tệp")), ("created", gettext_lazy("Tạo mới trong lượt này")),
    ("updated", gettext_lazy("Cập nhật (bản mới hơn)")), ("unchanged", gettext_lazy("Đã có, không đổi")),
    ("attachments", gettext_lazy("Số tệp đính kèm ($FILE)")),
    ("attachment_bytes", gettext_lazy("Tổng dung lượng tệp đính kèm (byte)")),
]


def summary_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    """Label and value of each line of the summary, in the language of the request (page, workbook, PDF)."""
    rows = [(str(label), str(report.get(key, 0))) for key, label in SUMMARY_KEYS]
    rows += [(_("Biểu mẫu %(form)s") % {"form": form}, str(n)) for form, n in (report.get("by_form") or {}).items()]
    rows += [(_("Vào sổ văn bản đi") if reg == "outgoing" else _("Vào sổ văn bản đến"), str(n))
             for reg, n in (report.get("mapped") or {}).items()]
    rows += [(_("Bỏ qua"), str(len(report.get("skipped") or []))), (_("Lỗi"), str(len(report.get("errors") or []))),
             (_("Tên Notes chưa ánh xạ"), str(len(report.get("unmapped_names") or [])))]
    rows += [(_("SHA-256 của %(name)s") % {"name": name}, digest) for name, digest in (report.get("sha256") or {}).items()]
    stop = report.get("stopped_at")
    rows.append((_("Đọc hết tệp"), _("có") if report.get("complete", True)
                 else _("không — dừng ở dòng %(line)s: %(message)s") % {"line": stop["line"], "message": stop["message"]}))
    return rows


def same_export_runs(run: ImportRun) -> list[int]:
    """The runs of this organisation over the same export (same SHA-256): a run that found
    everything already in still signs off for all that the earlier ones imported."""
    digests = sorted((run.report or {}).get("sha256", {}).values())
    if not digests:
        return [run.id]
    runs = ImportRun.objects.filter(organization_id=run.organization_id).only("id", "report")
    return [r.id for r in runs if sorted((r.report or {}).get("sha256", {}).values()) == digests] or [run.id]


def records_of(run: ImportRun):
    ids = same_export_runs(run)
    return LegacyRecord.objects.filter(Q(first_run_id__in=ids) | Q(last_run_id__in=ids))


def mapping_rows(run: ImportRun) -> Iterator[tuple]:
    """UNID → record → document, for every record imported from this run's export (streamed)."""
    qs = (records_of(run).select_related("document").order_by("id")
          .only("id", "unid", "note_id", "form", "title", "register", "document__symbol", "document_id", "content_sha256", "version"))
    for r in qs.iterator(chunk_size=2000):
        yield (r.unid, r.note_id, r.form, r.title, r.id, r.version, r.register, r.document_id or "",
               r.document.symbol if r.document_id else "", r.content_sha256)


def attachment_rows(run: ImportRun) -> Iterator[tuple]:
    qs = LegacyAttachment.objects.filter(record__in=records_of(run).values("id")).order_by("record_id", "kind", "position").values_list(
        "record__unid", "kind", "name", "size", "sha256")
    yield from qs.iterator(chunk_size=2000)


def to_xlsx(run: ImportRun) -> bytes:
    wb = Workbook(write_only=True)
    report = run.report or {}
    ws = wb.create_sheet("Tổng hợp")
    ws.append(["Mục", "Giá trị"])
    for row in summary_rows(report):
        ws.append(list(row))
    ws = wb.create_sheet("Đối chiếu văn bản")
    ws.append(["UNID", "Note ID", "Biểu mẫu", "Tiêu đề", "Mã hồ sơ cũ", "Phiên bản", "Sổ", "Mã văn bản", "Số và ký hiệu",
               "SHA-256 nội dung"])
    for row in mapping_rows(run):
        ws.append(list(row))
    ws = wb.create_sheet("Tệp đính kèm")
    ws.append(["UNID", "Loại", "Tên tệp", "Dung lượng (byte)", "SHA-256"])
    for row in attachment_rows(run):
        ws.append(list(row))
    ws = wb.create_sheet("Bỏ qua và lỗi")
    ws.append(["UNID", "Biểu mẫu", "Loại", "Nội dung"])
    for s in report.get("skipped") or []:
        ws.append([s.get("unid"), s.get("form"), s.get("reason"), s.get("message")])
    for e in report.get("errors") or []:
        ws.append([e.get("unid"), "", "error", e.get("message")])
    ws = wb.create_sheet("Tên chưa ánh xạ")
    ws.append(["Tên Notes"])
    for name in report.get("unmapped_names") or []:
        ws.append([name])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_pdf(run: ImportRun) -> bytes:
    """One or two pages for sign-off: what was read, what was kept, and the digests."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle(f"Biên bản kiểm tra chuyển dữ liệu Lotus Notes — {run.file_name}")
    font = font_name()
    width, height = A4
    y = height - 60

    def line(text: str, size: int = 10, gap: int = 15) -> None:
        nonlocal y
        if y < 70:
            c.showPage()
            y = height - 60
        c.setFont(font, size)
        c.drawString(50, y, text[:110])
        y -= gap

    line("BIÊN BẢN KIỂM TRA CHUYỂN DỮ LIỆU TỪ LOTUS NOTES", 14, 24)
    line(f"Tổ chức: {run.organization.name}")
    line(f"Tệp xuất DXL: {run.file_name} ({run.file_size:,} byte)".replace(",", "."))
    line(f"Lượt nhập số {run.id}, kết thúc lúc {timezone.localtime(run.finished_at):%d/%m/%Y %H:%M}" if run.finished_at
         else f"Lượt nhập số {run.id}")
    y -= 6
    for label, value in summary_rows(run.report or {}):
        if label.startswith("SHA-256"):
            line(label, 10, 13)
            line("    " + value, 9)
        else:
            line(f"{label}: {value}")
    y -= 10
    for s in (run.report or {}).get("skipped", [])[:30]:
        text = f"Bỏ qua {s.get('unid')} ({s.get('form')}): {s.get('message') or s.get('reason')}"
        for i, part in enumerate(textwrap.wrap(text, 105)):
            line(("    " if i else "") + part, 9, 12)
    v = run.verification or {}
    if v.get("status") == "done":  # the byte-for-byte check the page shows, on the sheet that is signed
        y -= 6
        at = f" lúc {timezone.localtime(datetime.fromisoformat(v['at'])):%d/%m/%Y %H:%M}" if v.get("at") else ""
        line(f"Kiểm tra lại từng byte{at}: đã đọc lại {v.get('documents', 0)} văn bản, {v.get('attachments', 0)} tệp đính kèm,")
        line(f"    {len(v.get('mismatches') or [])} chỗ không khớp.")
    y -= 20
    line("Đại diện văn phòng                                         Cán bộ công nghệ thông tin", 11, 18)
    line("(ký, ghi rõ họ tên)                                          (ký, ghi rõ họ tên)", 9)
    c.showPage()
    c.save()
    return buf.getvalue()
