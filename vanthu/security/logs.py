"""Logging of refused requests: one line each, never a traceback.

Django logs a 403 from `PermissionDenied` (`django.request`) and a refused Host header or any
other `SuspiciousOperation` (`django.security.*`) with the exception's whole traceback, although
nothing failed: the request was refused as it should be. An attacker probing the pages would fill
the log with tracebacks, and real server errors would drown in them. Server errors (5xx) keep
their traceback.
"""

from __future__ import annotations

import logging


class RefusalsOnOneLine(logging.Filter):
    """Drops the traceback of a refused request's record (4xx, or a `django.security` record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.name.startswith("django.security") or (isinstance(status, int) and status < 500):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
