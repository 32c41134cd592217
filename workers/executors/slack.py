"""The Slack message node (kind `slack`): text and blocks to an incoming webhook, sent by the HTTP node's code.

The webhook URL is a secret (anyone holding it can post to the channel): the config only ever names
the secret_text credential holding it, as `{"credentialName": "slackWebhook"}` or the template
`{{getCredential('slackWebhook')}}`; the compiler stores the template, the engine resolves it in the
worker right before the step runs, and the redactor masks it in everything stored. Logs and
messages call it "the Slack webhook", never by its URL.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

import httpx
from pydantic import ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from workers.executors.base import NodeContext, NodeFailure, NodeResult, NodeSettings, NodeSpec
from workers.executors.http_config import (
    JSON_TYPE,
    HttpConfig,
    RetriesField,
    RetryBackoffField,
    TimeoutField,
    url_problem,
)
from workers.executors.http_request import Call, body_excerpt, first_error, named, send
from workers.executors.http_transfer import Exchange

__all__ = ["SLACK_ERRORS", "SlackConfig", "SlackExecutor"]

SHOWN = "the Slack webhook"
_CREDENTIAL_TEMPLATE = re.compile(r"^\{\{\s*getCredential\(\s*'([^'{}]+)'\s*\)\s*\}\}$")
_CREDENTIAL_NAME = re.compile(r"^[^'{}]{1,100}$")

# What an incoming webhook answers (https://api.slack.com/messaging/webhooks#handling_errors).
SLACK_ERRORS = {
    "invalid_payload": "the text or blocks are not valid Slack JSON",
    "no_text": "the message has no text",
    "invalid_blocks": "the blocks are not valid Block Kit",
    "invalid_blocks_format": "blocks must be a list of Block Kit objects",
    "too_many_attachments": "more than 100 attachments",
    "user_not_found": "the webhook's user no longer exists",
    "channel_not_found": "the webhook's channel no longer exists",
    "channel_is_archived": "the webhook's channel is archived",
    "action_prohibited": "a workspace admin restricted posting to this channel",
    "posting_to_general_channel_denied": "only admins may post to this channel",
    "no_service": "the webhook was disabled, removed or is wrong: make a new one and update the credential",
    "no_service_id": "the webhook URL is incomplete: check the credential",
    "no_team": "the webhook's workspace is gone or the URL is wrong",
    "team_disabled": "the webhook's workspace is disabled",
    "invalid_token": "the webhook URL is not valid: check the credential",
    "rate_limited": "Slack is rate-limiting this webhook",
}


def credential_template(name: str) -> str:
    return f"{{{{getCredential('{name}')}}}}"


class SlackConfig(NodeSettings):
    model_config = ConfigDict(extra="forbid", title="Slack message")

    webhook: str = Field(
        min_length=1,
        max_length=2048,
        title="Webhook credential",
        description="A secret_text credential holding the incoming-webhook URL: "
        '{{getCredential(\'slackWebhook\')}} (or {"credentialName": "slackWebhook"}). '
        "Never the URL itself: it is a secret.",
        examples=["{{getCredential('slackWebhook')}}"],
        # The inspector draws a picker of the user's secret_text credentials that writes this template.
        json_schema_extra={"x-widget": "credential-template", "x-credential-kind": "secret_text"},
    )
    text: str = Field(
        min_length=1,
        max_length=40000,
        title="Text",
        description="The message (Slack mrkdwn); may use templates such as {{payload.message}}. "
        "With blocks, the notification's text.",
    )
    blocks: list[dict[str, Any]] | None = Field(
        default=None,
        max_length=50,
        title="Blocks",
        description="Optional Block Kit blocks (a JSON list); templates allowed in their strings.",
    )
    timeout_s: TimeoutField = 30.0
    retries: RetriesField = 2
    retry_backoff_s: RetryBackoffField = 0.5

    @field_validator("webhook", mode="before")
    @classmethod
    def _credential_reference(cls, value: Any) -> Any:
        # {"credentialName": "x"} is stored as the template the engine resolves: one code path for both.
        if isinstance(value, dict) and set(value) == {"credentialName"} and isinstance(value["credentialName"], str):
            name = value["credentialName"].strip()
            if not _CREDENTIAL_NAME.match(name):
                raise PydanticCustomError("value_error", "credentialName must be 1 to 100 characters without ' { }")
            return credential_template(name)
        return value

    @field_validator("webhook")
    @classmethod
    def _a_credential_not_a_url(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        if isinstance(info.context, dict) and info.context.get("resolved"):
            # The credential's value: checked, never quoted (it is the secret).
            problem = url_problem(value, resolved=True)
            if problem:
                raise PydanticCustomError("value_error", "the credential does not hold a usable webhook URL")
            return value
        if not _CREDENTIAL_TEMPLATE.match(value):
            raise PydanticCustomError(
                "value_error",
                "the webhook URL is a secret: store it as a secret_text credential and write "
                '{{getCredential(\'<name>\')}} (or {"credentialName": "<name>"}) here',
            )
        return value

    @field_validator("text", mode="before")
    @classmethod
    def _text_from_a_value(cls, value: Any) -> Any:
        # A text that is one placeholder keeps its value's type (a number, an object): send it as text.
        if isinstance(value, bool | int | float):
            return json.dumps(value)
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return value

    @field_validator("blocks")
    @classmethod
    def _typed_blocks(cls, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        for index, block in enumerate(value or []):
            if not isinstance(block.get("type"), str) or not block["type"]:
                raise PydanticCustomError("value_error", f'blocks[{index}] has no `type` (e.g. "section")')
        return value


class SlackExecutor:
    spec: ClassVar[NodeSpec] = NodeSpec(
        kind="slack",
        label="Slack message",
        description="Post a message to a Slack channel through an incoming webhook.",
        color="#4a154b",
        config_model=SlackConfig,
    )

    def run(self, ctx: NodeContext) -> NodeResult:
        node = f'node "{ctx.label or ctx.node_id}"'
        try:
            config = SlackConfig.model_validate(ctx.config, context={"resolved": True})
        except ValidationError as exc:
            raise NodeFailure(f"{node}: invalid Slack config: {first_error(exc)}") from None
        message: dict[str, Any] = {"text": config.text}
        if config.blocks:
            message["blocks"] = config.blocks
        request = HttpConfig.model_construct(
            method="POST",
            url=config.webhook,
            retries=config.retries,
            retry_backoff_s=config.retry_backoff_s,
            idempotency="off",  # Slack has no idempotency keys: a POST is re-sent only on 429/503
            follow_redirects=False,  # a webhook never redirects; following one would carry the message away
        )
        call = Call(
            config=request,
            shown=SHOWN,
            headers=httpx.Headers({"Content-Type": JSON_TYPE}),
            content=json.dumps(message, ensure_ascii=False).encode(),
            timeout_s=config.timeout_s if "timeout_s" in config.model_fields_set else ctx.limits.http_default_timeout_s,
            resendable=False,
            secrets=set(),
            where=lambda _url: SHOWN,
        )
        try:
            result = send(ctx, call, failure=lambda exchange, _output: _refused(node, exchange, ctx.redact))
        except NodeFailure as exc:
            raise named(node, exc) from None
        status = int(result.output["status"])
        if not 200 <= status < 300:
            raise NodeFailure(
                f"{node}: Slack answered HTTP {status} (a redirect): the credential does not hold a Slack "
                "incoming-webhook URL",
                output={"status": status, "ok": False},
            )
        return NodeResult(output={"status": status, "ok": True})


def _refused(node: str, exchange: Exchange, redact: Any) -> NodeFailure:
    """Slack answers a refused message with a short code as plain text (`invalid_payload`)."""
    answer = body_excerpt(exchange, redact, limit=120)
    code = answer if re.fullmatch(r"[a-z_]{2,60}", answer) else ""
    if exchange.status == 429:
        code = code or "rate_limited"
    output: dict[str, Any] = {"status": exchange.status, "ok": False, "error": code or answer}
    if code:
        why = SLACK_ERRORS.get(code)
        text = f"{node}: Slack refused the message: {code}" + (f" ({why})" if why else "")
    elif exchange.status >= 500:
        text = f"{node}: Slack is failing: HTTP {exchange.status} {exchange.reason}" + (f": {answer}" if answer else "")
    else:
        text = f"{node}: Slack refused the message: HTTP {exchange.status} {exchange.reason}" + (
            f": {answer}" if answer else ""
        )
    return NodeFailure(f"{text} [HTTP {exchange.status}]", output=output)
