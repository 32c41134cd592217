"""The Notion create-page node (kind `notion_page`): a database row from typed fields, sent by the HTTP node's code.

The token comes from `auth.credentialName` (a bearer_token credential) the way the HTTP node's does;
the property values are converted here to Notion's property format, so a bad value fails the step
naming the node and the field before anything is sent.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from workers.executors.base import NodeContext, NodeFailure, NodeResult, NodeSettings, NodeSpec
from workers.executors.http_config import (
    JSON_TYPE,
    AuthRef,
    HttpConfig,
    RetriesField,
    RetryBackoffField,
    TimeoutField,
    url_problem,
)
from workers.executors.http_request import Call, body_excerpt, check_auth_headers, first_error, named, send
from workers.executors.http_transfer import Exchange
from workers.templates import has_placeholder

__all__ = ["NOTION_VERSION", "NotionPageConfig", "NotionPageExecutor", "NotionProperty", "property_value"]

NOTION_API = "https://api.notion.com"
NOTION_VERSION = "2022-06-28"
TEXT_CHUNK = 2000  # Notion's limit for one rich text object's content
PropertyType = Literal["select", "multi_select", "date", "number", "checkbox", "url", "rich_text"]
_DASHED_ID = re.compile(r"([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})")
_TRUE = frozenset({"true", "yes", "on", "1", "checked"})
_FALSE = frozenset({"false", "no", "off", "0", "unchecked", ""})

# Notion's error codes (https://developers.notion.com/reference/status-codes) and what to do about them.
NOTION_HINTS = {
    "unauthorized": "check the token in the credential",
    "restricted_resource": "the integration lacks the capability: check its settings in Notion",
    "object_not_found": "is the database shared with the integration (··· → Connections)?",
    "rate_limited": "Notion is rate-limiting this integration",
    "conflict_error": "a concurrent change; running the step again should work",
}


class NotionProperty(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Property")

    name: str = Field(min_length=1, max_length=200, title="Property name", description="As named in the database.")
    type: PropertyType = Field(default="rich_text", title="Type", description="The property's type in Notion.")
    value: Any = Field(
        default=None,
        title="Value",
        description="Text, a number or true/false; templates allowed. multi_select: a list or comma-separated "
        "text; date: ISO 8601 (2026-12-24 or 2026-12-24T09:00:00+01:00); empty clears the property.",
    )


class NotionPageConfig(NodeSettings):
    model_config = ConfigDict(extra="forbid", title="Notion: create page")

    auth: AuthRef = Field(title="Notion token", description="A bearer_token credential: the integration's secret.")
    database_id: str = Field(
        min_length=1,
        max_length=500,
        title="Database ID",
        description="The database's id (or its URL); may use templates such as {{vars.notionDatabaseId}}.",
    )
    title: str = Field(min_length=1, max_length=20000, title="Title", description="The page title; templates allowed.")
    title_property: str = Field(
        default="Name", min_length=1, max_length=200, title="Title property", description="The database's title column."
    )
    properties: list[NotionProperty] = Field(
        default_factory=list, max_length=100, title="Properties", description="Other columns to set."
    )
    api_base: str = Field(
        default=NOTION_API,
        max_length=500,
        title="API base URL",
        description="Where the Notion API is; change it only for a proxy or a test stand-in.",
    )
    timeout_s: TimeoutField = 30.0
    retries: RetriesField = 2
    retry_backoff_s: RetryBackoffField = 0.5

    @field_validator("title", "database_id", mode="before")
    @classmethod
    def _text_from_a_value(cls, value: Any) -> Any:
        # A field that is one placeholder keeps its value's type (a number): it is text here.
        return json.dumps(value) if isinstance(value, bool | int | float) else value

    @field_validator("api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        problem = url_problem(value, resolved=True)
        if problem:
            raise PydanticCustomError("value_error", f"URL {problem}")
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _literal_values_convert(self, info: ValidationInfo) -> NotionPageConfig:
        resolved = bool(isinstance(info.context, dict) and info.context.get("resolved"))
        names = {self.title_property}
        for index, prop in enumerate(self.properties):
            if prop.name in names:
                raise PydanticCustomError(
                    "value_error", f"properties[{index}].name: {prop.name!r} is set twice (or is the title property)"
                )
            names.add(prop.name)
            if resolved or not has_placeholder(json.dumps(prop.value)):
                try:
                    property_value(prop.type, prop.value)
                except ValueError as exc:
                    raise PydanticCustomError("value_error", f"properties[{index}].value: {exc}") from None
        return self


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:60] + "…"


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def rich_text(value: Any) -> list[dict[str, Any]]:
    content = _text(value)
    return [{"text": {"content": content[i : i + TEXT_CHUNK]}} for i in range(0, len(content), TEXT_CHUNK)]


def _option(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{_shown(value)} is not an option name")
    name = _text(value).strip()
    if "," in name:
        raise ValueError(f"{_shown(value)}: an option name cannot hold a comma")
    if len(name) > 100:
        raise ValueError(f"{_shown(value)} is longer than Notion's 100 characters for an option")
    return name


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float | None):
        raise ValueError(f"{_shown(value)} is not a number")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            number: int | float = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise ValueError(f"{_shown(value)} is not a number") from None
    else:
        number = value
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError(f"{_shown(value)} is not a finite number")
    return number


def _checkbox(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"{_shown(value)} is not true or false")


def _date(value: Any) -> dict[str, str] | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{_shown(value)} is not an ISO 8601 date")
    text = value.strip()
    try:
        if len(text) == 10:
            date.fromisoformat(text)
        else:
            datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{_shown(value)} is not an ISO 8601 date (2026-12-24 or 2026-12-24T09:00:00Z)") from None
    return {"start": text}


def property_value(kind: str, value: Any) -> dict[str, Any]:
    """The property in Notion's format; ValueError (naming the value, not the field) when it does not fit."""
    if kind == "select":
        name = None if value is None or value == "" else _option(value)
        return {"select": {"name": name} if name else None}
    if kind == "multi_select":
        if value is None:
            items: list[Any] = []
        elif isinstance(value, list):
            items = value
        elif isinstance(value, str):
            items = value.split(",")
        else:
            items = [value]
        names = [_option(item) for item in items if not (isinstance(item, str) and not item.strip())]
        return {"multi_select": [{"name": name} for name in dict.fromkeys(names)]}
    if kind == "date":
        return {"date": _date(value)}
    if kind == "number":
        return {"number": _number(value)}
    if kind == "checkbox":
        return {"checkbox": _checkbox(value)}
    if kind == "url":
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{_shown(value)} is not a URL")
        url = (value or "").strip()
        if len(url) > 2000:
            raise ValueError("the URL is longer than Notion's 2000 characters")
        return {"url": url or None}
    if kind == "rich_text":
        return {"rich_text": rich_text(value)}
    raise ValueError(f"unknown property type {kind!r}")


def database_id(value: str) -> str:
    """The id from a pasted id or database URL, dashed; anything else as written (Notion will say)."""
    found = _DASHED_ID.findall(value)
    return "-".join(found[-1]).lower() if found else value.strip()


class NotionPageExecutor:
    spec: ClassVar[NodeSpec] = NodeSpec(
        kind="notion_page",
        label="Notion: create page",
        description="Add a page to a Notion database: a title and typed properties.",
        color="#37352f",
        config_model=NotionPageConfig,
    )

    def run(self, ctx: NodeContext) -> NodeResult:
        node = f'node "{ctx.label or ctx.node_id}"'
        try:
            config = NotionPageConfig.model_validate(ctx.config, context={"resolved": True})
        except ValidationError as exc:
            # A whole-config problem (a property value) already names its field.
            problem = first_error(exc).removeprefix("config: ")
            raise NodeFailure(ctx.redact(f"{node}: invalid Notion config: {problem}")) from None
        if not ctx.auth_headers:
            raise NodeFailure(f"{node}: auth.credentialName: no Notion token (a bearer_token credential)")
        check_auth_headers(ctx, node)
        page = {
            "parent": {"database_id": database_id(config.database_id)},
            "properties": {
                config.title_property: {"title": rich_text(config.title)},
                **{prop.name: property_value(prop.type, prop.value) for prop in config.properties},
            },
        }
        headers = httpx.Headers({"Notion-Version": NOTION_VERSION, "Content-Type": JSON_TYPE})
        for name, value in ctx.auth_headers.items():
            headers[name] = value
        request = HttpConfig.model_construct(
            method="POST",
            url=f"{config.api_base}/v1/pages",
            retries=config.retries,
            retry_backoff_s=config.retry_backoff_s,
            idempotency="off",  # Notion has no idempotency keys: a create is re-sent only on 429/503
            follow_redirects=False,
        )
        call = Call(
            config=request,
            shown=request.url,
            headers=headers,
            content=json.dumps(page, ensure_ascii=False).encode(),
            timeout_s=config.timeout_s if "timeout_s" in config.model_fields_set else ctx.limits.http_default_timeout_s,
            resendable=False,
            secrets={name.lower() for name in ctx.auth_headers},
        )
        try:
            result = send(ctx, call, failure=lambda exchange, output: _refused(node, exchange, output, ctx.redact))
        except NodeFailure as exc:
            raise named(node, exc) from None
        body = result.output.get("body")
        status = int(result.output["status"])
        if not 200 <= status < 300 or not isinstance(body, dict) or not isinstance(body.get("id"), str):
            raise NodeFailure(
                f"{node}: Notion answered HTTP {status} without a page: {body_excerpt_of(body, ctx.redact)}",
                output={"status": status},
            )
        return NodeResult(output={"status": status, "page_id": body["id"], "url": body.get("url")})


def body_excerpt_of(body: Any, redact: Callable[[str], str]) -> str:
    text = " ".join(redact(_text(body)).split())
    return text[:200] + "…" if len(text) > 200 else text


def _refused(node: str, exchange: Exchange, output: dict[str, Any], redact: Callable[[str], str]) -> NodeFailure:
    """Notion answers {"object": "error", "code": "object_not_found", "message": "Could not find …"}."""
    body = output.get("body")
    if isinstance(body, dict) and body.get("object") == "error" and isinstance(body.get("code"), str):
        code = redact(body["code"])[:60]
        message = " ".join(redact(str(body.get("message") or "")).split())[:300]
        hint = NOTION_HINTS.get(code)
        text = f"{node}: Notion: {code}: {message}" + (f" ({hint})" if hint else "")
        return NodeFailure(
            f"{text} [HTTP {exchange.status}]", output={"status": exchange.status, "code": code, "message": message}
        )
    answer = body_excerpt(exchange, redact)
    text = f"{node}: Notion answered HTTP {exchange.status} {exchange.reason}" + (f": {answer}" if answer else "")
    return NodeFailure(text, output={"status": exchange.status})
