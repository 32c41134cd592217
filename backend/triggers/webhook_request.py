"""What a webhook request becomes: the run payload (by content type) and the run's trigger data."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from rest_framework.exceptions import ParseError

from backend.api.parsers import StrictJSONParser
from backend.core.errors import ValidationFailed
from backend.core.timefmt import iso_ms

# Never copied into a run: they carry credentials of the sender or of this hook.
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "x-hub-signature",
        "x-hub-signature-256",
        "stripe-signature",
        "x-signature",
        "x-csrftoken",
        "x-auth-token",
        "x-access-token",
        "x-gitlab-token",  # GitLab sends the hook's secret itself
        "x-slack-signature",
        "x-shopify-hmac-sha256",
    }
)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def is_json(content_type: str) -> bool:
    kind = media_type(content_type)
    return kind == "application/json" or kind.endswith("+json")


def clean_text(value: str) -> str:
    """Text PostgreSQL can store: NUL and lone surrogates become U+FFFD."""
    return "".join("\ufffd" if ch == "\x00" or "\ud800" <= ch <= "\udfff" else ch for ch in value)


def json_payload(body: bytes) -> dict[str, Any]:
    """A JSON object as it is; any other JSON value as {"body": value}; malformed JSON is a 400."""
    try:
        data = StrictJSONParser().parse(io.BytesIO(body))
    except ParseError as exc:
        raise ValidationFailed(str(exc.detail), code="parse_error", details={"body": [str(exc.detail)]}) from exc
    return data if isinstance(data, dict) else {"body": data}


def form_payload(fields: Mapping[str, list[str]]) -> dict[str, Any]:
    """One value per field as a string; a repeated field as a list of strings."""
    out: dict[str, Any] = {}
    for name, values in fields.items():
        cleaned = [clean_text(v) for v in values]
        out[clean_text(name)] = cleaned[0] if len(cleaned) == 1 else cleaned
    return out


def text_payload(body: bytes) -> dict[str, Any]:
    """Any other body, as UTF-8 text (undecodable bytes replaced) under `body`; none is {}."""
    return {"body": clean_text(body.decode("utf-8", "replace"))} if body else {}


def trigger_headers(headers: Mapping[str, str], *, also_hide: str = "") -> dict[str, str]:
    hidden = SENSITIVE_HEADERS | ({also_hide.lower()} if also_hide else set())
    return {name.lower(): clean_text(value) for name, value in headers.items() if name.lower() not in hidden}


def trigger_data(
    *, method: str, headers: Mapping[str, str], query: Mapping[str, list[str]], content_type: str,
    received_at: datetime, also_hide: str = "",
) -> dict[str, Any]:  # fmt: skip
    return {
        "method": method,
        "headers": trigger_headers(headers, also_hide=also_hide),
        "query": form_payload(query),
        "contentType": media_type(content_type),
        "receivedAt": iso_ms(received_at),
    }
