"""`vanthu demo --site city`: the City Party Committee's installation, a different tree with
different codes, to exchange with the Bloc's (`--site bloc`, the default demo)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from vanthu.accounts.models import User
from vanthu.audit.chain import record
from vanthu.documents.models import Signatory
from vanthu.organizations.models import Membership, NumberingStyle, Organization, OrgKind, Role

TERM = {"term_label": "2025-2030", "term_start": date(2025, 10, 1), "term_end": date(2030, 9, 30)}
CITY = ("thanhuy", "Thành ủy Hà Nội", "TU", "000.00.00.H26", OrgKind.CITY_COMMITTEE)
OFFICES = [
    ("vptu", "Văn phòng Thành ủy Hà Nội", "VPTU", "000.01.00.H26"),
    ("btctu", "Ban Tổ chức Thành ủy Hà Nội", "BTCTU", "000.02.00.H26"),
    ("ubkttu", "Ủy ban Kiểm tra Thành ủy Hà Nội", "UBKTTU", "000.03.00.H26"),
    ("btgdvtu", "Ban Tuyên giáo và Dân vận Thành ủy Hà Nội", "BTGDVTU", "000.04.00.H26"),
]
PEOPLE = [("vt", Role.CLERK, "Văn thư", "Nguyễn Thị Hà"), ("bt", Role.LEADER, "Chánh Văn phòng", "Trần Văn Minh"),
          ("cv1", Role.SPECIALIST, "Chuyên viên", "Lê Thu Trang")]


def is_seeded() -> bool:
    return Organization.objects.filter(code=CITY[3], kind=OrgKind.CITY_COMMITTEE, memberships__isnull=False).exists()


@transaction.atomic
def seed_city(*, password: str = "demo") -> list[str]:
    """Create the City Party Committee, its office and boards, and three people in each. Idempotent."""
    if is_seeded():
        return login_lines()
    admin = User.objects.filter(username="admin").first() or User.objects.create_superuser(username="admin", password=password, full_name="Quản trị hệ thống")
    slug, name, short, code, kind = CITY
    city = Organization.objects.create(kind=kind, name=name, short_name=short, code=code, numbering_style=NumberingStyle.PARTY, **TERM)
    units = [(slug, city)] + [(s, Organization.objects.create(kind=OrgKind.OFFICE, parent=city, name=n, short_name=sh, code=c,
                                                              numbering_style=NumberingStyle.PARTY, **TERM)) for s, n, sh, c in OFFICES]
    for s, org in units:
        for prefix, role, position, full_name in PEOPLE:
            user = User.objects.create_user(username=f"{prefix}.{s}", password=password, full_name=full_name)
            Membership.objects.create(user=user, organization=org, role=role, position=position)
            if role == Role.LEADER:  # the office's head signs by order of the standing committee
                Signatory.objects.create(organization=org, user=user, form="T/L" if org == city else "",
                                         on_behalf_of="BAN THƯỜNG VỤ" if org == city else "", position=position.upper())
    Membership.objects.get_or_create(user=admin, organization=city, role=Role.ADMIN)
    record("demo_seeded", actor=admin, data={"site": "city", "organizations": len(units)})
    return login_lines()


def login_lines() -> list[str]:
    return [
        "admin — quản trị hệ thống (hệ thống liên thông: /admin/exchange/peer/)",
        "vt.thanhuy — văn thư Thành ủy: văn bản đến từ Đảng ủy Khối, phát hành văn bản",
        "bt.thanhuy — lãnh đạo: duyệt, phân công xử lý",
        "cv1.thanhuy — chuyên viên: xử lý văn bản được giao",
        "các ban: vt.vptu, vt.btctu, vt.ubkttu, vt.btgdvtu (và bt.…, cv1.…)",
    ]
