"""Redaction of resolved secrets (and their URL-encoded and base64 forms) from anything stored."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MASK = "***"


class Redactor:
    """Replaces every known secret form in strings, recursively through dicts and lists."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: list[str] = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact_text(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def redact(self, value: Any) -> Any:
        if not self._forms:
            return value
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, dict):
            return {self.redact(k): self.redact(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.redact(v) for v in value]
        return value
