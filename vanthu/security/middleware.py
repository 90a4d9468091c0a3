"""Headers every response carries, and the sign-in policy every signed-in request follows."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.messages import warning
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# No inline script anywhere (templates load /static/vanthu/*.js only). Inline styles stay
# allowed: htmx adds its indicator style element, and a style cannot run code.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# The API docs page (Swagger UI) loads its script from a CDN; it keeps its own looser policy.
CSP_EXEMPT_PREFIXES = ("/api/v1/docs",)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and a Permissions-Policy on every page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                from .audit_hooks import permission_denied

                permission_denied(request, reason=getattr(response, "reason_phrase", ""))
        if not request.path.startswith(CSP_EXEMPT_PREFIXES):
            policy = CONTENT_SECURITY_POLICY
            if response.get("X-Frame-Options") == "SAMEORIGIN":  # a PDF the document page frames
                policy = policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
            response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


SESSION_SEEN = "_vanthu_seen"
# Paths a signed-in person who still has to set up two-factor may use.
ENROL_ALLOWED = ("/account/2fa/", "/logout/", "/static/", "/i18n/", "/healthz", "/api/")


class SignInPolicyMiddleware:
    """Ends sessions idle for too long, and sends people whose role requires two-factor but who
    have not set it up to the enrolment page before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            seen = request.session.get(SESSION_SEEN)
            idle = settings.VANTHU_SESSION_IDLE_MINUTES * 60
            if idle > 0 and seen is not None and now - int(seen) > idle:
                logout(request)
                warning(request, _("Phiên làm việc đã hết hạn vì lâu không thao tác. Hãy đăng nhập lại."))
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
            # Write the session at most once a minute: not every request pays a database write.
            if seen is None or now - int(seen) >= 60:
                request.session[SESSION_SEEN] = now
            if request.session.get("_vanthu_2fa_setup") and not request.path.startswith(ENROL_ALLOWED):
                return redirect("accounts:two_factor")
        return self.get_response(request)
