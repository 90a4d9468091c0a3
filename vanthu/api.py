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

from vanthu.accounts.api import router as accounts_router
from vanthu.accounts.security import two_factor_missing
from vanthu.accounts.tokens import user_for_token
from vanthu.archive.api import router as archive_router
from vanthu.calendar.api import router as calendar_router
from vanthu.direction.api import router as direction_router
from vanthu.direction.schedule_api import router as schedule_router
from vanthu.documents.api import router as documents_router
from vanthu.errors import VanThuError
from vanthu.exchange.api import router as exchange_router
from vanthu.membership.api import router as membership_router
from vanthu.migration.api import router as migration_router
from vanthu.notifications.api import router as notifications_router
from vanthu.organizations.api import router as organizations_router
from vanthu.programme.api import router as programme_router
from vanthu.reports.api import router as reports_router
from vanthu.search.api import router as search_router
from vanthu.security.middleware import api_error
from vanthu.signatures.api import router as signatures_router
from vanthu.text import INVALID_CHARACTERS, TEXT_TOO_LONG
from vanthu.workflow.api import router as workflow_router

log = logging.getLogger(__name__)
TEXT_ERRORS = (INVALID_CHARACTERS, TEXT_TOO_LONG)
JSON_TYPES = ("application/json", "text/json")


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)  # one statement: live token, active owner, roles, two-factor
        if user is None:
            return None
        _refuse_without_two_factor(user)
        request.user = user
        return user


class SessionCookie(APIKeyCookie):
    """The pages' session also works for the API (with CSRF), so htmx can call it."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _refuse_without_two_factor(user)
            return user
        return None


def _refuse_without_two_factor(user) -> None:
    """A person whose roles now require two-factor that they have not set up (a role given after
    the token was issued) is refused until they set it up on the web page (accounts.middleware)."""
    if two_factor_missing(user):
        raise VanThuError(_("Vai trò của bạn bắt buộc xác thực hai lớp. Hãy đăng nhập trên trang web để cài đặt trước."),
                          code="two_factor_setup_required", status=403)


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


def _field_of(loc) -> str | None:
    """The field as the client named it: a JSON body's fields without the handler's parameter name
    (`("body", "payload", "reason")` is `reason`), a form's or a query's as they are."""
    parts = [str(p) for p in loc or ()]
    parts = parts[2:] if len(parts) > 2 and parts[0] == "body" else parts[1:]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = []
    for e in exc.errors:
        item = {"field": _field_of(e.get("loc")), "type": e.get("type"), "message": e.get("msg")}
        if e.get("type") in TEXT_ERRORS:
            item.update(e.get("ctx") or {})  # max_length and length, or position and character
        errors.append(item)
    missing = [e["field"] for e in errors if e["type"] == "missing"]
    if missing:
        message = _("Thiếu thông tin bắt buộc: %(fields)s.") % {"fields": ", ".join(missing)}
    else:
        # The text rule's errors are in Vietnamese: said with their field; others by field only.
        said = [f"{e['field']}: {e['message']}" for e in errors if e["type"] in TEXT_ERRORS]
        named = [e["field"] for e in errors if e["type"] not in TEXT_ERRORS and e["field"]]
        message = " ".join([_("Dữ liệu gửi lên không hợp lệ."), *said,
                            *([_("Kiểm tra: %(fields)s.") % {"fields": ", ".join(named)}] if named else [])])
    return error_response(request, 422, "validation_error", message, {"errors": errors})


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return error_response(request, 401, "not_authenticated", _("Bạn cần đăng nhập (mã truy cập không hợp lệ hoặc đã hết hạn)."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400 and "parse request body" in str(exc):
        if request.content_type and request.content_type not in JSON_TYPES and not request.content_type.endswith("+json"):
            # A body in a type this endpoint does not read (XML, text): not a broken JSON body.
            return error_response(request, 415, "unsupported_media_type", _(
                "Kiểu nội dung “%(type)s” không được hỗ trợ: hãy gửi JSON (application/json).") % {"type": request.content_type},
                {"content_type": request.content_type})
        return error_response(request, 400, "malformed_body", _("Nội dung yêu cầu không đúng định dạng JSON."))
    if exc.status_code == 403 and "CSRF" in str(exc):
        # A page's session used without the page's CSRF token (a bearer token needs none).
        return error_response(request, 403, "csrf_failed", _(
            "Thiếu hoặc sai mã chống giả mạo (CSRF). Hãy tải lại trang, hoặc dùng mã truy cập (Bearer)."))
    code, message = api_error(exc.status_code, request.method or "")
    return error_response(request, exc.status_code, code, message, {"reason": str(exc)})


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


for _router in (accounts_router, calendar_router, notifications_router, exchange_router, organizations_router,
                documents_router, workflow_router, search_router, signatures_router, reports_router, direction_router,
                membership_router, programme_router, migration_router, archive_router, schedule_router):
    api.add_router("", _router)


def _register_fallback() -> None:
    """Last of all: any other path under /api/v1/ gets the error object, not an HTML page."""
    from ninja import Router

    fallback = Router()

    @fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False)
    def unknown_path(request, rest: str):
        return error_response(request, 404, "unknown_endpoint", _("Không có địa chỉ API này."), {"path": request.path})

    api.add_router("", fallback)


_register_fallback()
