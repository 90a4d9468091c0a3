"""Signing in (password, then the second factor for people who have it), two-factor enrolment,
changing one's password, and signing out everywhere."""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from vanthu.errors import VanThuError
from vanthu.organizations.access import is_installation_admin
from vanthu.organizations.models import Membership
from vanthu.organizations.session import SESSION_KEY, my_organizations

from . import actions, sso
from .forms import OwnPasswordForm, TwoFactorPolicyForm
from .security import (
    TOTP_ISSUER,
    client_address,
    confirmed_device,
    current_lock,
    has_two_factor,
    over_rate_limit,
    required_roles,
    totp_for,
    two_factor_missing,
    two_factor_required,
)

PENDING = "_vanthu_2fa_pending"
PENDING_SECONDS = 300
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return settings.LOGIN_REDIRECT_URL


def _finish_sign_in(request: HttpRequest, user, *, method: str, next_url: str) -> HttpResponse:
    login(request, user, backend=BACKEND)
    actions.record_sign_in(user=user, address=client_address(request), method=method)
    if two_factor_missing(user):
        messages.warning(request, _("Vai trò của bạn bắt buộc xác thực hai lớp. Hãy cài đặt ngay để tiếp tục làm việc."))
        return redirect("accounts:two_factor")
    orgs = my_organizations(request)
    if len(orgs) > 1:
        return redirect(f"{reverse('web:choose_org')}?{urlencode({'next': next_url})}")
    if orgs:
        request.session[SESSION_KEY] = orgs[0].id
    return redirect(next_url)


def begin_sign_in(request: HttpRequest, user, *, method: str, next_url: str) -> HttpResponse:
    """Someone another way proved who they are (single sign-on): VanThu's own rules still apply —
    a locked account is refused, and two-factor asks for the code before the session begins."""
    lock = current_lock(user.username, client_address(request))
    if lock is not None:
        messages.error(request, lock.message())
        return redirect("web:login")
    if has_two_factor(user):
        request.session[PENDING] = {"uid": user.pk, "at": int(time.time()), "next": next_url}
        return redirect("accounts:login_code")
    return _finish_sign_in(request, user, method=method, next_url=next_url)


def _too_many(request: HttpRequest, template: str, ctx: dict) -> HttpResponse:
    ctx["error"] = _("Quá nhiều lần đăng nhập trong một phút từ máy này. Hãy đợi một phút rồi thử lại.")
    return render(request, template, ctx, status=429)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: name and password. People with two-factor go on to the code page."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    ctx = {"next": next_url, "username": request.POST.get("username", "")[:150], "sso": sso.enabled(),
           "sso_label": settings.VANTHU_OIDC_LABEL or _("Đăng nhập bằng tài khoản dùng chung")}
    if request.method != "POST":
        return render(request, "web/login.html", ctx)
    address = client_address(request)
    if over_rate_limit("signin", address):
        return _too_many(request, "web/login.html", ctx)
    try:
        user, needs_otp = actions.authenticate_for_sign_in(
            request, username=request.POST.get("username", "")[:150], password=request.POST.get("password", "")[:4096],
            otp=None, address=address)
    except actions.SignInRefused as exc:
        ctx["error"] = exc.message
        if exc.code == "invalid_credentials":
            ctx["error"] = _("Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý chữ hoa, chữ thường.")
        ctx["locked"] = exc.code == "account_locked"
        return render(request, "web/login.html", ctx, status=403 if ctx["locked"] else 200)
    if needs_otp:
        request.session[PENDING] = {"uid": user.pk, "at": int(time.time()), "next": next_url}
        return redirect("accounts:login_code")
    return _finish_sign_in(request, user, method="password", next_url=next_url)


@csrf_protect
@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """Step two: the six-digit code (or a recovery code) for people who have two-factor."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        messages.info(request, _("Hãy đăng nhập lại bằng mật khẩu."))
        return redirect("web:login")
    user = get_user_model().objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("web:login")
    ctx: dict = {}
    if request.method != "POST":
        return render(request, "accounts/login_code.html", ctx)
    address = client_address(request)
    if over_rate_limit("signin", address):
        return _too_many(request, "accounts/login_code.html", ctx)
    lock = current_lock(user.username, address)
    if lock is not None:
        request.session.pop(PENDING, None)
        return render(request, "web/login.html", {"error": lock.message(), "locked": True, "username": user.username}, status=403)
    try:
        method = actions.check_second_factor(user=user, code=request.POST.get("code", "")[:64], address=address)
    except actions.SignInRefused as exc:
        lock = current_lock(user.username, address)
        if lock is not None:
            request.session.pop(PENDING, None)
            return render(request, "web/login.html", {"error": lock.message(), "locked": True, "username": user.username}, status=403)
        ctx["error"] = exc.message
        return render(request, "accounts/login_code.html", ctx)
    request.session.pop(PENDING, None)
    return _finish_sign_in(request, user, method=method, next_url=pending.get("next") or settings.LOGIN_REDIRECT_URL)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


def _qr_svg(uri: str) -> str:
    # Rendered here as inline SVG markup: no image service, no script.
    return segno.make(uri, error="m").svg_inline(scale=5, border=2)


@login_required
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up two-factor: scan the QR code, type one code, keep the recovery codes."""
    enrolled = has_two_factor(request.user)
    ctx: dict = {"enrolled": enrolled, "required": two_factor_required(request.user)}
    if enrolled:
        return render(request, "accounts/two_factor.html", ctx)
    device = actions.start_two_factor(user=request.user)
    if request.method == "POST":
        try:
            codes = actions.confirm_two_factor(user=request.user, code=request.POST.get("code", "")[:16])
        except VanThuError as exc:
            ctx["error"] = exc.message
        else:
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
    uri = totp_for(device).provisioning_uri(name=request.user.username, issuer_name=TOTP_ISSUER)
    ctx.update({"qr": mark_safe(_qr_svg(uri)), "secret": device.secret})
    return render(request, "accounts/two_factor.html", ctx)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@never_cache
def change_password(request: HttpRequest) -> HttpResponse:
    """Change one's own password. Every other session and every API token of the person ends;
    this session stays (Django's update_session_auth_hash), as the person just proved the password."""
    form = OwnPasswordForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if over_rate_limit("password", client_address(request)):
            return _too_many(request, "accounts/change_password.html", {"form": form})
        if form.is_valid():
            form.save()
            update_session_auth_hash(request, form.user)
            messages.success(request, _("Đã đổi mật khẩu. Mọi phiên đăng nhập khác và mọi mã truy cập API của bạn đã hết hiệu lực."))
            return redirect("accounts:account")
    return render(request, "accounts/change_password.html", {"form": form, "forced": request.user.must_change_password})


@login_required
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    """The person's own page: who they are where, and their password, second factor and sessions."""
    memberships = (Membership.objects.for_user(request.user).select_related("organization")
                   .order_by("organization__name", "role"))
    device = confirmed_device(request.user)
    return render(request, "accounts/account.html", {
        "memberships": memberships, "device": device, "required": two_factor_required(request.user),
        "codes_left": request.user.recovery_codes.filter(used_at__isnull=True).count() if device else 0,
    })


@sensitive_post_parameters("code")
@login_required
@never_cache
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; every earlier code stops working."""
    if request.method != "POST":
        return redirect("accounts:account")
    try:
        codes = actions.regenerate_recovery_codes(user=request.user, code=request.POST.get("code", "")[:16])
    except VanThuError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:account")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "regenerated": True})


@login_required
@never_cache
def two_factor_policy(request: HttpRequest) -> HttpResponse:
    """The installation administrator chooses the roles that must use two-factor sign-in."""
    if not is_installation_admin(request.user):
        raise Http404
    form = TwoFactorPolicyForm(request.POST if request.method == "POST" else None,
                               initial={"roles": sorted(required_roles())})
    if request.method == "POST" and form.is_valid():
        actions.set_two_factor_roles(user=request.user, roles=set(form.cleaned_data["roles"]))
        messages.success(request, _("Đã lưu chính sách xác thực hai lớp."))
        return redirect("accounts:two_factor_policy")
    return render(request, "accounts/two_factor_policy.html", {"form": form})


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session and revoke every API token of the signed-in person, this one too."""
    actions.sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(request, _("Đã đăng xuất khỏi mọi thiết bị và thu hồi mọi mã truy cập API."))
    return redirect("web:login")
