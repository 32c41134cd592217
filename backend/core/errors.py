"""Application errors: services raise these, the API's exception handler renders them."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """An error a client can act on; `code` is stable, `message` is for humans."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details if details is not None else {}


class ValidationFailed(ApplicationError):
    status = 400
    code = "validation_error"


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class Conflict(ApplicationError):
    status = 409
    code = "conflict"


class Unprocessable(ApplicationError):
    status = 422
    code = "unprocessable"


class Locked(ApplicationError):
    status = 423
    code = "locked"
