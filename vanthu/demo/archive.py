"""The demo's archive: the Bloc Party Committee's last year filed, closed and handed over to its
archive (the record signed by the clerk and the archivist), this year's file list being filed,
a reading request waiting, and an old year past its retention, waiting for a disposal decision.

Everything goes through the archive's actions, as a clerk, a specialist and the archivist would."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from vanthu.accounts.models import User
from vanthu.archive import actions
from vanthu.archive.models import CaseFile
from vanthu.archive.queries import unfiled
from vanthu.archive.retention import ensure_retention_periods
from vanthu.documents.models import Delivery, Document
from vanthu.documents.pdfgen import make_pdf
from vanthu.organizations.models import Membership, Role
from vanthu.signatures.ca import (
    issue,
    load_or_create_demo_authority,
    person_name,
    save_signing_certificate,
)

from .world import BLOC_SLUG, World

HEADINGS = [
    ("I", "Tổ chức, cán bộ, đảng viên"),
    ("II", "Lãnh đạo, chỉ đạo, điều hành chung"),
    ("III", "Kiểm tra, giám sát, thi hành kỷ luật đảng"),
    ("IV", "Văn phòng, hành chính, văn thư, lưu trữ"),
]
# (heading, code, title with {y}, retention, which documents: doc types, or "in" for incoming)
ENTRIES = [
    ("I", "01.01", "Hồ sơ Hội nghị Ban Chấp hành Đảng bộ Khối tổng kết công tác xây dựng Đảng năm {y}", "VV", ("BC", "KH")),
    ("II", "02.01", "Tập nghị quyết, chỉ thị, kết luận, quyết định của Đảng ủy Khối năm {y}", "VV", ("NQ", "CT", "KL", "QĐ", "QĐi")),
    ("II", "02.02", "Tập công văn, thông báo của Đảng ủy Khối gửi các tổ chức đảng trực thuộc năm {y}", "10", ("CV", "TB", "HD")),
    ("III", "03.01", "Hồ sơ kiểm tra, giám sát việc thực hiện quy chế làm việc tại các chi bộ năm {y}", "20", ()),
    ("IV", "04.01", "Tập văn bản đến của Thành ủy và các cơ quan năm {y}", "10", "in"),
]
RECORDS = {  # what an office keeps on paper for a file no electronic document went into
    "01.01": "Biên bản Hội nghị Ban Chấp hành Đảng bộ Khối tổng kết năm {y}",
    "02.01": "Sổ theo dõi việc ban hành nghị quyết, chỉ thị năm {y}",
    "02.02": "Sổ chuyển giao công văn đi năm {y}",
    "03.01": "Biên bản kiểm tra việc thực hiện quy chế làm việc của chi bộ năm {y}",
    "04.01": "Sổ đăng ký văn bản đến năm {y}",
}


def _archivist(world: World) -> User:
    """The Bloc office's archivist, with a certificate to sign handover records."""
    bloc = world.bloc.org
    user = User.objects.create(username=f"lt.{BLOC_SLUG}", full_name="Đỗ Thị Thu Hà", password=make_password("demo"), is_active=True)
    Membership.objects.create(user=user, organization=bloc, role=Role.SPECIALIST, position="Lưu trữ viên Văn phòng Đảng ủy Khối")
    actions.appoint_archivist(user=world.admin, organization=bloc, person_id=user.id)
    auth = load_or_create_demo_authority()
    cert, key = issue(auth, person_name(user.full_name, bloc, user.username), kind="ec")
    save_signing_certificate(cert, key, [auth.certificate], user=user, organization=bloc)
    return user


def _documents(org_id: int, year: int, which) -> list[Document]:
    if which == "in":
        ids = Delivery.objects.filter(recipient_id=org_id, incoming_number__isnull=False, accepted_at__year=year).values("document_id")
        return list(Document.objects.filter(id__in=ids).order_by("issued_date", "id")[:40])
    if not which:
        return []
    return list(Document.objects.filter(issuer_id=org_id, status="issued", issued_date__year=year, doc_type__code__in=which)
                .order_by("issued_date", "id")[:40])


def _year(world: World, year: int, *, close: bool) -> list[CaseFile]:
    unit = world.bloc
    clerk = unit.clerk
    fl = actions.create_file_list(user=clerk, organization=unit.org, year=year)
    headings = {code: actions.add_heading(fl, user=clerk, code=code, title=title) for code, title in HEADINGS}
    files = []
    for n, (head, code, title, retention, which) in enumerate(ENTRIES):
        responsible = unit.specialists[n % len(unit.specialists)]
        cf = actions.add_entry(fl, user=clerk, code=code, title=title.format(y=year), retention=retention,
                               heading_id=headings[head].id, responsible_id=responsible.id)
        if not close and n >= 3:
            files.append(cf)  # this year's last entries: planned, not opened yet
            continue
        cf = actions.open_case_file(cf, user=responsible)
        docs = _documents(unit.org.id, year, which)
        for d in docs[: (len(docs) if close else max(1, len(docs) // 2))]:
            actions.add_document(cf, user=responsible, document_id=d.id)
        if close:
            label = RECORDS[code].format(y=year)
            actions.add_record(cf, user=responsible, name=f"{code}.pdf", data=make_pdf([label, "", "(Bản quét tài liệu giấy)"]),
                               title=label, dated=date(year, 12, 20))
            cf = actions.close_case_file(cf, user=responsible)
        files.append(cf)
    return files


def _old_year(world: World, year: int) -> None:
    """A year long past: its 5-year file is past its retention, waiting for a disposal decision."""
    unit = world.bloc
    fl = actions.create_file_list(user=unit.clerk, organization=unit.org, year=year)
    cf = actions.open_case_file(actions.add_entry(
        fl, user=unit.clerk, code="04.05", title=f"Tập phiếu gửi, sổ chuyển giao văn bản năm {year}", retention="05",
        responsible_id=unit.specialists[0].id), user=unit.specialists[0])
    label = f"Sổ chuyển giao văn bản năm {year}"
    actions.add_record(cf, user=unit.specialists[0], name="so-chuyen-giao.pdf", data=make_pdf([label]), title=label,
                       dated=date(year, 12, 30))
    actions.close_case_file(cf, user=unit.specialists[0])


def seed_archive(world: World) -> dict:
    ensure_retention_periods()
    today = timezone.localdate()
    keeper = _archivist(world)
    unit = world.bloc
    last = _year(world, today.year - 1, close=True)
    handover = actions.prepare_handover(user=unit.clerk, organization=unit.org, year=today.year - 1, case_file_ids=[c.id for c in last])
    handover = actions.sign_handover(handover, user=unit.clerk)
    actions.sign_handover(handover, user=keeper)
    reader = unit.specialists[1]
    actions.request_access(CaseFile.objects.get(pk=last[1].id), user=reader,
                           reason="Tra cứu nghị quyết năm trước để xây dựng dự thảo báo cáo sơ kết")
    _year(world, today.year, close=False)
    _old_year(world, today.year - 11)
    return {"handed_over": len(last), "unfiled_this_year": unfiled(unit.org.id, today.year).count()}
