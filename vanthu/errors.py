"""Errors that actions raise and that pages and the API turn into a clear answer.

Each carries an HTTP status, a snake_case code and a message a clerk understands (Vietnamese,
translatable). The API renders `{"error": {"code", "message", "details"}}`; pages show the message.
"""

from __future__ import annotations

from typing import Any


class VanThuError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None,
                 status: int | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details or {}


class BadInput(VanThuError):
    status = 400
    code = "bad_input"


class Unprocessable(VanThuError):
    status = 422
    code = "invalid"


class NotAllowed(VanThuError):
    """The person is known to see the object but their role may not do this."""

    status = 403
    code = "forbidden"


class NotFound(VanThuError):
    """Also what a person who may not see an object gets: not found and not allowed look alike."""

    status = 404
    code = "not_found"


class InvalidState(VanThuError):
    status = 409
    code = "invalid_state"


class TooLarge(VanThuError):
    status = 413
    code = "file_too_large"


class UnsupportedFile(VanThuError):
    status = 415
    code = "unsupported_file_type"


class Classified(VanThuError):
    """Classified documents never enter VanThu (ARCHITECTURE invariant 5)."""

    status = 422
    code = "classified_document"
