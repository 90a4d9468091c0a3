"""People and their API tokens."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    # Bumped by "sign out everywhere": part of the session hash, so every session ends.
    auth_generation = models.PositiveIntegerField(default=0, editable=False)
    # Set when someone other than the person chose the password (an administrator adding them or
    # resetting it): until they choose their own, every page sends them to the password form.
    must_change_password = models.BooleanField(_("phải đổi mật khẩu khi đăng nhập"), default=False, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    def get_session_auth_hash(self) -> str:
        """Django's hash of the password, salted with the generation (see auth_generation).

        API tokens keep the hash they were issued under (ApiToken.auth_hash): a new password, by
        whatever path it is set, ends every session and every token at once."""
        return salted_hmac(
            f"vanthu.session.{self.auth_generation}", self.password, algorithm="sha256",
        ).hexdigest()

    @property
    def display_name(self) -> str:
        return self.get_full_name()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, so a leaked database yields no usable token."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The owner's session auth hash when the token was issued; once the password or the sign-out
    # generation changes, the two differ and the token is dead (checked in tokens.py).
    auth_hash = models.CharField(max_length=64, default="", editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")


class TwoFactor(models.Model):
    """A person's TOTP secret. `confirmed_at` is set once they have typed one right code:
    until then the secret is only a proposal shown on the enrolment page."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last 30-second step accepted: a code seen once is never accepted again (replay).
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("xác thực hai lớp")
        verbose_name_plural = _("xác thực hai lớp")


class RecoveryCode(models.Model):
    """A one-time code for when the phone is lost; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)


class SignInFailure(models.Model):
    """One failed sign-in (wrong password or wrong code), by name and by address.

    Lockout counts these within a window; an administrator's unlock marks them cleared."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=32)
    cleared = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("lần đăng nhập sai")
        verbose_name_plural = _("lần đăng nhập sai")


class SecurityPolicy(models.Model):
    """The installation's sign-in policy, chosen by an administrator (one row).

    Without a row, the defaults come from settings (VANTHU_2FA_REQUIRED_ROLES)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    two_factor_roles = models.CharField(
        _("vai trò bắt buộc xác thực hai lớp"), max_length=200, blank=True,
        help_text=_("Cách nhau bởi dấu phẩy: admin, leader, clerk, specialist…"),
    )

    class Meta:
        verbose_name = _("chính sách đăng nhập")
        verbose_name_plural = _("chính sách đăng nhập")

    def roles(self) -> set[str]:
        return {r.strip() for r in self.two_factor_roles.split(",") if r.strip()}


class SsoIdentity(models.Model):
    """A person's account at the organisation's directory (OpenID Connect): the provider's
    issuer and its stable subject id. Signing in through the directory finds the person by
    this pair, never by e-mail or name, which the directory may give to someone else later."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tài khoản đăng nhập một lần")
        verbose_name_plural = _("tài khoản đăng nhập một lần")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_once")]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"
