"""Single sign-on with the organisation's directory over OpenID Connect (mozilla-django-oidc).

Off unless VANTHU_OIDC_ISSUER and VANTHU_OIDC_CLIENT_ID are set. Then the sign-in page offers
"Đăng nhập bằng tài khoản dùng chung" besides the password form, which stays: local accounts,
their two-factor and their lockout work as before.

- The provider's endpoints and keys come from its discovery document
  (`<issuer>/.well-known/openid-configuration`), fetched when first needed and kept for an hour:
  a provider that is down never stops a password sign-in or a server start.
- The authorization code flow with PKCE, a nonce and the state in the (database) session, so
  that the callback may reach any server behind the proxy.
- A person is found by the (issuer, subject) pair of the ID token (SsoIdentity), never by e-mail
  or name; on the first sign-in an account is made (provisioned) with the directory's name and
  e-mail, and no organisation or role: an administrator gives those, as for any new account.
- After the directory, VanThu's own rules still apply: a deactivated or locked account is
  refused, and a person with two-factor sign-in is asked for the code.
"""

from __future__ import annotations

import logging
import re
import threading
import time

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from vanthu.audit.chain import record

from .models import SsoIdentity

log = logging.getLogger(__name__)
DISCOVERY_SECONDS = 3600
METHOD = "oidc"


def enabled() -> bool:
    return bool(settings.VANTHU_OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


_discovered: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


def discovery() -> dict:
    """The provider's discovery document (cached per process for DISCOVERY_SECONDS)."""
    issuer = settings.VANTHU_OIDC_ISSUER
    with _lock:
        hit = _discovered.get(issuer)
        if hit and time.monotonic() - hit[0] < DISCOVERY_SECONDS:
            return hit[1]
    r = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
    r.raise_for_status()
    doc = r.json()
    if doc.get("issuer", "").rstrip("/") != issuer:
        raise SuspiciousOperation(f"the provider names itself {doc.get('issuer')!r}, not {issuer!r}")
    with _lock:
        _discovered[issuer] = (time.monotonic(), doc)
    return doc


class SsoBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, with the endpoints from discovery and VanThu's accounts."""

    def __init__(self, *args, **kwargs) -> None:
        # Not the parent's __init__: it would need the endpoints now (see the module docstring).
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:  # noqa: N802 - the parent's name
        return discovery()["token_endpoint"]

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:  # noqa: N802
        return discovery()["userinfo_endpoint"]

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:  # noqa: N802
        return discovery()["jwks_uri"]

    def authenticate(self, request, **kwargs):
        # Only the callback's request: a password sign-in whose address happens to carry
        # ?code=&state= must not start a token exchange.
        if not enabled() or request is None or request.path != reverse("accounts:sso_callback"):
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims: dict) -> bool:
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims: dict):
        return self.UserModel.objects.filter(
            sso_identities__issuer=settings.VANTHU_OIDC_ISSUER, sso_identities__subject=str(claims["sub"]))

    def get_or_create_user(self, access_token, id_token, payload):
        # The subject of the signed ID token is who signed in; userinfo must agree (OIDC Core 5.3.2).
        user_info = self.get_userinfo(access_token, id_token, payload)
        if str(user_info.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("userinfo is about someone else than the ID token")
        return super().get_or_create_user(access_token, id_token, payload)

    def create_user(self, claims: dict):
        return provision_user(issuer=settings.VANTHU_OIDC_ISSUER, claims=claims)

    def update_user(self, user, claims: dict):
        return refresh_user(user, issuer=settings.VANTHU_OIDC_ISSUER, claims=claims)


_USERNAME_JUNK = re.compile(r"[^\w.@+-]+")


def _free_username(claims: dict) -> str:
    """The directory's login name when it is free here; otherwise that name with a number."""
    User = get_user_model()
    wanted = claims.get("preferred_username") or (claims.get("email") or "").split("@")[0] or f"sso-{claims['sub']}"
    base = _USERNAME_JUNK.sub("", str(wanted))[:140] or "sso"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}.{n}"
    return name


@transaction.atomic
def provision_user(*, issuer: str, claims: dict):
    """First sign-in through the directory: a new account, linked to (issuer, subject), audited."""
    User = get_user_model()
    for _attempt in range(3):  # two first sign-ins of one name at once: the loser takes the next name
        try:
            with transaction.atomic():
                user = User(username=_free_username(claims), full_name=str(claims.get("name") or "")[:150],
                            email=str(claims.get("email") or "")[:254])
                user.set_unusable_password()  # signs in through the directory only
                user.save()
                break
        except IntegrityError:
            continue
    else:
        raise SuspiciousOperation("could not choose a user name")
    SsoIdentity.objects.create(user=user, issuer=issuer, subject=str(claims["sub"]), last_seen_at=timezone.now())
    record("sso_user_provisioned", actor=None, obj=user, data={"issuer": issuer, "subject": str(claims["sub"]),
                                                               "username": user.username})
    return user


@transaction.atomic
def refresh_user(user, *, issuer: str, claims: dict):
    """A later sign-in: the directory's name and e-mail win (the directory is their source)."""
    changed = []
    for field, claim, limit in (("full_name", "name", 150), ("email", "email", 254)):
        value = str(claims.get(claim) or "")[:limit]
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
    SsoIdentity.objects.filter(user=user, issuer=issuer, subject=str(claims["sub"])).update(last_seen_at=timezone.now())
    return user


class SsoStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (state, nonce and PKCE verifier kept in the session)."""

    def __init__(self, *args, **kwargs) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_OP_AUTH_ENDPOINT(self) -> str:  # noqa: N802 - the parent's name
        return discovery()["authorization_endpoint"]

    def get(self, request):
        if not enabled():
            return HttpResponse(status=404)
        try:
            return super().get(request)
        except (requests.RequestException, ValueError, KeyError, SuspiciousOperation) as exc:
            log.warning("single sign-on: the provider cannot be reached: %s", exc)
            messages.error(request, _("Không kết nối được với hệ thống đăng nhập dùng chung. Hãy thử lại sau, "
                                      "hoặc đăng nhập bằng mật khẩu."))
            return redirect("web:login")


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here; then VanThu's own sign-in rules, as for a password."""

    def get(self, request):
        if not enabled():
            return HttpResponse(status=404)
        try:
            return super().get(request)
        except (requests.RequestException, ValueError, KeyError) as exc:
            log.warning("single sign-on: the exchange with the provider failed: %s", exc)
            return self.login_failure()

    def login_failure(self):
        messages.error(self.request, _("Đăng nhập qua hệ thống dùng chung không thành công. Hãy thử lại, "
                                       "hoặc đăng nhập bằng mật khẩu."))
        return redirect("web:login")

    def login_success(self):
        # A function-local import: views.py imports this module for the sign-in page's button.
        from .views import begin_sign_in

        return begin_sign_in(self.request, self.user, method=METHOD, next_url=self.success_url)
