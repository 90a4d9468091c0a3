"""Every state change of the archive: one function each, one transaction each, audited.

Callers fetch objects through `access.py` and pass the acting user as `user=`. Signing the
handover record asks for the signer's certificate and may ask a timestamp authority, so it runs
outside any transaction and the result is written in one after (as documents does with issuing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.documents.models import (
    Delivery,
    DocSource,
    DocStatus,
    Document,
    DocumentFile,
    FileRole,
    StoredFile,
)
from vanthu.documents.pdf import inspect_pdf
from vanthu.documents.storage import path_for, read_blob, store_pdf
from vanthu.errors import InvalidState, NotAllowed, NotFound, Unprocessable
from vanthu.notifications.actions import notify
from vanthu.organizations.access import has_role
from vanthu.organizations.models import Membership, Organization
from vanthu.signatures.actions import person_certificate
from vanthu.signatures.signers import signer_for
from vanthu.signatures.signing import sign_pdf
from vanthu.text import clean_text

from . import access, notices, sheets, tasks
from .models import (
    AccessRequest,
    Archivist,
    CaseFile,
    CaseItem,
    CaseStatus,
    Disposal,
    DisposedFile,
    FileList,
    Handover,
    HandoverStatus,
    Heading,
    RequestStatus,
    RetentionPeriod,
)

FIRST_YEAR, LAST_YEAR = 1945, 2200
CODE_MAX, TITLE_MAX, NOTE_MAX = 32, 500, 2000
UNIT_FIELD, ARCHIVE_FIELD = "BenGiao", "BenNhan"
# "One year from the date the work ends" (Archive Law 2024, Art. 21, in force 1 July 2025).
HANDOVER_AFTER_YEARS = 1
MAX_READ_DAYS = 366


def _now() -> dt.datetime:
    return timezone.now()


def _role_needed(message: str, roles: Sequence[str]) -> NotAllowed:
    return NotAllowed(message, code="role_not_allowed", details={"required_roles": list(roles)})


def _state(case_file: CaseFile, *allowed: str) -> None:
    if case_file.status not in allowed:
        raise InvalidState(
            _("Hồ sơ đang ở tình trạng “%(status)s”, không thể thực hiện thao tác này.") % {"status": case_file.get_status_display()},
            code="invalid_case_file_status", details={"status": case_file.status, "allowed": list(allowed)})


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def get_retention(code: str) -> RetentionPeriod:
    try:
        return RetentionPeriod.objects.get(code=code)
    except RetentionPeriod.DoesNotExist:
        raise Unprocessable(_("Thời hạn bảo quản “%(code)s” không có trong danh mục.") % {"code": code},
                            code="unknown_retention", details={"field": "retention"}) from None


# --- archivists ----------------------------------------------------------------------------------

def appoint_archivist(*, user, organization: Organization, person_id: int) -> Archivist:
    access.require_member(user, organization.id)
    if not access.appoints_archivists(user, organization.id):
        raise _role_needed(_("Chỉ quản trị của tổ chức mới phân công người làm lưu trữ."), ["admin"])
    with transaction.atomic():
        person = organization.memberships.filter(user_id=person_id).select_related("user").first()
        if person is None:
            raise Unprocessable(_("Người được phân công không thuộc tổ chức."), code="person_not_member", details={"field": "user_id"})
        row, created = Archivist.objects.get_or_create(organization=organization, user_id=person_id)
        if created:
            record("archivist_appointed", actor=user, obj=row, data={"organization": organization.id, "user": person_id})
    return row


# --- the file list -------------------------------------------------------------------------------

def create_file_list(*, user, organization: Organization, year: int) -> FileList:
    access.require_member(user, organization.id)
    if not access.keeps_file_list(user, organization.id):
        raise _role_needed(_("Chỉ văn thư, lãnh đạo hoặc quản trị mới lập danh mục hồ sơ."), access.LIST_KEEPERS)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Unprocessable(_("Năm không hợp lệ."), code="invalid_year", details={"field": "year"})
    try:
        with transaction.atomic():
            fl = FileList.objects.create(organization=organization, year=year, created_by=user)
            record("file_list_created", actor=user, obj=fl, data={"organization": organization.id, "year": year})
    except IntegrityError:
        raise InvalidState(_("Danh mục hồ sơ năm %(year)s đã có.") % {"year": year}, code="file_list_exists") from None
    return fl


def _keeper(user, fl: FileList) -> None:
    if not access.keeps_file_list(user, fl.organization_id):
        raise _role_needed(_("Chỉ văn thư, lãnh đạo hoặc quản trị mới sửa danh mục hồ sơ."), access.LIST_KEEPERS)


def add_heading(fl: FileList, *, user, code: str, title: str) -> Heading:
    _keeper(user, fl)
    code = clean_text(code, field="code", max_length=16, label=_("Số, ký hiệu đề mục"))
    title = clean_text(title, field="title", max_length=255, label=_("Tên đề mục"))
    if not code or not title:
        raise Unprocessable(_("Chưa nhập ký hiệu hoặc tên đề mục."), code="heading_required")
    try:
        with transaction.atomic():
            position = (fl.headings.aggregate(m=Max("position"))["m"] or 0) + 1
            h = Heading.objects.create(file_list=fl, code=code, title=title, position=position)
            record("file_heading_added", actor=user, obj=h, data={"file_list": fl.id, "code": code})
    except IntegrityError:
        raise InvalidState(_("Đề mục “%(code)s” đã có trong danh mục.") % {"code": code}, code="heading_exists") from None
    return h


def add_entry(fl: FileList, *, user, code: str, title: str, retention: str, heading_id: int | None = None,
              responsible_id: int | None = None, note: str = "") -> CaseFile:
    """A case file planned in the year's file list (an entry of the danh mục)."""
    _keeper(user, fl)
    code = clean_text(code, field="code", max_length=CODE_MAX, label=_("Số và ký hiệu hồ sơ"))
    title = clean_text(title, field="title", max_length=TITLE_MAX, label=_("Tiêu đề hồ sơ"))
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True, label=_("Ghi chú"))
    if not code or not title:
        raise Unprocessable(_("Chưa nhập số, ký hiệu hoặc tiêu đề hồ sơ."), code="case_file_required")
    period = get_retention(retention)
    heading = None
    if heading_id is not None:
        heading = fl.headings.filter(id=heading_id).first()
        if heading is None:
            raise Unprocessable(_("Đề mục không thuộc danh mục này."), code="unknown_heading", details={"field": "heading_id"})
    if responsible_id is not None and not Membership.objects.filter(user_id=responsible_id, organization_id=fl.organization_id).exists():
        raise Unprocessable(_("Người lập hồ sơ không thuộc tổ chức."), code="person_not_member", details={"field": "responsible_id"})
    try:
        with transaction.atomic():
            cf = CaseFile.objects.create(organization_id=fl.organization_id, file_list=fl, heading=heading, code=code,
                                         title=title, retention=period, responsible_id=responsible_id, note=note)
            record("case_file_planned", actor=user, obj=cf, data={"code": code, "year": fl.year, "retention": period.code})
    except IntegrityError:
        raise InvalidState(_("Hồ sơ số “%(code)s” đã có trong danh mục năm %(year)s.") % {"code": code, "year": fl.year},
                           code="case_file_exists") from None
    return cf


# --- filing ----------------------------------------------------------------------------------------

def _filer(user, cf: CaseFile) -> None:
    if cf.is_read_only:
        raise InvalidState(_("Hồ sơ đã nộp lưu hoặc đã hủy: không được sửa."), code="case_file_read_only",
                           details={"status": cf.status})
    if not access.may_file(user, cf):
        raise _role_needed(_("Chỉ người lập hồ sơ, văn thư hoặc lãnh đạo mới cập nhật hồ sơ này."), access.FILERS)


def _locked(cf: CaseFile) -> CaseFile:
    return CaseFile.objects.select_for_update(of=("self",)).with_related().get(pk=cf.pk)


def open_case_file(cf: CaseFile, *, user) -> CaseFile:
    with transaction.atomic():
        cf = _locked(cf)
        _filer(user, cf)
        _state(cf, CaseStatus.PLANNED)
        CaseFile.objects.filter(pk=cf.pk).update(status=CaseStatus.OPEN, opened_at=_now(),
                                                 responsible_id=cf.responsible_id or user.pk)
        record("case_file_opened", actor=user, obj=cf, data={"code": cf.code})
    cf.refresh_from_db()
    return cf


def org_documents(org_id: int):
    """The documents an organisation holds: those it issued and those it registered as received."""
    received = Delivery.objects.filter(recipient_id=org_id, incoming_number__isnull=False).values("document_id")
    return Document.objects.filter(Q(issuer_id=org_id, status=DocStatus.ISSUED) | Q(id__in=received))


def add_document(cf: CaseFile, *, user, document_id: int) -> CaseItem:
    with transaction.atomic():
        cf = _locked(cf)
        _filer(user, cf)
        _state(cf, CaseStatus.OPEN)
        doc = org_documents(cf.organization_id).filter(id=document_id).first()
        if doc is None:
            raise NotFound(_("Không tìm thấy văn bản (đã ban hành hoặc đã tiếp nhận) của đơn vị."), code="document_not_found")
        filed = CaseItem.objects.filter(organization_id=cf.organization_id, document_id=doc.id).select_related("case_file").first()
        if filed is not None:
            raise InvalidState(_("Văn bản đã có trong hồ sơ %(code)s.") % {"code": filed.case_file.code},
                               code="document_already_filed", details={"case_file_id": filed.case_file_id})
        item = CaseItem.objects.create(case_file=cf, organization_id=cf.organization_id, document=doc, added_by=user,
                                       title=f"{doc.symbol} {doc.subject}".strip()[:1000], position=_next_position(cf))
        record("case_file_document_added", actor=user, obj=cf, data={"document": doc.id, "item": item.id})
        if doc.source == DocSource.PAPER:
            _queue_pdfa([f.file_id for f in doc.files.all() if f.role != FileRole.SIGNED])
    return item


def _queue_pdfa(shas: Sequence[str]) -> None:
    """A scan's PDF/A copy with a text layer, made by the worker after the commit."""
    for sha in shas:
        transaction.on_commit(lambda sha=sha: tasks.make_pdfa.enqueue(sha))


def _next_position(cf: CaseFile) -> int:
    return (cf.items.aggregate(m=Max("position"))["m"] or 0) + 1


def add_record(cf: CaseFile, *, user, name: str, data: bytes, title: str, dated: dt.date | None = None) -> CaseItem:
    """An uploaded record (a scan of a paper original, a note): a PDF stored by its hash."""
    title = clean_text(title, field="title", max_length=1000, label=_("Trích yếu"))
    if not title:
        raise Unprocessable(_("Chưa nhập trích yếu của tài liệu."), code="title_required", details={"field": "title"})
    if dated is not None and dated > timezone.localdate():
        raise Unprocessable(_("Ngày của tài liệu không thể sau hôm nay."), code="date_in_future", details={"field": "dated"})
    # Checked against the state before the file is parsed and stored: a refused upload leaves nothing.
    _filer(user, cf)
    _state(cf, CaseStatus.OPEN)
    info = inspect_pdf(data, name)
    with transaction.atomic():
        cf = _locked(cf)
        _filer(user, cf)
        _state(cf, CaseStatus.OPEN)
        stored = store_pdf(data, info)
        item = CaseItem.objects.create(case_file=cf, organization_id=cf.organization_id, record=stored, title=title,
                                       record_name=name[:255], record_date=dated, added_by=user, position=_next_position(cf))
        record("case_file_record_added", actor=user, obj=cf, data={"sha256": stored.sha256, "item": item.id})
        _queue_pdfa([stored.sha256])
    return item


def remove_item(cf: CaseFile, *, user, item_id: int) -> None:
    with transaction.atomic():
        cf = _locked(cf)
        _filer(user, cf)
        _state(cf, CaseStatus.OPEN)
        item = access.get_item(user, cf, item_id)
        item.delete()
        record("case_file_item_removed", actor=user, obj=cf, data={"item": item_id, "document": item.document_id})


def order_items(cf: CaseFile, *, user, item_ids: Sequence[int]) -> None:
    """Put the case file's documents in the given order (every one of them, each once)."""
    with transaction.atomic():
        cf = _locked(cf)
        _filer(user, cf)
        _state(cf, CaseStatus.OPEN)
        have = list(cf.items.values_list("id", flat=True))
        if sorted(have) != sorted(item_ids) or len(set(item_ids)) != len(item_ids):
            raise Unprocessable(_("Thứ tự phải liệt kê mỗi văn bản của hồ sơ đúng một lần."), code="invalid_order",
                                details={"field": "item_ids", "expected": sorted(have)})
        items = {i.id: i for i in cf.items.all()}
        for pos, item_id in enumerate(item_ids, 1):
            items[item_id].position = pos
        CaseItem.objects.bulk_update(items.values(), ["position"])
        record("case_file_ordered", actor=user, obj=cf, data={"items": list(item_ids)})


def _item_facts(cf: CaseFile) -> list[tuple[str, dt.date | None, str, int]]:
    """(symbol, date, subject, pages) of each item, in the file's order: one statement."""
    out = []
    for item in cf.items.select_related("document", "record").order_by("position", "id"):
        if item.document_id:
            d = item.document
            out.append((d.symbol, d.issued_date or timezone.localdate(d.created_at), d.subject, d.page_count or 0))
        else:
            # An undated record does not move the file's dates.
            out.append(("", item.record_date, item.title, item.record.page_count if item.record else 0))
    return out


def close_case_file(cf: CaseFile, *, user) -> CaseFile:
    """Close the file: its dates, counts and contents sheet (mục lục văn bản) as PDF."""
    with transaction.atomic():
        cf = _locked(cf)
        _filer(user, cf)
        _state(cf, CaseStatus.OPEN)
        facts = _item_facts(cf)
        if not facts:
            raise Unprocessable(_("Hồ sơ chưa có văn bản nào: không thể kết thúc."), code="case_file_empty")
        dates = [f[1] for f in facts if f[1]] or [timezone.localdate()]
        start, end = min(dates), max(dates)
        pages = sum(f[3] for f in facts)
        sheet = sheets.contents_sheet(org_name=cf.organization.name, code=cf.code, title=cf.title, retention=str(cf.retention.label),
                                      start=start, end=end, rows=[(s, f"{d:%d/%m/%Y}" if d else "", subj, p) for s, d, subj, p in facts])
        stored = store_pdf(sheet, inspect_pdf(sheet, "muc-luc.pdf"))
        years = cf.retention.years
        CaseFile.objects.filter(pk=cf.pk).update(
            status=CaseStatus.CLOSED, closed_at=_now(), start_date=start, end_date=end, page_count=pages,
            document_count=len(facts), contents_sheet=stored, handover_due=_add_years(end, HANDOVER_AFTER_YEARS),
            retention_until=None if years is None else _add_years(end, years))
        record("case_file_closed", actor=user, obj=cf, data={"documents": len(facts), "pages": pages,
                                                             "start": start, "end": end, "contents_sheet": stored.sha256})
    cf.refresh_from_db()
    return cf


def reopen_case_file(cf: CaseFile, *, user) -> CaseFile:
    with transaction.atomic():
        cf = _locked(cf)
        _filer(user, cf)
        _state(cf, CaseStatus.CLOSED)
        if not has_role(user, cf.organization_id, "clerk", "leader"):
            raise _role_needed(_("Chỉ văn thư hoặc lãnh đạo mới mở lại hồ sơ đã kết thúc."), ["clerk", "leader"])
        CaseFile.objects.filter(pk=cf.pk).update(status=CaseStatus.OPEN, closed_at=None, handover_due=None, retention_until=None)
        record("case_file_reopened", actor=user, obj=cf, data={})
    cf.refresh_from_db()
    return cf


# --- handover ---------------------------------------------------------------------------------------

def prepare_handover(*, user, organization: Organization, year: int, case_file_ids: Sequence[int]) -> Handover:
    """The handover list and the (unsigned) record of closed case files of one year."""
    access.require_member(user, organization.id)
    if not access.may_hand_over(user, organization.id):
        raise _role_needed(_("Chỉ văn thư hoặc lãnh đạo mới lập hồ sơ nộp lưu."), ["clerk", "leader"])
    ids = sorted(set(case_file_ids))
    if not ids:
        raise Unprocessable(_("Chưa chọn hồ sơ nộp lưu."), code="case_files_required", details={"field": "case_file_ids"})
    with transaction.atomic():
        files = list(CaseFile.objects.select_for_update(of=("self",)).with_related()
                     .filter(id__in=ids, organization=organization).order_by("heading__position", "code"))
        missing = sorted(set(ids) - {c.id for c in files})
        if missing:
            raise Unprocessable(_("Hồ sơ không thuộc đơn vị: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
                                code="unknown_case_files", details={"case_file_ids": missing})
        wrong = [c.code for c in files if c.status != CaseStatus.CLOSED or c.file_list.year != year]
        if wrong:
            raise InvalidState(_("Chỉ nộp lưu hồ sơ đã kết thúc của năm %(year)s: %(codes)s.") % {"year": year, "codes": ", ".join(wrong)},
                               code="case_files_not_ready", details={"codes": wrong})
        pending = Handover.objects.filter(case_files__in=files).exclude(status=HandoverStatus.RECEIVED).values_list("id", flat=True)
        if pending:
            raise InvalidState(_("Có hồ sơ đang trong một biên bản nộp lưu chưa hoàn tất."), code="handover_pending",
                               details={"handover_ids": sorted(set(pending))})
        rows = [(c.code, c.title, f"{c.start_date:%d/%m/%Y} – {c.end_date:%d/%m/%Y}", str(c.retention.label), c.page_count,
                 f"{c.heading.code}. {c.heading.title}" if c.heading else "") for c in files]
        listing = sheets.handover_list(org_name=organization.name, year=year, rows=rows)
        rec = sheets.handover_record(org_name=organization.name, year=year, count=len(files), pages=sum(c.page_count for c in files),
                                     on=timezone.localdate(), unit_name=organization.name)
        h = Handover.objects.create(organization=organization, year=year, prepared_by=user,
                                    handover_list=store_pdf(listing, inspect_pdf(listing, "muc-luc-nop-luu.pdf")),
                                    record=store_pdf(rec, inspect_pdf(rec, "bien-ban.pdf")))
        h.case_files.set(files)
        record("handover_prepared", actor=user, obj=h, data={"year": year, "case_files": [c.id for c in files]})
    return h


def sign_handover(h: Handover, *, user) -> Handover:
    """The unit signs first (clerk or leader), then the archivist; with both the files are handed over."""
    if h.status == HandoverStatus.RECEIVED:
        raise InvalidState(_("Biên bản đã có đủ chữ ký của hai bên."), code="handover_complete")
    unit_side = h.status == HandoverStatus.PREPARED
    if unit_side and not access.may_hand_over(user, h.organization_id):
        raise _role_needed(_("Bên giao ký trước: văn thư hoặc lãnh đạo của đơn vị."), ["clerk", "leader"])
    if not unit_side and not access.is_archivist(user, h.organization_id):
        raise _role_needed(_("Bên nhận ký: người làm lưu trữ của cơ quan."), ["archivist"])
    cert = person_certificate(user, h.organization_id)
    if cert is None:
        raise Unprocessable(_("Bạn chưa có chứng thư số để ký biên bản."), code="certificate_required")
    before = h.record_id
    signed = sign_pdf(read_blob(before), signer_for(cert), field_name=UNIT_FIELD if unit_side else ARCHIVE_FIELD,
                      reason=_("Bên giao") if unit_side else _("Bên nhận"), location=h.organization.place)
    with transaction.atomic():
        h = Handover.objects.select_for_update().select_related("organization").get(pk=h.pk)
        if h.record_id != before:
            raise InvalidState(_("Biên bản vừa được người khác ký. Hãy tải lại trang."), code="handover_changed")
        stored = store_pdf(signed, inspect_pdf(signed, "bien-ban.pdf"))
        now = _now()
        if unit_side:
            Handover.objects.filter(pk=h.pk).update(record=stored, status=HandoverStatus.SIGNED_BY_UNIT,
                                                    unit_signed_by=user, unit_signed_at=now)
            keepers = Archivist.objects.filter(organization_id=h.organization_id).values_list("user_id", flat=True)
            notify(list(keepers), kind=notices.HANDOVER_TO_SIGN, title=_("Biên bản giao nộp hồ sơ năm %(year)s chờ ký nhận") % {"year": h.year},
                   body="", url=f"/archive/handovers/{h.pk}/", obj=h)
        else:
            Handover.objects.filter(pk=h.pk).update(record=stored, status=HandoverStatus.RECEIVED,
                                                    archive_signed_by=user, archive_signed_at=now)
            h.case_files.filter(status=CaseStatus.CLOSED).update(status=CaseStatus.HANDED_OVER, handed_over_at=now)
            # From now on their documents are read by the archive's rules (documents/access.py).
            CaseItem.objects.filter(case_file__handovers=h, case_file__status=CaseStatus.HANDED_OVER).update(sealed=True)
        record("handover_signed", actor=user, obj=h, data={"side": "unit" if unit_side else "archive", "record": stored.sha256})
    h.refresh_from_db()
    return h


# --- reading handed-over files ---------------------------------------------------------------------

def request_access(cf: CaseFile, *, user, reason: str) -> AccessRequest:
    reason = clean_text(reason, field="reason", max_length=NOTE_MAX, multiline=True, label=_("Mục đích khai thác"))
    if not reason:
        raise Unprocessable(_("Chưa nhập mục đích khai thác."), code="reason_required", details={"field": "reason"})
    if cf.status != CaseStatus.HANDED_OVER:
        raise InvalidState(_("Chỉ đề nghị khai thác hồ sơ đã nộp lưu."), code="not_in_archive")
    with transaction.atomic():
        req = AccessRequest.objects.create(case_file=cf, organization_id=cf.organization_id, requester=user, reason=reason)
        keepers = Archivist.objects.filter(organization_id=cf.organization_id).values_list("user_id", flat=True)
        notify(list(keepers), kind=notices.ACCESS_REQUESTED, title=_("Đề nghị khai thác hồ sơ %(code)s") % {"code": cf.code},
               body=reason[:300], url="/archive/requests/", obj=req)
        record("archive_access_requested", actor=user, obj=req, data={"case_file": cf.id})
    return req


def decide_access(req: AccessRequest, *, user, approve: bool, until: dt.date | None = None, note: str = "") -> AccessRequest:
    if not access.is_archivist(user, req.organization_id):
        raise _role_needed(_("Chỉ người làm lưu trữ mới duyệt đề nghị khai thác."), ["archivist"])
    note = clean_text(note, field="note", max_length=NOTE_MAX, multiline=True, label=_("Ý kiến"))
    today = timezone.localdate()
    if approve:
        until = until or today + dt.timedelta(days=30)
        if not today <= until <= today + dt.timedelta(days=MAX_READ_DAYS):
            raise Unprocessable(_("Thời hạn được đọc phải từ hôm nay đến tối đa một năm."), code="invalid_until", details={"field": "until"})
    with transaction.atomic():
        req = AccessRequest.objects.select_for_update().select_related("case_file").get(pk=req.pk)
        if req.status != RequestStatus.PENDING:
            raise InvalidState(_("Đề nghị đã được xử lý."), code="access_request_decided")
        req.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
        req.until = until if approve else None
        req.decided_by, req.decided_at, req.decision_note = user, _now(), note
        req.save(update_fields=["status", "until", "decided_by", "decided_at", "decision_note"])
        title = (_("Được khai thác hồ sơ %(code)s đến %(until)s") % {"code": req.case_file.code, "until": f"{until:%d/%m/%Y}"} if approve
                 else _("Đề nghị khai thác hồ sơ %(code)s không được duyệt") % {"code": req.case_file.code})
        notify([req.requester_id], kind=notices.ACCESS_DECIDED, title=title, body=note[:300],
               url=f"/archive/case-files/{req.case_file_id}/", obj=req)
        record("archive_access_decided", actor=user, obj=req, data={"approved": approve, "until": until})
    return req


# --- disposal -----------------------------------------------------------------------------------------

def _contents_of(cf: CaseFile) -> list[dict]:
    items = list(cf.items.select_related("document", "record").order_by("position", "id"))
    doc_ids = [i.document_id for i in items if i.document_id]
    files: dict[int, list[dict]] = {}
    for df in DocumentFile.objects.filter(document_id__in=doc_ids).select_related("file").order_by("document_id", "role", "position"):
        files.setdefault(df.document_id, []).append({"name": df.name, "sha256": df.file_id, "size": df.file.size, "role": df.role})
    out = []
    for i in items:
        if i.document_id:
            out.append({"title": i.title, "symbol": i.document.symbol, "document_id": i.document_id, "files": files.get(i.document_id, [])})
        else:
            out.append({"title": i.title, "symbol": "", "document_id": None,
                        "files": [{"name": i.record_name, "sha256": i.record_id, "size": i.record.size, "role": "record"}]})
    return out


def dispose(*, user, organization: Organization, decision_id: int, case_file_ids: Sequence[int]) -> Disposal:
    """Dispose of case files past their retention by an issued decision (quyết định hủy) that lists
    them: their contents leave the archive, a record of what they held (with hashes) stays. Their
    documents stay sealed in the organisation, for everyone (its registers mark them disposed)."""
    access.require_member(user, organization.id)
    if not access.is_archivist(user, organization.id):
        raise _role_needed(_("Chỉ người làm lưu trữ mới thực hiện hủy tài liệu."), ["archivist"])
    decision = Document.objects.filter(id=decision_id, issuer=organization, status=DocStatus.ISSUED).select_related("doc_type").first()
    if decision is None:
        raise Unprocessable(_("Không có quyết định hủy tài liệu đã ban hành này của đơn vị."), code="unknown_decision",
                            details={"field": "decision_id"})
    if decision.doc_type.code != "QĐ":
        raise Unprocessable(_("Văn bản %(symbol)s không phải là quyết định.") % {"symbol": decision.symbol}, code="not_a_decision",
                            details={"field": "decision_id"})
    ids = sorted(set(case_file_ids))
    if not ids:
        raise Unprocessable(_("Chưa chọn hồ sơ cần hủy."), code="case_files_required", details={"field": "case_file_ids"})
    today = timezone.localdate()
    with transaction.atomic():
        files = list(CaseFile.objects.select_for_update(of=("self",)).with_related().filter(id__in=ids, organization=organization))
        missing = sorted(set(ids) - {c.id for c in files})
        if missing:
            raise Unprocessable(_("Hồ sơ không thuộc đơn vị: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
                                code="unknown_case_files", details={"case_file_ids": missing})
        permanent = [c.code for c in files if c.retention.is_permanent]
        if permanent:
            raise InvalidState(_("Hồ sơ bảo quản vĩnh viễn không bao giờ được hủy: %(codes)s.") % {"codes": ", ".join(permanent)},
                               code="permanent_case_file", details={"codes": permanent})
        early = [c.code for c in files if c.status not in (CaseStatus.CLOSED, CaseStatus.HANDED_OVER)
                 or c.retention_until is None or c.retention_until >= today]
        if early:
            raise InvalidState(_("Hồ sơ chưa hết thời hạn bảo quản: %(codes)s.") % {"codes": ", ".join(early)},
                               code="retention_not_over", details={"codes": early})
        unlisted = [c.code for c in files if c.code not in decision.subject and c.code.encode() not in _decision_text(decision)]
        if unlisted:
            raise InvalidState(_("Quyết định %(symbol)s không liệt kê hồ sơ: %(codes)s.") % {"symbol": decision.symbol, "codes": ", ".join(unlisted)},
                               code="not_in_decision", details={"codes": unlisted})
        disposal = Disposal.objects.create(organization=organization, decision=decision, disposed_by=user)
        now = _now()
        records: list[str] = []
        summary = []
        for c in files:
            contents = _contents_of(c)
            DisposedFile.objects.create(disposal=disposal, case_file=c, code=c.code, title=c.title,
                                        retention=str(c.retention.label), contents=contents)
            records += [i.record_id for i in c.items.all() if i.record_id]
            # The uploaded records go (their bytes leave the storage below); the documents' items
            # stay, sealed: in this organisation nobody reads them any more (archive/access.py),
            # while the other organisations that hold a document keep their own copy.
            c.items.filter(document__isnull=True).delete()
            c.items.update(sealed=True, disposed=True)
            summary.append({"id": c.id, "code": c.code, "hashes": sorted({fl["sha256"] for i in contents for fl in i["files"]})})
        CaseFile.objects.filter(id__in=[c.id for c in files]).update(status=CaseStatus.DISPOSED, disposed_at=now)
        AccessRequest.objects.filter(case_file__in=files, status=RequestStatus.PENDING).update(status=RequestStatus.REFUSED, decided_at=now)
        record("case_files_disposed", actor=user, obj=disposal, data={"decision": decision.id, "symbol": decision.symbol,
                                                                       "case_files": summary})
        transaction.on_commit(lambda: _drop_unused(records))
    return disposal


def _decision_text(decision: Document) -> bytes:
    """The decision's text layer, where the list of files to dispose is written."""
    texts = StoredFile.objects.filter(uses__document=decision).values_list("text", flat=True)
    return "\n".join(texts).encode()


def _drop_unused(shas: Sequence[str]) -> None:
    """Uploaded records of disposed files leave the storage when nothing else uses them."""
    for sha in set(shas):
        if DocumentFile.objects.filter(file_id=sha).exists() or CaseItem.objects.filter(record_id=sha).exists():
            continue
        path_for(sha).unlink(missing_ok=True)
