"""Logging of refused requests: one line each, never a traceback.

Django logs a 403 from `PermissionDenied` (`django.request`) and a refused Host header or any
other `SuspiciousOperation` (`django.security.*`) with the exception's whole traceback, although
nothing failed: the request was refused as it should be. An attacker probing the pages would fill
the log with tracebacks, and real server errors would drown in them. Server errors (5xx) keep
their traceback.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime


class RefusalsOnOneLine(logging.Filter):
    """Drops the traceback of a refused request's record (4xx, or a `django.security` record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.name.startswith("django.security") or (isinstance(status, int) and status < 500):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


class Console(logging.StreamHandler):
    """Writes each record to `sys.stderr` as it is at that moment.

    A plain StreamHandler keeps the stream it was built with: logging configured again while
    stderr is redirected (a command run under a test's capture, a daemon that swaps its streams)
    would leave it writing to a closed file, and the records would be lost."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass  # always the current stderr


# --- request ids and JSON lines ----------------------------------------------------------------

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("vanthu_request_id", default="")
# What a proxy may hand us as the request id (nginx's $request_id is 32 hex digits); anything else
# is replaced, so that a client cannot write into the log's structure.
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REQUEST_ID_HEADER = "X-Request-ID"


def current_request_id() -> str:
    """The id of the request this thread is answering ("" outside a request)."""
    return _request_id.get()


class RequestIdMiddleware:
    """Gives every request an id: the proxy's X-Request-ID when it looks like one, else a new one.

    The id is in every log record written while the request is answered (`request_id`), and in
    the response's X-Request-ID header, so that a person's report, the proxy's access log and the
    application's log lines can be matched."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        rid = offered if _ACCEPTED_ID.match(offered) else uuid.uuid4().hex
        request.request_id = rid
        token = _request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = _request_id.get()
        return True


# Attributes every LogRecord has; anything else a caller passed in `extra=` goes into the JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request id, the
    record's extra fields, and the traceback as one string (VANTHU_LOG_FORMAT=json)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", "") or _request_id.get()
        if rid:
            out["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value if isinstance(value, str | int | float | bool | type(None)) else repr(value)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False)
