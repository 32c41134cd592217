"""The webhook endpoint's own refusals, in the API's error classes (rendered as the error envelope)."""

from __future__ import annotations

from typing import Any

from backend.core.errors import ApplicationError


class InvalidSignature(ApplicationError):
    status = 401
    code = "invalid_signature"


class MethodNotAllowed(ApplicationError):
    status = 405
    code = "method_not_allowed"


class PayloadTooLarge(ApplicationError):
    status = 413
    code = "payload_too_large"


class RateLimited(ApplicationError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: int, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.retry_after_s = retry_after_s
