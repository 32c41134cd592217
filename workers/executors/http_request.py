"""The HTTP Request node (kind `http`, engine alias `http_request_node`): retries, logging, output."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

import httpx
from pydantic import ValidationError

from workers.executors.abortable import abort_thread_io
from workers.executors.base import NodeContext, NodeFailure, NodeResult, NodeSpec
from workers.executors.http_checks import header_name_problem, header_value_problem, shown_name
from workers.executors.http_config import AuthRef, HttpConfig, build_content
from workers.executors.http_transfer import Exchange, TransferError, display_url, perform
from workers.executors.masking import mask_headers
from workers.executors.netguard import shared_client

__all__ = [
    "AuthRef",
    "Call",
    "HttpConfig",
    "HttpRequestExecutor",
    "StatusFailure",
    "body_excerpt",
    "check_auth_headers",
    "first_error",
    "named",
    "send",
]

MAX_RETRY_AFTER_S = 30.0  # a server asking for a longer pause fails the step rather than park a worker
MAX_BACKOFF_S = 30.0
EXCERPT_CHARS = 200
_SAFE_METHODS = frozenset({"GET", "PUT", "DELETE"})  # idempotent by definition: safe to send again


class HttpRequestExecutor:
    spec: ClassVar[NodeSpec] = NodeSpec(
        kind="http",
        label="HTTP Request",
        description="Call any HTTP API: Slack, Notion or your own.",
        color="#6366f1",
        config_model=HttpConfig,
        aliases=("http_request_node",),
    )

    def run(self, ctx: NodeContext) -> NodeResult:
        return send(ctx, _prepare(ctx))


# Builds the step's failure from a non-2xx answer: (exchange, parsed output) -> NodeFailure.
StatusFailure = Callable[[Exchange, dict[str, Any]], NodeFailure]


def send(ctx: NodeContext, call: Call, *, failure: StatusFailure | None = None) -> NodeResult:
    """Sends `call` with the HTTP node's retries, backoff, Retry-After, cancellation and logging.

    The output is {status, headers, body, truncated}; a non-2xx answer raises `failure(exchange, output)`
    (by default the HTTP node's "HTTP 400 Bad Request from POST …: <excerpt>"). The kinds built on
    the HTTP node (Slack, Notion) call this with their own request and failure wording.
    """
    ctx.log(
        "info",
        f"{call.config.method} {call.shown}",
        {
            "method": call.config.method,
            "url": call.shown,
            "headers": mask_headers(_named(call.headers), call.secrets),
        },
    )
    method = call.config.method
    status_failure = failure or (lambda exchange, output: _status_failure(method, exchange, output, ctx.redact))
    in_flight = _InFlight()
    ctx.abort_hooks.append(in_flight.abort)
    try:
        return _attempts(ctx, call, in_flight, status_failure)
    finally:
        ctx.abort_hooks.remove(in_flight.abort)


def _attempts(ctx: NodeContext, call: Call, in_flight: _InFlight, failure: StatusFailure) -> NodeResult:
    config, shown = call.config, call.shown
    attempts = config.retries + 1
    client = shared_client(ctx.limits)
    for attempt in range(1, attempts + 1):
        if ctx.is_cancelled():
            raise NodeFailure(f"cancelled before attempt {attempt} of {config.method} {shown}")
        last = attempt == attempts
        try:
            exchange = perform(
                client,
                method=config.method,
                url=config.url,
                headers=call.headers,
                content=call.content,
                timeout_s=call.timeout_s,
                follow_redirects=config.follow_redirects,
                max_bytes=min(ctx.limits.http_max_response_bytes, ctx.limits.output_max_bytes),
                strip_on_redirect=call.secrets,
                on_hop=lambda message, url: ctx.log("info", message, {"url": call.where(url)}),
                track=in_flight.set,
            )
        except TransferError as err:
            where = f"{config.method} {call.where(err.url)}"
            if ctx.is_cancelled():
                raise NodeFailure(f"cancelled during {where}") from None
            if last or not err.retryable or (err.sent and not call.resendable):
                raise NodeFailure(f"network error calling {where}: {err.cause}") from None
            _pause(ctx, attempt, attempts, err.cause, _backoff(config.retry_backoff_s, attempt))
            continue

        ctx.log(
            "info",
            f"{exchange.status} {exchange.reason} in {exchange.duration_ms} ms",
            {"status": exchange.status, "duration_ms": exchange.duration_ms, "redirects": exchange.redirects},
        )
        output = _output(exchange)
        if 200 <= exchange.status < 300 or (300 <= exchange.status < 400 and not config.follow_redirects):
            return NodeResult(output=output)
        failed = failure(exchange, output)
        retry_on_status = exchange.status == 429 or exchange.status >= 500
        if last or not retry_on_status or not (call.resendable or exchange.status in (429, 503)):
            raise failed
        wait = _retry_after(exchange.headers.get("retry-after"))
        if wait is not None and wait > MAX_RETRY_AFTER_S:
            raise NodeFailure(
                f"{failed.message} (Retry-After {wait:g}s is longer than the {MAX_RETRY_AFTER_S:g}s a step waits)",
                output=failed.output,
            )
        cause = f"HTTP {exchange.status} {exchange.reason}"
        _pause(ctx, attempt, attempts, cause, wait if wait is not None else _backoff(config.retry_backoff_s, attempt))
    raise AssertionError("unreachable: the last attempt returns or raises")


def _pause(ctx: NodeContext, attempt: int, attempts: int, cause: str, delay: float) -> None:
    ctx.log(
        "warn",
        f"attempt {attempt} of {attempts} failed ({cause}); retrying in {delay:.1f}s",
        {"attempt": attempt, "attempts": attempts, "delay_s": round(delay, 3)},
    )
    end = time.monotonic() + delay
    while (left := end - time.monotonic()) > 0:
        if ctx.is_cancelled():
            raise NodeFailure(f"cancelled while waiting to retry (after attempt {attempt})")
        time.sleep(min(left, 0.1))


@dataclass
class Call:
    """The request as the config, the credential and the idempotency setting make it."""

    config: HttpConfig
    shown: str  # the URL as logs may show it
    headers: httpx.Headers
    content: bytes | None
    timeout_s: float
    resendable: bool
    secrets: set[str]  # header names (lower case) to mask in logs and drop on a cross-origin redirect
    where: Callable[[str], str] = display_url  # a URL (a redirect's, an error's) as messages may show it


def _prepare(ctx: NodeContext) -> Call:
    node = f'node "{ctx.label or ctx.node_id}"'
    try:
        # Resolved: the values the templates gave are checked as strictly as the literal ones.
        config = HttpConfig.model_validate(ctx.config, context={"resolved": True})
    except ValidationError as exc:
        raise NodeFailure(f"{node}: invalid HTTP config: {first_error(exc)}") from None
    if "{{" in config.url:
        raise NodeFailure(f"{node}: URL {display_url(config.url)} is not usable: it has an unresolved template")
    check_auth_headers(ctx, node)
    headers = httpx.Headers(config.headers)
    for name, value in ctx.auth_headers.items():
        headers[name] = value  # the chosen credential beats a hand-written header of the same name
    content, default_type = build_content(config)
    if default_type and "content-type" not in headers:
        headers["Content-Type"] = default_type
    if config.wants_idempotency_key() and ctx.idempotency_key and "idempotency-key" not in headers:
        headers["Idempotency-Key"] = ctx.idempotency_key
    return Call(
        config=config,
        shown=display_url(config.url),
        headers=headers,
        content=content,
        timeout_s=config.timeout_s if "timeout_s" in config.model_fields_set else ctx.limits.http_default_timeout_s,
        # A POST/PATCH without an idempotency key is only re-sent when the server surely did not act.
        resendable=config.method in _SAFE_METHODS or "idempotency-key" in headers,
        secrets={*(n.lower() for n in ctx.secret_headers), *(n.lower() for n in ctx.auth_headers)},
    )


def named(node: str, failure: NodeFailure) -> NodeFailure:
    """The failure with the node's name in front (network errors and cancels of `send` name only the URL)."""
    if failure.message.startswith(node):
        return failure
    return NodeFailure(f"{node}: {failure.message}", output=failure.output, retryable=failure.retryable)


def check_auth_headers(ctx: NodeContext, node: str) -> None:
    """Refuses a credential that cannot go in a header; the message never holds the value (the secret)."""
    for name, value in ctx.auth_headers.items():
        value_problem = header_value_problem(value, resolved=True)
        problem = header_name_problem(name) or (
            value_problem and f"header {shown_name(name)}: the value {value_problem}"
        )
        if problem:
            raise NodeFailure(f"{node}: the credential in auth.credentialName cannot be sent: {problem}")


class _InFlight:
    """The response being read; a cancel (from the watcher thread) closes it to break a blocking read."""

    def __init__(self) -> None:
        self._response: httpx.Response | None = None
        self._thread_id = threading.get_ident()

    def set(self, response: httpx.Response | None) -> None:
        self._response = response

    def abort(self) -> None:
        # Waiting for the answer's headers there is no response to close yet: break the socket read.
        abort_thread_io(self._thread_id)
        response = self._response
        if response is not None:
            response.close()


def _named(headers: httpx.Headers) -> dict[str, str]:
    """Headers with the names as written (httpx lower-cases them in items())."""
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in headers.raw}


def _backoff(base: float, attempt: int) -> float:
    # Exponential with "equal jitter": never zero, yet spread so many steps do not retry in step.
    ceiling = min(MAX_BACKOFF_S, base * 2 ** (attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _is_json(content_type: str) -> bool:
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime == "application/json" or mime.endswith("+json")


def _output(exchange: Exchange) -> dict[str, Any]:
    """{status, headers, body, truncated}: body parsed when JSON and complete, else text."""
    text = exchange.body.decode(exchange.encoding, errors="replace")
    body: Any = text
    if _is_json(exchange.content_type) and not exchange.truncated and text.strip():
        try:
            body = json.loads(text)
        except ValueError:
            body = text
    return {"status": exchange.status, "headers": exchange.headers, "body": body, "truncated": exchange.truncated}


def body_excerpt(exchange: Exchange, redact: Callable[[str], str], limit: int = EXCERPT_CHARS) -> str:
    """The answer's body on one line, at most `limit` characters, with the run's secrets masked."""
    # Redacted on its whole length first, cut after: a secret the target echoes never leaves a piece.
    excerpt = " ".join(redact(exchange.body.decode(exchange.encoding, errors="replace")).split())
    return excerpt[:limit] + "…" if len(excerpt) > limit else excerpt


def _status_failure(
    method: str, exchange: Exchange, output: dict[str, Any], redact: Callable[[str], str]
) -> NodeFailure:
    excerpt = body_excerpt(exchange, redact)
    message = f"HTTP {exchange.status} {exchange.reason} from {method} {display_url(exchange.url)}"
    return NodeFailure(f"{message}: {excerpt}" if excerpt else message, output=output)


def first_error(exc: ValidationError) -> str:
    error = exc.errors(include_input=False)[0]
    path = ".".join(str(p) for p in error["loc"]) or "config"
    return f"{path}: {error['msg'].removeprefix('Value error, ')}"
