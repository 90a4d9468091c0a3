"""Logging of refused requests: one line each, never a traceback.

Django logs a 403 from `PermissionDenied` (`django.request`) and a refused Host header or any
other `SuspiciousOperation` (`django.security.*`) with the exception's whole traceback, although
nothing failed: the request was refused as it should be. An attacker probing the pages would fill
the log with tracebacks, and real server errors would drown in them. Server errors (5xx) keep
their traceback.
"""

from __future__ import annotations

import logging
import sys


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
