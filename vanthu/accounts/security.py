"""Reads for sign-in security: lockout state, the two-factor policy, checking codes.

State changes (recording a failure, enrolling, unlocking) live in actions.py.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vanthu.organizations.access import roles_by_org

from .models import RecoveryCode, SecurityPolicy, SignInFailure, TwoFactor, User

TOTP_ISSUER = "VanThu"


def client_address(request: HttpRequest) -> str:
    """The peer address. X-Forwarded-For is trusted only when a proxy is configured to set it."""
    if settings.VANTHU_TRUSTED_PROXY_HEADER:
        forwarded = request.META.get(settings.VANTHU_TRUSTED_PROXY_HEADER, "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64]
    return (request.META.get("REMOTE_ADDR") or "")[:64]


# --- lockout --------------------------------------------------------------------------------

@dataclass
class Lock:
    until: datetime
    by_address: bool

    def message(self) -> str:
        until = date_format(timezone.localtime(self.until), "H:i d/m/Y")
        if self.by_address:
            return _(
                "Địa chỉ máy của bạn đã đăng nhập sai quá nhiều lần nên tạm bị khóa đến %(until)s. "
                "Hãy thử lại sau thời điểm đó hoặc nhờ quản trị mở khóa."
            ) % {"until": until}
        return _(
            "Tài khoản tạm bị khóa đến %(until)s vì đã đăng nhập sai (mật khẩu hoặc mã xác thực) "
            "%(n)s lần liên tiếp. Hãy thử lại sau thời điểm đó hoặc nhờ quản trị mở khóa."
        ) % {"until": until, "n": settings.VANTHU_LOCKOUT_FAILURES}


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.VANTHU_LOCKOUT_MINUTES)


def _lock_from(rows: Q, threshold: int, *, by_address: bool) -> Lock | None:
    recent = list(
        SignInFailure.objects.filter(rows, cleared=False, at__gte=_window_start())
        .order_by("-at").values_list("at", flat=True)[:threshold]
    )
    if len(recent) < threshold:
        return None
    return Lock(until=recent[0] + timedelta(minutes=settings.VANTHU_LOCKOUT_MINUTES), by_address=by_address)


def current_lock(username: str, address: str) -> Lock | None:
    """The lock on this account or address, if there are too many recent failures."""
    username = (username or "").strip().lower()
    lock = _lock_from(Q(username=username), settings.VANTHU_LOCKOUT_FAILURES, by_address=False) if username else None
    if lock is None and address:
        lock = _lock_from(Q(address=address), settings.VANTHU_LOCKOUT_ADDRESS_FAILURES, by_address=True)
    return lock


# --- rate limits ----------------------------------------------------------------------------

def over_rate_limit(scope: str, address: str) -> bool:
    """Count one request from this address; true once past the per-minute limit.

    A fixed one-minute window in the cache: cheap, and brute force is stopped for good by the
    lockout (in the database) anyway; this only keeps floods off the password hasher."""
    limit = settings.VANTHU_SIGNIN_RATE_PER_MINUTE
    if limit <= 0:
        return False
    minute = int(timezone.now().timestamp() // 60)
    key = f"vanthu:rate:{scope}:{address}:{minute}"
    if cache.add(key, 1, timeout=90):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=90)
        return False
    return count > limit


# --- two-factor policy ----------------------------------------------------------------------

def required_roles() -> set[str]:
    policy = SecurityPolicy.objects.filter(id=1).first()
    if policy is not None:
        return policy.roles()
    return set(settings.VANTHU_2FA_REQUIRED_ROLES)


def user_roles(user) -> set[str]:
    roles: set[str] = set()
    for org_roles in roles_by_org(user).values():
        roles |= set(org_roles)
    if user.is_superuser:
        roles.add("admin")
    return roles


def two_factor_required(user) -> bool:
    """Whether this person must use a second factor, by the roles the administrator chose."""
    wanted = required_roles()
    return bool(wanted and user_roles(user) & wanted)


def policy_roles(value: str | None) -> set[str]:
    """The roles a policy row's text names; no row: the settings' default."""
    if value is None:
        return set(settings.VANTHU_2FA_REQUIRED_ROLES)
    return {r.strip() for r in value.split(",") if r.strip()}


def two_factor_state(user) -> tuple[set[str], bool]:
    """(the roles the policy requires two-factor of, whether the person has it set up), read in
    one statement and kept on the user object for the request. The API's token lookup reads both
    in its own statement (tokens.py) and leaves them there."""
    cached = getattr(user, "_vanthu_two_factor", None)
    if cached is None:
        row = (User.objects.filter(pk=user.pk)
               .values_list(Subquery(SecurityPolicy.objects.filter(id=1).values("two_factor_roles")),
                            Exists(TwoFactor.objects.filter(user=OuterRef("pk"), confirmed_at__isnull=False)))
               .first())
        value, enrolled = row if row is not None else (None, False)
        cached = (policy_roles(value), bool(enrolled))
        user._vanthu_two_factor = cached
    return cached


def two_factor_missing(user) -> bool:
    """Whether the person's roles as they are now (not as they were at sign-in) require two-factor
    that they have not set up: every request asks (pages: sent to set it up; API: 403)."""
    if not getattr(user, "is_authenticated", False):
        return False
    wanted, enrolled = two_factor_state(user)
    return bool(wanted) and not enrolled and bool(user_roles(user) & wanted)


def forget_two_factor_state(user) -> None:
    """Drop what the request read of the person's roles and two-factor (they were just changed)."""
    for attr in ("_vanthu_two_factor", "_vanthu_roles", "_vanthu_full_view", "_vanthu_administered"):
        user.__dict__.pop(attr, None)


def confirmed_device(user) -> TwoFactor | None:
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()


def has_two_factor(user) -> bool:
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def hash_recovery_code(code: str) -> str:
    normalized = "".join(ch for ch in code.lower() if ch.isalnum())
    return hmac.new(settings.SECRET_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()


def totp_for(device: TwoFactor) -> pyotp.TOTP:
    return pyotp.TOTP(device.secret, issuer=TOTP_ISSUER)


def matching_step(device: TwoFactor, code: str) -> int | None:
    """The 30-second step a six-digit code belongs to (now, or one step either side), if any."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = totp_for(device)
    now = timezone.now()
    for delta in (0, -1, 1):
        at = now + timedelta(seconds=30 * delta)
        if hmac.compare_digest(totp.at(at), code):
            return int(at.timestamp()) // 30
    return None


def find_recovery_code(user, code: str) -> RecoveryCode | None:
    if not code or len(code) > 64:
        return None
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True, code_hash=hash_recovery_code(code)).first()
