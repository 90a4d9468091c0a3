"""Headers every response carries, and the sign-in policy every signed-in request follows."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.messages import warning
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .audit_hooks import permission_denied

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


class SecurityHeadersMiddleware:
    """Content-Security-Policy and a Permissions-Policy on every page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                permission_denied(request, reason=getattr(response, "reason_phrase", ""))
        policy = CONTENT_SECURITY_POLICY
        if response.get("X-Frame-Options") == "SAMEORIGIN":  # a PDF the document page frames
            policy = policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


API_PREFIX = "/api/"


def api_error(status: int, method: str = "") -> tuple[str, str]:
    """(code, message) of an error under /api/ that the API's own handlers did not write: Django
    or a middleware refused the request first (a method the path does not take, a path outside
    /api/v1/, a bad Host header, the server's own limits)."""
    known = {
        400: ("bad_request", _("Yêu cầu không hợp lệ.")),
        401: ("not_authenticated", _("Bạn cần đăng nhập (mã truy cập không hợp lệ hoặc đã hết hạn).")),
        403: ("forbidden", _("Bạn không có quyền thực hiện thao tác này.")),
        404: ("unknown_endpoint", _("Không có địa chỉ API này.")),
        405: ("method_not_allowed", _("Địa chỉ API này không nhận phương thức %(method)s.") % {"method": method or "?"}),
        408: ("request_timeout", _("Dữ liệu gửi lên quá chậm; kết nối đã bị đóng.")),
        413: ("request_too_large", _("Dữ liệu gửi lên quá lớn.")),
        414: ("uri_too_long", _("Địa chỉ yêu cầu quá dài.")),
        415: ("unsupported_media_type", _("Kiểu nội dung gửi lên không được hỗ trợ.")),
        429: ("rate_limited", _("Quá nhiều yêu cầu. Hãy đợi rồi thử lại.")),
        431: ("headers_too_large", _("Phần đầu yêu cầu (header) quá lớn.")),
    }
    if status in known:
        return known[status]
    if status >= 500:
        return "server_error", _("Lỗi hệ thống. Vui lòng thử lại sau hoặc báo quản trị.")
    return "http_error", _("Yêu cầu không được chấp nhận (HTTP %(status)s).") % {"status": status}


def api_error_body(status: int, method: str = "", details: dict | None = None) -> bytes:
    code, message = api_error(status, method)
    return json.dumps({"error": {"code": code, "message": message, "details": details or {}}}, ensure_ascii=False).encode()


class ApiErrorBodyMiddleware:
    """Every error under /api/ carries the API's JSON error object, whoever wrote it.

    The API's exception handlers (vanthu/api.py) answer what reaches the API; this, the outermost
    middleware, rewrites the body of any other error response under /api/ (Django's HTML 404 and
    400 pages, ninja's plain-text 405) in place, so the headers other middleware set stay."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code < 400 or not request.path_info.startswith(API_PREFIX)
                or getattr(response, "streaming", False)
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        details = {}
        if response.status_code == 405 and response.has_header("Allow"):
            details["allowed"] = sorted(m.strip() for m in response["Allow"].split(",") if m.strip())
        response.content = api_error_body(response.status_code, request.method or "", details)
        response["Content-Type"] = "application/json; charset=utf-8"
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response


SESSION_SEEN = "_vanthu_seen"
# Paths a signed-in person who still has to set up two-factor may use.
ENROL_ALLOWED = ("/account/2fa/", "/logout/", "/static/", "/i18n/", "/healthz", "/api/")
# Paths a person whose password an administrator set may use before choosing their own (the API
# refuses them a token: accounts.actions.authenticate_for_sign_in).
PASSWORD_ALLOWED = ("/account/password/", "/logout/", "/static/", "/i18n/", "/healthz")


def send_to(request: HttpRequest, name: str) -> HttpResponse:
    """A redirect; for an htmx request (the bell polling in the background) a whole-page one, so
    that the form is not swapped into a fragment of the page."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse(name)
        return response
    return redirect(name)


class SignInPolicyMiddleware:
    """Ends sessions idle for too long, and sends people whose password an administrator chose to
    choose their own before anything else (two-factor next: accounts.middleware)."""

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
            # A password an administrator chose comes first: choose one's own, then set up two-factor.
            if getattr(user, "must_change_password", False):
                if not request.path.startswith(PASSWORD_ALLOWED):
                    return send_to(request, "accounts:change_password")
            # Two-factor comes next, asked on every request: accounts.middleware.TwoFactorMiddleware.
        return self.get_response(request)
