"""One HTTP attempt: send, follow redirects hop by hop, read a capped stream under one deadline."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from workers.executors.abortable import IoScope, io_scope
from workers.executors.base import NodeFailure
from workers.executors.http_decode import DecodeError, decoded
from workers.executors.masking import SENSITIVE_HEADERS

MAX_REDIRECTS = 5
CONNECT_TIMEOUT_S = 10.0
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# Dropped on a redirect to another origin, on top of the auth and secret headers of the node.
CREDENTIAL_HEADERS = SENSITIVE_HEADERS

HopLog = Callable[[str, str], None]  # (message, next url)
Track = Callable[[httpx.Response | None], None]  # told of the response in flight, so a cancel can close it


@dataclass
class Exchange:
    """What one attempt got back: the final response of a redirect chain, body capped."""

    status: int
    reason: str
    url: str
    headers: dict[str, str]
    body: bytes
    truncated: bool
    encoding: str
    content_type: str
    duration_ms: int
    redirects: int


class TransferError(Exception):
    """A network failure of one attempt. `sent`: the request may have reached the server."""

    def __init__(self, cause: str, url: str, *, sent: bool, retryable: bool = True) -> None:
        super().__init__(cause)
        self.cause = cause
        self.url = url
        self.sent = sent
        self.retryable = retryable


def display_url(url: str) -> str:
    """The URL without a password in its userinfo: what logs and messages may show."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.netloc.rsplit('@', 1)[1]}"
    return urlunsplit(parts._replace(netloc=netloc))


def describe(exc: httpx.HTTPError) -> tuple[str, bool]:
    """(a cause a user can read, whether trying again could help)."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out", True
    if isinstance(exc, httpx.ReadTimeout):
        return "timed out waiting for the response", True
    if isinstance(exc, httpx.WriteTimeout):
        return "timed out sending the request", True
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection in time", True
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if text.startswith("DNS lookup failed"):
            return text, True
        if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
            return f"TLS error: {text}", False
        if "refused" in lowered:
            return "connection refused", True
        return f"connection failed: {text}", True
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server closed the connection or answered invalid HTTP ({text})", True
    return f"{type(exc).__name__}: {text}", True


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def _redirect(
    response: httpx.Response, method: str, headers: httpx.Headers, content: bytes | None, strip: Iterable[str]
) -> tuple[str, httpx.URL, httpx.Headers, bytes | None]:
    """The next hop's method, URL, headers and body, the way browsers and httpx do it."""
    try:
        target = response.url.join(response.headers["location"])
    except (httpx.InvalidURL, ValueError) as exc:
        raise NodeFailure(f"redirect from {display_url(str(response.url))} has an invalid Location") from exc
    if target.scheme not in ("http", "https"):
        raise NodeFailure(f"refused: redirect to a {target.scheme!r} URL; only http and https are followed")
    headers = httpx.Headers(headers)
    if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
        method, content = "GET", None
        for name in ("content-type", "content-length", "transfer-encoding"):
            headers.pop(name, None)
    if _origin(target) != _origin(response.url):
        # The credentials were meant for the first origin only: another host must never see them.
        for name in {*CREDENTIAL_HEADERS, *(s.lower() for s in strip)}:
            headers.pop(name, None)
    headers.pop("host", None)
    return method, target, headers, content


def perform(
    client: httpx.Client,
    *,
    method: str,
    url: str,
    headers: httpx.Headers,
    content: bytes | None,
    timeout_s: float,
    follow_redirects: bool,
    max_bytes: int,
    strip_on_redirect: Iterable[str],
    on_hop: HopLog,
    track: Track = lambda response: None,
) -> Exchange:
    """One attempt under one hard total deadline; raises TransferError (network) or NodeFailure.

    The deadline is enforced by a timer that breaks the attempt's socket (abortable.io_scope): a
    server trickling headers or body bytes cannot stretch the attempt past `timeout_s`.
    """
    started = time.monotonic()
    with io_scope(timeout_s) as scope:
        clock = _Clock(started, timeout_s, scope)
        current = httpx.URL(url)
        for redirects in range(MAX_REDIRECTS + 1):
            response = _send(client, method, current, headers, content, clock)
            track(response)
            try:
                if not (follow_redirects and _is_hop(response)):
                    return _exchange(response, started, redirects, max_bytes, clock)
                if redirects == MAX_REDIRECTS:
                    raise NodeFailure(f"too many redirects (more than {MAX_REDIRECTS}) starting at {display_url(url)}")
                method, current, headers, content = _redirect(response, method, headers, content, strip_on_redirect)
                on_hop(f"{response.status_code} redirect to {display_url(str(current))}", str(current))
            finally:
                # Closing an unread stream drops the connection instead of draining a huge body.
                track(None)
                response.close()
    raise AssertionError("unreachable: the last hop returns or raises")


class _Clock:
    """The attempt's deadline, and how to word a failure that ran into it."""

    def __init__(self, started: float, timeout_s: float, scope: IoScope) -> None:
        self.deadline = started + timeout_s
        self.timeout_s = timeout_s
        self.scope = scope

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def expired(self) -> bool:
        return self.scope.expired or self.remaining() <= 0

    def late(self, url: str, *, reading: bool, sent: bool = True) -> TransferError:
        if reading:
            cause = f"response not complete within {self.timeout_s:g}s, the attempt's deadline (timeout_s)"
        else:
            cause = f"timed out waiting for the response: no answer within the {self.timeout_s:g}s deadline (timeout_s)"
        return TransferError(cause, url, sent=sent)

    def failure(self, exc: httpx.HTTPError, url: str, *, reading: bool) -> TransferError:
        cause, retryable = describe(exc)
        sent = reading or not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        if self.expired():
            if not cause.startswith("DNS lookup"):
                return self.late(url, reading=reading, sent=sent)
            cause = f"{cause} (the {self.timeout_s:g}s deadline passed)"
        return TransferError(cause, url, sent=sent, retryable=retryable)


def _is_hop(response: httpx.Response) -> bool:
    return response.status_code in _REDIRECT_CODES and "location" in response.headers


def _send(
    client: httpx.Client, method: str, url: httpx.URL, headers: httpx.Headers, content: bytes | None, clock: _Clock
) -> httpx.Response:
    remaining = clock.remaining()
    if remaining <= 0:
        raise clock.late(str(url), reading=False)
    timeout = httpx.Timeout(remaining, connect=min(remaining, CONNECT_TIMEOUT_S))
    request = client.build_request(method, url, headers=headers, content=content, timeout=timeout)
    try:
        return client.send(request, stream=True)
    except httpx.HTTPError as exc:
        raise clock.failure(exc, str(url), reading=False) from exc


def _exchange(response: httpx.Response, started: float, redirects: int, max_bytes: int, clock: _Clock) -> Exchange:
    body, truncated = _read_capped(response, max_bytes, clock)
    return Exchange(
        status=response.status_code,
        reason=response.reason_phrase,
        url=str(response.url),
        headers=dict(response.headers.items()),
        body=body,
        truncated=truncated,
        encoding=response.encoding or "utf-8",
        content_type=response.headers.get("content-type", ""),
        duration_ms=int((time.monotonic() - started) * 1000),
        redirects=redirects,
    )


def _read_capped(response: httpx.Response, max_bytes: int, clock: _Clock) -> tuple[bytes, bool]:
    """At most `max_bytes` of the decoded body; the stream is cut there, never buffered or inflated whole."""
    chunks: list[bytes] = []
    size = 0
    url = str(response.url)
    try:
        for chunk in decoded(response.iter_raw(), response.headers.get("content-encoding", "")):
            if size + len(chunk) > max_bytes:
                chunks.append(chunk[: max_bytes - size])
                return b"".join(chunks), True
            chunks.append(chunk)
            size += len(chunk)
            if clock.expired():
                raise clock.late(url, reading=True)
    except httpx.HTTPError as exc:
        raise clock.failure(exc, url, reading=True) from exc
    except DecodeError as exc:
        raise TransferError(str(exc), url, sent=True, retryable=False) from None
    return b"".join(chunks), False
