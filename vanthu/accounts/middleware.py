"""Two-factor where the roles require it, asked on every request rather than only at sign-in: a
person given a role mid-session that requires it (a page of the administration, the admin site,
directory sync, a change of the policy) is sent to set it up before anything else. The API says
the same with a 403 (`vanthu.api`: `two_factor_setup_required`)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from vanthu.security.middleware import ENROL_ALLOWED, send_to

from .security import two_factor_missing


class TwoFactorMiddleware:
    """After `SignInPolicyMiddleware` (idle sessions, an administrator's password come first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not getattr(user, "must_change_password", False)
                and not request.path.startswith(ENROL_ALLOWED) and two_factor_missing(user)):
            return send_to(request, "accounts:two_factor")
        return self.get_response(request)
