"""Party members from Excel: the template, and an import that checks every row before writing any.

A file with one bad row imports nothing and the answer lists every problem (row, column, message);
a clean file is written in one transaction. A row whose card number is already recorded for the
same person (same name and date of birth) updates that record where it differs, so importing the
same file twice changes nothing the second time. Messages never repeat a cell's value.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import from_excel

from vanthu.audit.chain import record
from vanthu.errors import Unprocessable
from vanthu.organizations.models import Organization
from vanthu.rows import insert_rows
from vanthu.search.fold import fold
from vanthu.text import TextRefused, TextRule

from . import actions, bulk, tasks
from .models import MemberStatus, MemberVersion, PartyMember
from .profile import check_card, check_dates, choice_from_text

# The template's headings, in this order (the issue's contract with the organisations' Excel files).
COLUMNS = ("Họ và tên", "Ngày sinh", "Giới tính", "Số thẻ đảng viên", "Ngày vào Đảng", "Ngày chính thức", "Mã tổ chức",
           "Dân tộc", "Trình độ chuyên môn", "Lý luận chính trị")
FIELDS = ("full_name", "birth_date", "gender", "card_number", "admitted_on", "official_on", "org_code", "ethnicity",
          "qualification", "theory_level")
HEADING = dict(zip(FIELDS, COLUMNS, strict=True))
REQUIRED = {"full_name", "birth_date", "gender", "card_number", "admitted_on", "org_code"}
DATES = {"birth_date", "admitted_on", "official_on"}
CHOICES = {"gender", "qualification", "theory_level"}
# The fields an import writes (and compares with what is recorded).
WRITTEN = ("full_name", "birth_date", "gender", "admitted_on", "official_on", "ethnicity", "qualification", "theory_level")
MAX_ROWS = 200_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_LINE = {"full_name": TextRule(max_length=128), "ethnicity": TextRule(max_length=32)}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRejected(Unprocessable):
    """A file with bad rows: nothing was written. `details["errors"]` lists every problem."""

    code = "import_rejected"


@dataclass
class Outcome:
    created: int
    updated: int
    unchanged: int
    dry_run: bool


def template() -> bytes:
    """The empty template with one example row, as organisations fill it."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Dang vien"
    ws.append(COLUMNS)
    ws.append(["Nguyễn Văn An", "15/03/1985", "Nam", "01234567", "19/05/2010", "19/05/2011", "000.00.00.H26", "Kinh",
               "Đại học", "Trung cấp"])
    for col, width in zip("ABCDEFGHIJ", (28, 12, 10, 18, 14, 14, 18, 12, 20, 18), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _date(value: Any) -> date | None:
    """A cell as a date: a real Excel date, a serial number, or dd/mm/yyyy text. ValueError if none."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value <= 2_958_465:
            raise ValueError
        return from_excel(value).date()
    text = str(value).strip()
    if not text:
        return None
    for sep in ("/", "-", "."):
        parts = text.split(sep)
        if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
            d, m, y = (int(p) for p in parts)
            if y < 100 or y > 9999:
                raise ValueError
            return date(y, m, d)  # ValueError for 31/02, 00/13 …
    raise ValueError


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(data: bytes) -> tuple[list[tuple[int, tuple]], list[RowError]]:
    """The member template's data rows with their Excel row numbers, or the problem with the file itself."""
    return read_sheet(data, COLUMNS)


def read_sheet(data: bytes, columns: tuple[str, ...]) -> tuple[list[tuple[int, tuple]], list[RowError]]:
    """The first sheet's data rows under the heading `columns`, or the problem with the file itself."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return [], [RowError(0, "", _("Tệp không phải là tệp Excel (.xlsx) đọc được."))]
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        found = tuple(cell_text(c) for c in (header or ())[:len(columns)])
        if found != columns:
            return [], [RowError(1, "", _("Dòng tiêu đề phải là các cột của mẫu, đúng thứ tự: %(cols)s.") % {"cols": ", ".join(columns)})]
        out = []
        for n, row in enumerate(rows, start=2):
            cells = tuple(row[:len(columns)]) + (None,) * (len(columns) - len(row))
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            out.append((n, cells))
            if len(out) > MAX_ROWS:
                return [], [RowError(n, "", _("Tệp có quá nhiều dòng (tối đa %(n)s).") % {"n": MAX_ROWS})]
        return out, []
    finally:
        wb.close()


def _parse(n: int, cells: tuple, errors: list[RowError], today: date) -> tuple[dict, bool]:
    """The row's values, and whether any of them is wrong (its errors added to `errors`)."""
    values: dict[str, Any] = {}
    bad = False

    def err(fld: str, message: str) -> None:
        nonlocal bad
        bad = True
        errors.append(RowError(n, HEADING.get(fld, ""), message))

    for fld, cell in zip(FIELDS, cells, strict=True):
        if fld in DATES:
            try:
                values[fld] = _date(cell)
            except (ValueError, OverflowError, TypeError):
                err(fld, _("Ngày không hợp lệ (nhập theo dạng ngày/tháng/năm, ví dụ 05/11/1980)."))
                values[fld] = None
                continue
        else:
            text = cell_text(cell)
            if fld in _LINE:
                try:
                    text = _LINE[fld].clean(text)
                except TextRefused as exc:
                    err(fld, exc.problem())
                    continue
            if fld in CHOICES:
                code = choice_from_text(fld, text)
                if code is None:
                    err(fld, _("Giá trị không có trong danh mục."))
                    continue
                text = code if (text or fld != "gender") else ""
            values[fld] = text
        if fld in REQUIRED and values.get(fld) in (None, ""):
            err(fld, _("Thiếu thông tin bắt buộc."))
    if not values.get("ethnicity"):
        values["ethnicity"] = "Kinh"
    values["card_number"] = values.get("card_number", "").upper()
    if values.get("card_number"):
        for fld, message in check_card(values["card_number"]):
            err(fld, message)
    values["org_code"] = values.get("org_code", "").upper()
    for fld, message in check_dates(values.get("birth_date"), values.get("admitted_on"), values.get("official_on"), today=today):
        err(fld, message)
    return values, bad


def check(rows: list[tuple[int, tuple]], *, org_ids: set[int]) -> tuple[list[tuple[int, dict]], dict[str, dict], list[RowError]]:
    """Every row checked: (good rows, the records their card numbers already have, every problem)."""
    errors: list[RowError] = []
    today = timezone.localdate()
    parsed: list[tuple[int, dict]] = []
    first_row_of: dict[str, int] = {}
    bad_rows: set[int] = set()
    for n, cells in rows:
        values, bad = _parse(n, cells, errors, today)
        card = values["card_number"]
        if card:
            if card in first_row_of:
                errors.append(RowError(n, HEADING["card_number"], _("Số thẻ đảng viên trùng với dòng %(row)s của tệp.") % {"row": first_row_of[card]}))
                bad = True
            else:
                first_row_of[card] = n
        parsed.append((n, values))
        if bad:
            bad_rows.add(n)
    codes = {v["org_code"] for _n, v in parsed if v["org_code"]}
    org_of = {code: oid for code, oid in Organization.objects.filter(code__in=codes, id__in=org_ids).values_list("code", "id")} if codes else {}
    for n, v in parsed:
        if v["org_code"] and v["org_code"] not in org_of:
            errors.append(RowError(n, HEADING["org_code"], _("Không có tổ chức mang mã này trong phạm vi quản lý của đồng chí.")))
            bad_rows.add(n)
    parsed = [(n, v) for n, v in parsed if n not in bad_rows]
    cards = [v["card_number"] for _n, v in parsed]
    existing: dict[str, dict] = {}
    for i in range(0, len(cards), 900):
        for rec in PartyMember.objects.filter(card_number__in=cards[i:i + 900]).values("id", "card_number", "organization_id", "status", *WRITTEN):
            existing[rec["card_number"]] = rec
    good = []
    for n, v in parsed:
        org_id = v["organization_id"] = org_of[v["org_code"]]
        rec = existing.get(v["card_number"])
        if rec is not None:
            if fold(rec["full_name"]) != fold(v["full_name"]) or rec["birth_date"] != v["birth_date"]:
                errors.append(RowError(n, HEADING["card_number"], _("Số thẻ đảng viên đã được ghi cho một đảng viên khác.")))
                continue
            if rec["organization_id"] != org_id:
                errors.append(RowError(n, HEADING["org_code"], _(
                    "Đảng viên đang sinh hoạt ở tổ chức khác: đổi nơi sinh hoạt bằng thủ tục chuyển sinh hoạt đảng.")))
                continue
        good.append((n, v))
    errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1))
    return good, existing, errors


def import_members(data: bytes, *, user, org_ids: set[int], dry_run: bool = False) -> Outcome:
    """Check every row; if all are good, write them all in one transaction (unless `dry_run`)."""
    rows, errors = read_rows(data)
    good, existing = [], {}
    if not errors:
        good, existing, errors = check(rows, org_ids=org_ids)
    if errors:
        actions.audit_read("party_members_import_rejected", user=user, data={"rows": len(rows), "errors": len(errors)})
        raise ImportRejected(_("Tệp có %(n)s lỗi; chưa nhập dòng nào. Sửa các dòng được nêu rồi nhập lại.") % {"n": len(errors)},
                             details={"errors": [e.as_dict() for e in errors]})
    new = [(n, v) for n, v in good if v["card_number"] not in existing]
    changed = [(existing[v["card_number"]], v) for _n, v in good if v["card_number"] in existing
               and any(existing[v["card_number"]][f] != v[f] for f in WRITTEN)]
    outcome = Outcome(created=len(new), updated=len(changed), unchanged=len(good) - len(new) - len(changed), dry_run=dry_run)
    if dry_run:
        actions.audit_read("party_members_import_checked", user=user, data={"rows": len(rows)})
        return outcome
    with transaction.atomic():
        _write_new(new, user=user)
        for rec, v in changed:
            _write_change(rec, v, user=user)
        record("party_members_imported", actor=user, object_type="membership.partymember",
               data={"rows": len(rows), "created": outcome.created, "updated": outcome.updated})
    tasks.after_import(outcome.created + outcome.updated)
    return outcome


def _write_new(new: list[tuple[int, dict]], *, user) -> None:
    if not new:
        return
    now = timezone.now()
    names = ("full_name", "name_folded", "gender", "birth_date", "ethnicity", "card_number", "admitted_on", "official_on",
             "organization", "qualification", "theory_level", "status", "created_at", "updated_at")
    rows = [(v["full_name"], fold(v["full_name"])[:128], v["gender"], v["birth_date"], v["ethnicity"], v["card_number"],
             v["admitted_on"], v["official_on"], v["organization_id"], v["qualification"], v["theory_level"],
             MemberStatus.ACTIVE, now, now) for _n, v in new]
    if connection.vendor == "postgresql":
        bulk.insert(PartyMember, names, rows)  # COPY: one stream instead of thousands of INSERTs
        with connection.cursor() as cur:
            cur.execute(f"SELECT card_number, id FROM {connection.ops.quote_name(PartyMember._meta.db_table)}"
                        " WHERE card_number = ANY(%s)", [[v["card_number"] for _n, v in new]])
            by_card = dict(cur.fetchall())
        ids = [by_card[v["card_number"]] for _n, v in new]
    else:
        ids = insert_rows(PartyMember, names, rows, returning_ids=True)
    vnames = ("member", "valid_from", "organization", "status", "gender", "birth_date", "ethnicity", "qualification",
              "theory_level", "admitted_on", "reason", "changes", "changed_by", "changed_at")
    actor = user.pk if getattr(user, "pk", None) else None
    vrows = [(mid, v["admitted_on"], v["organization_id"], MemberStatus.ACTIVE, v["gender"], v["birth_date"], v["ethnicity"],
              v["qualification"], v["theory_level"], v["admitted_on"], "imported", {}, actor, now)
             for mid, (_n, v) in zip(ids, new, strict=True)]
    bulk.insert(MemberVersion, vnames, vrows)


def _write_change(rec: dict, v: dict, *, user) -> None:
    member = PartyMember.objects.select_for_update().get(pk=rec["id"])
    actions.update_member(member, values={f: v[f] for f in WRITTEN}, user=user)
