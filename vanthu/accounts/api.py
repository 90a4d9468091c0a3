from __future__ import annotations

from datetime import datetime

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Router, Schema

from vanthu.errors import VanThuError
from vanthu.organizations.schemas import OrgRef

from .actions import issue_api_token

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: datetime


class MembershipOut(Schema):
    organization: OrgRef
    roles: list[str]


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    is_admin: bool
    memberships: list[MembershipOut]


@router.post("/auth/token", auth=None, response=TokenOut, summary="Đăng nhập, nhận mã truy cập")
def create_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise VanThuError(_("Tên đăng nhập hoặc mật khẩu không đúng."), code="invalid_credentials", status=401)
    raw, token = issue_api_token(user=user)
    return {"token": raw, "expires_at": token.expires_at}


@router.get("/me", response=MeOut, summary="Người dùng hiện tại và vai trò")
def me(request):
    from vanthu.organizations.access import is_admin
    from vanthu.organizations.models import Membership

    rows = Membership.objects.for_user(request.user).select_related("organization").order_by("organization__name", "role")
    by_org: dict[int, dict] = {}
    for m in rows:
        entry = by_org.setdefault(m.organization_id, {"organization": m.organization, "roles": []})
        entry["roles"].append(m.role)
    u = request.user
    return {"id": u.id, "username": u.username, "full_name": u.get_full_name(), "is_admin": is_admin(u), "memberships": list(by_org.values())}
