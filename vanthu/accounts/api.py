from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from vanthu.errors import Unprocessable, VanThuError
from vanthu.organizations.access import administers_anything, is_installation_admin
from vanthu.organizations.models import Membership
from vanthu.organizations.schemas import OrgRef
from vanthu.text import Line, Secret

from .access import get_administered_person
from .actions import (
    SignInRefused,
    authenticate_for_sign_in,
    change_password,
    issue_api_token,
    record_sign_in,
    revoke_api_token,
    sign_out_everywhere,
)
from .models import ApiToken, hash_token
from .security import client_address, over_rate_limit

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: Line(150)
    password: Secret(4096)
    otp: Secret(64) | None = Field(default=None, description="Mã 6 số (hoặc mã dự phòng) cho người dùng có xác thực hai lớp")


class RevokeIn(Schema):
    token: Secret(200) | None = Field(default=None, description="Mã cần thu hồi; bỏ trống để thu hồi chính mã đang dùng")


class RevokedOut(Schema):
    revoked: int


class TokenOut(Schema):
    token: str
    expires_at: datetime


class MembershipOut(Schema):
    organization: OrgRef
    roles: list[str]


class OwnPasswordIn(Schema):
    current_password: Secret(4096)
    new_password: Secret(4096)


class PasswordIn(Schema):
    new_password: Secret(4096)


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    is_admin: bool = Field(description="Quản trị ít nhất một tổ chức (hoặc cả hệ thống)")
    is_installation_admin: bool = Field(description="Quản trị cả hệ thống: chứng thư tin cậy, hệ thống liên thông, nhật ký kiểm toán")
    memberships: list[MembershipOut]


@router.post("/auth/token", auth=None, response=TokenOut, summary="Đăng nhập, nhận mã truy cập")
def create_token(request, payload: TokenIn):
    """People with two-factor send `otp` too; without it, or wrong, the answer is 401
    `otp_required` / `invalid_otp`, and wrong codes count towards lockout like wrong passwords."""
    address = client_address(request)
    if over_rate_limit("signin", address):
        raise VanThuError(_("Quá nhiều yêu cầu đăng nhập trong một phút từ máy này. Hãy đợi rồi thử lại."),
                          code="rate_limited", status=429)
    try:
        user, _needs = authenticate_for_sign_in(request, username=payload.username, password=payload.password,
                                                otp=payload.otp or "", address=address)
    except SignInRefused as exc:
        raise VanThuError(exc.message, code=exc.code, status=exc.status) from exc
    record_sign_in(user=user, address=address, method="api_token")
    raw, token = issue_api_token(user=user)
    return {"token": raw, "expires_at": token.expires_at}


@router.post("/auth/token/revoke", response=RevokedOut, summary="Thu hồi mã truy cập")
def revoke_token(request, payload: RevokeIn | None = None):
    """Revoke the token given (one's own), or the one this request carries."""
    raw = (payload.token if payload else None) or _bearer(request)
    token = ApiToken.objects.filter(user=request.user, key_hash=hash_token(raw)).first() if raw else None
    if token is None:
        raise VanThuError(_("Không tìm thấy mã truy cập này của bạn."), code="not_found", status=404)
    revoke_api_token(user=request.user, token=token)
    return {"revoked": 1}


@router.post("/auth/sign-out-everywhere", response=RevokedOut, summary="Đăng xuất khỏi mọi nơi")
def sign_out_all(request):
    """End every session and revoke every API token of the caller."""
    return {"revoked": sign_out_everywhere(user=request.user)}


@router.post("/auth/password", response=RevokedOut, summary="Đổi mật khẩu của mình")
def change_own_password(request, payload: OwnPasswordIn):
    """Every session and every API token of the caller ends, the one of this request too: sign in
    again with the new password. `revoked` counts the tokens that were still live."""
    if over_rate_limit("password", client_address(request)):
        raise VanThuError(_("Quá nhiều yêu cầu trong một phút từ máy này. Hãy đợi rồi thử lại."), code="rate_limited", status=429)
    if not request.user.check_password(payload.current_password):
        raise Unprocessable(_("Mật khẩu hiện tại không đúng."), code="wrong_password", details={"field": "current_password"})
    return {"revoked": change_password(user=request.user, target=request.user, password=payload.new_password)}


@router.post("/people/{person_id}/password", response=RevokedOut, summary="Đặt lại mật khẩu của một người (quản trị)")
def set_password(request, person_id: int, payload: PasswordIn):
    """For the person's administrator (of every organisation the person belongs to) or the
    installation's. Every session and API token of the person ends."""
    person = get_administered_person(request.user, person_id)
    return {"revoked": change_password(user=request.user, target=person, password=payload.new_password)}


def _bearer(request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


@router.get("/me", response=MeOut, summary="Người dùng hiện tại và vai trò")
def me(request):
    rows = Membership.objects.for_user(request.user).select_related("organization").order_by("organization__name", "role")
    by_org: dict[int, dict] = {}
    for m in rows:
        entry = by_org.setdefault(m.organization_id, {"organization": m.organization, "roles": []})
        entry["roles"].append(m.role)
    u = request.user
    return {"id": u.id, "username": u.username, "full_name": u.get_full_name(), "is_admin": administers_anything(u),
            "is_installation_admin": is_installation_admin(u), "memberships": list(by_org.values())}
