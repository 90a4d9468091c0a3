"""State changes on accounts."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit.chain import record
from vanthu.errors import NotFound, Unprocessable, VanThuError
from vanthu.organizations.access import administers_person, is_installation_admin
from vanthu.organizations.models import Role
from vanthu.text import TextRefused, TextRule

from . import passwords
from .models import ApiToken, RecoveryCode, SecurityPolicy, SignInFailure, TwoFactor, hash_token
from .security import (
    confirmed_device,
    current_lock,
    find_recovery_code,
    has_two_factor,
    hash_recovery_code,
    matching_step,
    two_factor_required,
)


def _require_administers(user, target) -> None:
    """An administrator acts on a person only within their reach; beyond it the person is not found.

    `user` None is the command line, run by whoever runs the installation."""
    if user is None or administers_person(user, target):
        return
    raise NotFound(_("Không tìm thấy người dùng."), code="person_not_found")


def _require_installation_admin(user) -> None:
    if user is None or is_installation_admin(user):
        return
    raise NotFound(_("Không tìm thấy người dùng."), code="person_not_found")


@transaction.atomic
def issue_api_token(*, user) -> tuple[str, ApiToken]:
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=hash_token(raw), auth_hash=user.get_session_auth_hash(),
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_HOURS),
    )
    record("api_token_issued", actor=user, obj=token)
    return raw, token


# --- sign-in security ----------------------------------------------------------------------

class SignInRefused(Exception):
    """Why a sign-in attempt did not succeed; `code` is what the API returns."""

    def __init__(self, code: str, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@transaction.atomic
def record_sign_in_failure(*, username: str, address: str, reason: str, user=None) -> None:
    """Count one failure towards lockout and write it to the audit log."""
    SignInFailure.objects.create(username=(username or "").strip().lower()[:150], address=address,
                                 at=timezone.now(), reason=reason)
    record("sign_in_failed", actor=None, object_type="accounts.user", object_id=getattr(user, "pk", "") or "",
           data={"username": (username or "")[:150], "address": address, "reason": reason})


@transaction.atomic
def record_sign_in(*, user, address: str, method: str) -> None:
    """A successful sign-in: earlier failures of this account no longer count."""
    SignInFailure.objects.filter(username=user.username.lower(), cleared=False).update(cleared=True)
    record("signed_in", actor=user, obj=user, data={"address": address, "method": method})


@transaction.atomic
def unlock_account(*, user, target_username: str = "", address: str = "") -> int:
    """An administrator lifts a lockout on an account they administer; an address, or a name that
    is nobody's, only the installation administrator."""
    qs = SignInFailure.objects.filter(cleared=False)
    if target_username:
        target = get_user_model().objects.filter(username__iexact=target_username).first()
        if target is None:
            _require_installation_admin(user)
        else:
            _require_administers(user, target)
        qs = qs.filter(username=target_username.lower())
    elif address:
        _require_installation_admin(user)
        qs = qs.filter(address=address)
    else:
        return 0
    n = qs.update(cleared=True)
    record("sign_in_unlocked", actor=user, data={"username": target_username, "address": address, "cleared": n})
    return n


def check_second_factor(*, user, code: str, address: str) -> str:
    """Accept a TOTP code (once) or an unused recovery code; return which, or raise SignInRefused.

    A wrong code counts as a failed sign-in, like a wrong password."""
    device = confirmed_device(user)
    if device is None:
        return "none"
    code = (code or "").strip()
    if not code:
        raise SignInRefused("otp_required", _("Tài khoản này dùng xác thực hai lớp: hãy nhập mã 6 số trong ứng dụng xác thực."))
    with transaction.atomic():
        step = matching_step(device, code)
        if step is not None:
            # Lock the row and compare steps, so a code is never accepted twice (replay).
            device = type(device).objects.select_for_update().get(pk=device.pk)
            if step > device.last_step:
                device.last_step = step
                device.save(update_fields=["last_step"])
                return "totp"
        else:
            rc = find_recovery_code(user, code)
            if rc is not None:
                rc.used_at = timezone.now()
                rc.save(update_fields=["used_at"])
                record("recovery_code_used", actor=user, obj=user)
                return "recovery_code"
    record_sign_in_failure(username=user.username, address=address, reason="wrong_otp", user=user)
    raise SignInRefused("invalid_otp", _("Mã xác thực không đúng hoặc đã được dùng."))


def authenticate_for_sign_in(request, *, username: str, password: str, otp: str | None, address: str):
    """The whole sign-in check shared by the login page and the token endpoint.

    Returns (user, needs_otp). With otp=None a person with two-factor gets needs_otp=True
    (the page then asks for the code); with a string the code is checked at once (API)."""
    try:  # the text rule, before the name reaches the database or the audit log
        username = TextRule(150).clean(username or "")
        TextRule(4096, secret=True).clean(password or "")
    except TextRefused:
        raise SignInRefused("invalid_credentials", _("Tên đăng nhập hoặc mật khẩu không đúng.")) from None
    lock = current_lock(username, address)
    if lock is not None:
        record_lock_refusal(username=username, address=address)
        raise SignInRefused("account_locked", lock.message(), status=429 if lock.by_address else 403)
    user = authenticate(request, username=username, password=password)
    if user is None:
        record_sign_in_failure(username=username, address=address, reason="wrong_password")
        lock = current_lock(username, address)
        if lock is not None:
            raise SignInRefused("account_locked", lock.message(), status=429 if lock.by_address else 403)
        raise SignInRefused("invalid_credentials", _("Tên đăng nhập hoặc mật khẩu không đúng."))
    enrolled = has_two_factor(user)
    if enrolled:
        if otp is None:
            return user, True
        try:
            check_second_factor(user=user, code=otp, address=address)
        except SignInRefused as exc:
            lock = current_lock(username, address)
            if lock is not None and exc.code == "invalid_otp":
                raise SignInRefused("account_locked", lock.message(), status=403) from exc
            raise
    if otp is not None and user.must_change_password:
        # Like two-factor set-up, choosing one's own password happens on the web page first.
        raise SignInRefused("password_change_required", _(
            "Mật khẩu của bạn do quản trị đặt tạm. Hãy đăng nhập trên trang web và đổi mật khẩu trước."
        ), status=403)
    if not enrolled and otp is not None and two_factor_required(user):
        # The API cannot enrol anyone: the person must first set it up on the web page.
        raise SignInRefused("two_factor_setup_required", _(
            "Vai trò của bạn bắt buộc xác thực hai lớp. Hãy đăng nhập trên trang web để cài đặt trước."
        ), status=403)
    return user, False


def record_lock_refusal(*, username: str, address: str) -> None:
    record("sign_in_refused_locked", data={"username": (username or "")[:150], "address": address})


# --- two-factor enrolment -------------------------------------------------------------------

RECOVERY_CODES = 10


@transaction.atomic
def start_two_factor(*, user):
    """Propose a new secret (kept unconfirmed until a right code is typed)."""
    device, _created = TwoFactor.objects.get_or_create(user=user, defaults={"secret": pyotp.random_base32()})
    return device


@transaction.atomic
def confirm_two_factor(*, user, code: str) -> list[str]:
    """Turn two-factor on after the first right code; return fresh recovery codes (shown once)."""
    device = TwoFactor.objects.select_for_update().get(user=user)
    step = matching_step(device, code)
    if step is None:
        raise VanThuError(_("Mã xác thực không đúng. Hãy nhập mã 6 số đang hiện trong ứng dụng."), code="invalid_otp",
                          status=422, details={"field": "code"})
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    codes = _replace_recovery_codes(user)
    record("two_factor_enabled", actor=user, obj=user)
    return codes


def _replace_recovery_codes(user) -> list[str]:
    """Fresh recovery codes for the person; every earlier one, used or not, stops working."""
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _i in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=hash_recovery_code(c)) for c in codes)
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user, code: str) -> list[str]:
    """New recovery codes (shown once), the old ones dead. A current code from the app proves the
    phone is still in hand: a session left open on a shared computer cannot mint codes."""
    device = TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        raise Unprocessable(_("Tài khoản của bạn chưa bật xác thực hai lớp."), code="two_factor_not_enabled")
    step = matching_step(device, code)
    if step is None or step <= device.last_step:
        raise Unprocessable(_("Mã xác thực không đúng hoặc đã được dùng. Hãy nhập mã 6 số đang hiện trong ứng dụng."),
                            code="invalid_otp", details={"field": "code"})
    device.last_step = step
    device.save(update_fields=["last_step"])
    codes = _replace_recovery_codes(user)
    record("recovery_codes_regenerated", actor=user, obj=user, data={"count": len(codes)})
    return codes


@transaction.atomic
def set_two_factor_roles(*, user, roles: set[str]) -> None:
    """The installation administrator chooses which roles must use two-factor sign-in."""
    _require_installation_admin(user)
    unknown = roles - set(Role.values)
    if unknown:
        raise Unprocessable(_("Vai trò không hợp lệ."), code="invalid_role", details={"field": "roles"})
    value = ",".join(r for r in Role.values if r in roles)
    SecurityPolicy.objects.update_or_create(id=1, defaults={"two_factor_roles": value})
    record("two_factor_policy_changed", actor=user, data={"roles": [r for r in Role.values if r in roles]})


@transaction.atomic
def reset_two_factor(*, user, target) -> None:
    """An administrator removes a person's second factor (lost phone and codes)."""
    _require_administers(user, target)
    TwoFactor.objects.filter(user=target).delete()
    RecoveryCode.objects.filter(user=target).delete()
    record("two_factor_reset", actor=user, obj=target)


# --- tokens and sessions --------------------------------------------------------------------

@transaction.atomic
def revoke_api_token(*, user, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    record("api_token_revoked", actor=user, obj=token, data={"owner": token.user.username})


@transaction.atomic
def sign_out_everywhere(*, user, target=None) -> int:
    """End every session (the session hash changes) and revoke every API token of a person."""
    target = target or user
    if target.pk != user.pk:
        _require_administers(user, target)
    get_user_model().objects.filter(pk=target.pk).update(auth_generation=models.F("auth_generation") + 1)
    n = ApiToken.objects.filter(user=target, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record("signed_out_everywhere", actor=user, obj=target, data={"tokens_revoked": n})
    return n


@transaction.atomic
def change_password(*, user, target, password: str | None) -> int:
    """Set a person's password (None: password sign-in disabled) and end every session and API
    token they hold; return how many live tokens were revoked.

    `user` is the person acting: the person themself, an administrator of theirs, or None for the
    `changepassword` command. Sessions end because their hash is made from the password (a page
    that changes its own person's password keeps its session with update_session_auth_hash); the
    tokens are marked revoked here, and would be refused anyway (ApiToken.auth_hash)."""
    if user is None or user.pk != target.pk:  # a person changes their own; anyone else's needs their administrator
        _require_administers(user, target)
    if password is None:
        target.set_unusable_password()
    else:
        try:
            passwords.validate(password, target)
        except ValidationError as exc:
            raise Unprocessable(" ".join(exc.messages), code="weak_password", details={"field": "new_password"}) from None
        target.set_password(password)
    # A password someone else chose is only for the first sign-in: the person then chooses their
    # own (the sign-in policy sends them to the form); their own choice clears the flag.
    by_someone_else = user is not None and user.pk != target.pk
    target.must_change_password = by_someone_else and password is not None
    target.save(update_fields=["password", "must_change_password"])
    n = ApiToken.objects.filter(user=target, revoked_at__isnull=True).update(revoked_at=timezone.now())
    by = "command" if user is None else "self" if user.pk == target.pk else "administrator"
    record("password_changed", actor=user, obj=target, data={"by": by, "disabled": password is None, "tokens_revoked": n})
    return n


def relax_policy_for_demo() -> None:
    """A demo installation requires two-factor of nobody (unless an administrator set a policy)."""
    SecurityPolicy.objects.get_or_create(id=1, defaults={"two_factor_roles": ""})
