"""The HTTP node's config schema (drives the inspector form) and its body precedence (the prototype's)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from workers.executors.base import NodeSettings
from workers.executors.http_checks import header_name_problem, header_value_problem, shown_name, url_problem

__all__ = [
    "JSON_TYPE",
    "TEXT_TYPE",
    "AuthRef",
    "HttpConfig",
    "RetriesField",
    "RetryBackoffField",
    "TimeoutField",
    "build_content",
    "url_problem",
]

JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain; charset=utf-8"


def _resolved(info: ValidationInfo) -> bool:
    """True when validating a config whose templates the engine has resolved (run time)."""
    return bool(isinstance(info.context, dict) and info.context.get("resolved"))


# The attempt settings the HTTP node shares with the kinds built on its transfer (Slack, Notion).
TimeoutField = Annotated[
    float,
    Field(
        gt=0,
        le=600,
        title="Timeout (seconds)",
        description="Deadline for one attempt: connecting, sending, redirects and reading the answer.",
    ),
]
RetriesField = Annotated[
    int,
    Field(
        ge=0,
        le=10,
        title="Retries",
        description="Extra attempts after a network error, 429 or 5xx, with exponential backoff.",
    ),
]
RetryBackoffField = Annotated[
    float,
    Field(
        ge=0,
        le=30,
        title="Retry backoff (seconds)",
        description="First wait between attempts; doubles each time, with jitter. Retry-After wins.",
    ),
]


class AuthRef(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Credential")
    credentialName: str = Field(  # noqa: N815 - the prototype's file format spells it this way
        min_length=1,
        max_length=100,
        title="Credential name",
        description="A stored credential, sent as `Authorization: Bearer <secret>`.",
    )


class HttpConfig(NodeSettings):
    model_config = ConfigDict(extra="forbid", title="HTTP Request")

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = Field(default="GET", title="Method")
    url: str = Field(
        min_length=1,
        max_length=8192,
        title="URL",
        description="Absolute http(s) URL; may use templates such as {{payload.id}}.",
    )
    headers: dict[str, str] = Field(
        default_factory=dict, title="Headers", description="Request headers; a Content-Type here wins."
    )
    body: str | None = Field(
        default=None,
        title="Body",
        description="Raw body. Text that parses as JSON is sent as JSON, anything else as plain text.",
    )
    json_body: dict[str, Any] | None = Field(
        default=None, title="JSON body", description="A JSON object to send when Body is empty."
    )
    auth: AuthRef | None = Field(default=None, title="Authentication")
    timeout_s: TimeoutField = 30.0
    retries: RetriesField = 2
    retry_backoff_s: RetryBackoffField = 0.5
    idempotency: Literal["auto", "on", "off"] = Field(
        default="auto",
        title="Idempotency-Key header",
        description="Send a key that stays the same across retries of this step: auto = POST only.",
    )
    follow_redirects: bool = Field(
        default=True,
        title="Follow redirects",
        description="Follow up to 5 redirects; credentials are dropped when the origin changes.",
    )

    @field_validator("auth", mode="before")
    @classmethod
    def _no_credential_means_no_auth(cls, value: Any) -> Any:
        # The prototype's inspector writes an empty name for "No authentication".
        if isinstance(value, dict) and set(value) == {"credentialName"} and value["credentialName"] in ("", None):
            return None
        return value

    @field_validator("url")
    @classmethod
    def _absolute_url(cls, value: str, info: ValidationInfo) -> str:
        problem = url_problem(value, resolved=_resolved(info))
        if problem:
            raise PydanticCustomError("value_error", f"URL {problem}")
        return value.strip()

    @field_validator("headers")
    @classmethod
    def _sendable_headers(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        resolved = _resolved(info)
        clean: dict[str, str] = {}
        for name, header_value in value.items():
            problem = header_name_problem(name)
            if problem:
                raise PydanticCustomError("value_error", problem)
            # Whitespace around a value is not part of it (RFC 9110), and the HTTP client refuses it.
            header_value = header_value.strip(" \t")
            problem = header_value_problem(header_value, resolved=resolved)
            if problem:
                raise PydanticCustomError("value_error", f"header {shown_name(name)}: the value {problem}")
            clean[name] = header_value
        return clean

    def wants_idempotency_key(self) -> bool:
        return self.idempotency == "on" or (self.idempotency == "auto" and self.method == "POST")


def build_content(config: HttpConfig) -> tuple[bytes | None, str | None]:
    """(request body, default Content-Type) as the prototype did: body (JSON or text), else json_body."""
    if config.body is not None and config.body.strip():
        try:
            json.loads(config.body)
        except ValueError:
            return config.body.encode(), TEXT_TYPE
        # Sent as written, not re-serialised: the user's formatting and key order are kept.
        return config.body.encode(), JSON_TYPE
    if config.json_body is not None:
        return json.dumps(config.json_body, ensure_ascii=False).encode(), JSON_TYPE
    return None, None
