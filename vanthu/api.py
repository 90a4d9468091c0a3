"""The one NinjaAPI at /api/v1/. Each app contributes a Router; errors all take one shape."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from vanthu.accounts.tokens import user_for_token
from vanthu.errors import VanThuError

log = logging.getLogger(__name__)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)  # one statement: live token, active owner, roles
        if user is None:
            return None
        request.user = user
        return user


class SessionCookie(APIKeyCookie):
    """The pages' session also works for the API (with CSRF), so htmx can call it."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api = NinjaAPI(
    title="VanThu API",
    version="1",
    description="Đăng ký, trao đổi và xử lý văn bản điện tử của các tổ chức đảng.",
    auth=[BearerToken(), SessionCookie()],
    urls_namespace="api",
)


def error_response(request: HttpRequest, status: int, code: str, message: str, details: dict | None = None) -> HttpResponse:
    return api.create_response(request, {"error": {"code": code, "message": message, "details": details or {}}}, status=status)


@api.exception_handler(VanThuError)
def _vanthu_error(request, exc: VanThuError):
    return error_response(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", [])[1:]) or None, "type": e.get("type"), "message": e.get("msg")}
        for e in exc.errors
    ]
    missing = [e["field"] for e in errors if e["type"] == "missing"]
    message = _("Thiếu thông tin bắt buộc: %(fields)s.") % {"fields": ", ".join(missing)} if missing else _("Dữ liệu gửi lên không hợp lệ.")
    return error_response(request, 422, "validation_error", message, {"errors": errors})


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return error_response(request, 401, "not_authenticated", _("Bạn cần đăng nhập (mã truy cập không hợp lệ hoặc đã hết hạn)."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400 and "parse request body" in str(exc):
        return error_response(request, 400, "malformed_body", _("Nội dung yêu cầu không đúng định dạng JSON."))
    return error_response(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return error_response(request, 413, "request_too_large", _("Dữ liệu gửi lên quá lớn."))


@api.exception_handler(TooManyFilesSent)
def _too_many_files(request, exc):
    return error_response(request, 413, "too_many_files", _("Gửi quá nhiều tệp trong một yêu cầu (tối đa %(n)s).") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FILES})


@api.exception_handler(TooManyFieldsSent)
def _too_many_fields(request, exc):
    return error_response(request, 400, "too_many_fields", _("Gửi quá nhiều trường dữ liệu trong một yêu cầu (tối đa %(n)s).") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request, exc):
    return error_response(request, 400, "malformed_body", _("Nội dung yêu cầu (multipart) không đúng định dạng."))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    # Django's own refusals of a malformed request: a bad request, never a server error.
    return error_response(request, 400, "bad_request", _("Yêu cầu không hợp lệ."))


@api.exception_handler(DataError)
def _data_error(request, exc: DataError):
    # The database refused a value the schemas let through (a NUL byte, a number out of range):
    # bad input, not a server fault. Actions run in transactions, so nothing was half-written.
    return error_response(request, 422, "invalid_value", _("Dữ liệu gửi lên chứa giá trị không hợp lệ."))


@api.exception_handler(OverflowError)
def _overflow(request, exc: OverflowError):
    # SQLite cannot bind integers past 64 bits; such an id names nothing.
    return error_response(request, 422, "invalid_value", _("Dữ liệu gửi lên chứa số quá lớn."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, "not_found", _("Không tìm thấy."))


@api.exception_handler(Exception)
def _server_error(request, exc):
    log.exception("API error on %s", request.path)
    return error_response(request, 500, "server_error", _("Lỗi hệ thống. Vui lòng thử lại sau hoặc báo quản trị."))


def _register_routers() -> None:
    from vanthu.accounts.api import router as accounts_router
    from vanthu.calendar.api import router as calendar_router  # (as the others)
    from vanthu.documents.api import router as documents_router
    from vanthu.exchange.api import router as exchange_router
    from vanthu.notifications.api import router as notifications_router  # (as above)
    from vanthu.organizations.api import router as organizations_router
    from vanthu.signatures.api import router as signatures_router
    from vanthu.workflow.api import router as workflow_router

    api.add_router("", accounts_router)
    api.add_router("", calendar_router)
    api.add_router("", notifications_router)
    api.add_router("", exchange_router)
    api.add_router("", organizations_router)
    api.add_router("", documents_router)
    api.add_router("", workflow_router)
    from vanthu.search.api import router as search_router

    api.add_router("", search_router)
    api.add_router("", signatures_router)
    from vanthu.reports.api import router as reports_router

    api.add_router("", reports_router)


_register_routers()


def _register_fallback() -> None:
    """Last of all: any other path under /api/v1/ gets the error object, not an HTML page."""
    from ninja import Router

    fallback = Router()

    @fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False)
    def unknown_path(request, rest: str):
        return error_response(request, 404, "unknown_endpoint", _("Không có địa chỉ API này."), {"path": request.path})

    api.add_router("", fallback)


_register_fallback()
