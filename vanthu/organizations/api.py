from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from vanthu.errors import NotFound
from vanthu.text import Line

from .access import can_see_members
from .models import Membership, Organization
from .schemas import MemberOut, OrgOut

router = Router(tags=["organizations"])
# Past this, an offset is junk; bigger ones overflow the database's integers.
MAX_OFFSET = 1_000_000_000


class OrgList(Schema):
    items: list[OrgOut]
    count: int


class MemberList(Schema):
    items: list[MemberOut]
    count: int


class OrgFilter(Schema):
    q: Line(200) = ""
    parent_id: int | None = None
    limit: int = 100
    offset: int = 0


def fold(text: str) -> str:
    """Text for matching as people type it: any case, with or without Vietnamese diacritics."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().split())


def matching_ids(qs, q: str) -> list[int]:
    # Matched in Python, not SQL: SQLite's LIKE folds only ASCII case and neither engine folds
    # diacritics, so "SỞ TÀI CHÍNH" or "so tai chinh" would miss. The address book is small.
    needle = fold(q)
    return [
        pk for pk, name, short_name, code in qs.values_list("id", "name", "short_name", "code")
        if needle in fold(name) or needle in fold(short_name) or needle in fold(code)
    ]


@router.get("/organizations", response=OrgList, summary="Danh sách tổ chức (để chọn nơi nhận)")
def list_organizations(request, filters: Query[OrgFilter]):
    # The tree of organisations is public to every signed-in person: it is the address book.
    qs = Organization.objects.active()
    if filters.q.strip():
        qs = qs.filter(id__in=matching_ids(qs, filters.q))
    if filters.parent_id is not None:
        qs = qs.filter(parent_id=filters.parent_id)
    limit = max(1, min(filters.limit, 500))
    offset = max(0, min(filters.offset, MAX_OFFSET))
    return {"items": list(qs.order_by("name", "id")[offset:offset + limit]), "count": qs.count()}


@router.get("/organizations/{org_id}/members", response=MemberList, summary="Thành viên của tổ chức")
def list_members(request, org_id: int):
    org = Organization.objects.filter(id=org_id).first()
    if org is None or not can_see_members(request.user, org):
        raise NotFound(_("Không tìm thấy tổ chức."), code="organization_not_found")
    rows = (
        Membership.objects.filter(organization=org, user__is_active=True)
        .select_related("user").order_by("user__full_name", "user__username", "role")
    )
    members: dict[int, dict] = {}
    for m in rows:
        entry = members.setdefault(m.user_id, {"user_id": m.user_id, "username": m.user.username, "full_name": m.user.get_full_name(), "roles": []})
        entry["roles"].append(m.role)
    items = list(members.values())
    return {"items": items, "count": len(items)}
