"""The HTTP node's retries, idempotency key, cancellation and redirects, against real local servers."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.support.stub_server import Reply, StubServer
from workers.executors.base import NodeFailure
from workers.executors.http_request import HttpRequestExecutor

run = HttpRequestExecutor().run
FAST = {"retry_backoff_s": 0.01}


# -- retries ----------------------------------------------------------------------------------
def test_http_retries_503_then_succeeds(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/flaky", replies=[Reply(status=503), Reply(status=503), Reply(json={"ok": 1})])
    ctx, log = make_ctx({"url": stub_server.url + "/flaky", **FAST})
    assert run(ctx).output["body"] == {"ok": 1}
    assert len(stub_server.requests) == 3
    warnings = log.levels("warn")
    assert len(warnings) == 2 and warnings[0].startswith("attempt 1 of 3 failed (HTTP 503 Service Unavailable)")


def test_http_gives_up_after_the_last_retry(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/down", status=502, body="bad gateway")
    with pytest.raises(NodeFailure, match=r"HTTP 502 Bad Gateway from GET .*/down: bad gateway"):
        run(make_ctx({"url": stub_server.url + "/down", "retries": 1, **FAST})[0])
    assert len(stub_server.requests) == 2


def test_http_honours_retry_after_on_429(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/limited", replies=[Reply(status=429, headers={"Retry-After": "1"}), Reply(body="ok")])
    ctx, log = make_ctx({"url": stub_server.url + "/limited", **FAST})
    assert run(ctx).output["body"] == "ok"
    first, second = stub_server.requests
    assert second.at - first.at >= 0.9
    assert "retrying in 1.0s" in log.levels("warn")[0]


def test_http_refuses_to_wait_an_unbounded_retry_after(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/later", status=429, headers={"Retry-After": "3600"})
    started = time.monotonic()
    with pytest.raises(NodeFailure, match="Retry-After 3600s is longer than the 30s"):
        run(make_ctx({"url": stub_server.url + "/later"})[0])
    assert time.monotonic() - started < 2 and len(stub_server.requests) == 1


def test_http_does_not_retry_4xx(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/bad", status=400, body="nope")
    with pytest.raises(NodeFailure):
        run(make_ctx({"url": stub_server.url + "/bad", **FAST})[0])
    assert len(stub_server.requests) == 1


def test_http_post_without_key_is_not_resent_after_500(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("POST", "/charge", status=500)
    ctx, _ = make_ctx({"method": "POST", "url": stub_server.url + "/charge", "idempotency": "off", **FAST})
    with pytest.raises(NodeFailure, match="HTTP 500"):
        run(ctx)
    assert len(stub_server.requests) == 1


def test_http_retries_timeouts_of_safe_methods(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/slow-once", replies=[Reply(delay=1, body="late"), Reply(body="quick")])
    ctx, log = make_ctx({"url": stub_server.url + "/slow-once", "timeout_s": 0.3, **FAST})
    assert run(ctx).output["body"] == "quick"
    assert "timed out waiting for the response" in log.levels("warn")[0]


def test_http_cancel_between_attempts_aborts(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/flaky", status=503)
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 1  # the check before attempt 1 passes, every later one says cancelled

    ctx, _ = make_ctx({"url": stub_server.url + "/flaky", "retry_backoff_s": 5}, is_cancelled=cancelled)
    started = time.monotonic()
    with pytest.raises(NodeFailure, match="cancelled"):
        run(ctx)
    assert len(stub_server.requests) == 1 and time.monotonic() - started < 2


def test_http_abort_hook_breaks_a_blocking_read(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/drip", stream_size=1000, chunk=1, chunk_delay=0.05)
    flag = threading.Event()
    ctx, _ = make_ctx({"url": stub_server.url + "/drip", "timeout_s": 60}, is_cancelled=flag.is_set)

    def cancel() -> None:
        flag.set()
        for hook in list(ctx.abort_hooks):
            hook()

    threading.Timer(0.3, cancel).start()
    started = time.monotonic()
    with pytest.raises(NodeFailure, match="cancelled"):
        run(ctx)
    assert time.monotonic() - started < 3
    assert ctx.abort_hooks == []


# -- idempotency key ---------------------------------------------------------------------------
def test_http_idempotency_key_is_stable_across_retries(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("POST", "/pay", replies=[Reply(status=503), Reply(status=201, json={"id": 1})])
    ctx, _ = make_ctx({"method": "POST", "url": stub_server.url + "/pay", **FAST}, idempotency_key="aos-abc")
    assert run(ctx).output["status"] == 201
    assert [r.header("idempotency-key") for r in stub_server.requests] == ["aos-abc", "aos-abc"]


@pytest.mark.parametrize(
    ("method", "mode", "sent"),
    [("POST", "auto", True), ("GET", "auto", False), ("PUT", "on", True), ("POST", "off", False)],
)
def test_http_idempotency_modes(stub_server: StubServer, make_ctx: Any, method: str, mode: str, sent: bool) -> None:
    stub_server.route("ANY", "/i", body="ok")
    run(make_ctx({"method": method, "url": stub_server.url + "/i", "idempotency": mode}, idempotency_key="k-1")[0])
    assert (stub_server.requests[0].header("idempotency-key") == "k-1") is sent


def test_http_user_idempotency_header_wins(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("POST", "/i", body="ok")
    config = {"method": "POST", "url": stub_server.url + "/i", "headers": {"Idempotency-Key": "mine"}}
    run(make_ctx(config, idempotency_key="k-1")[0])
    assert stub_server.requests[0].header("idempotency-key") == "mine"


# -- redirects --------------------------------------------------------------------------------
def test_http_follows_redirects(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/a", redirect="/b").route("GET", "/b", redirect="/c", status=307)
    stub_server.route("GET", "/c", json={"at": "c"})
    ctx, log = make_ctx({"url": stub_server.url + "/a"})
    assert run(ctx).output["body"] == {"at": "c"}
    assert [r.path for r in stub_server.requests] == ["/a", "/b", "/c"]
    assert any(m.startswith("302 redirect to") for m in log.levels("info"))


def test_http_redirect_loop_stops_after_five(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/loop", redirect="/loop")
    with pytest.raises(NodeFailure, match=r"too many redirects \(more than 5\)"):
        run(make_ctx({"url": stub_server.url + "/loop"})[0])
    assert len(stub_server.requests) == 6


def test_http_303_turns_post_into_get(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("POST", "/form", redirect="/done", status=303).route("GET", "/done", echo=True)
    output = run(make_ctx({"method": "POST", "url": stub_server.url + "/form", "json_body": {"a": 1}})[0]).output
    assert output["body"]["method"] == "GET" and output["body"]["body"] == ""
    assert "content-type" not in output["body"]["headers"]


def test_http_307_keeps_method_and_body(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("POST", "/old", redirect="/new", status=307).route("POST", "/new", echo=True)
    output = run(make_ctx({"method": "POST", "url": stub_server.url + "/old", "body": "hi"})[0]).output
    assert (output["body"]["method"], output["body"]["body"]) == ("POST", "hi")


def test_http_cross_origin_redirect_drops_credentials(make_ctx: Any) -> None:
    with StubServer() as first, StubServer() as second:
        second.route("GET", "/land", echo=True)
        first.route("GET", "/same", redirect="/go").route("GET", "/go", redirect=second.url + "/land")
        config = {"url": first.url + "/same", "headers": {"X-Api-Key": "k1234567", "X-Custom": "c", "X-Plain": "p"}}
        ctx, _ = make_ctx(config, auth_headers={"Authorization": "Bearer xyz"}, secret_headers=frozenset({"x-custom"}))
        run(ctx)
        # Same origin keeps the credential, the other origin sees none of the secret headers.
        assert first.requests[1].header("authorization") == "Bearer xyz"
        landed = second.requests[0]
        assert landed.header("x-plain") == "p"
        for name in ("authorization", "x-api-key", "x-custom"):
            assert landed.header(name) is None
        assert landed.header("host") == f"127.0.0.1:{second.port}"


def test_http_redirects_off_returns_the_redirect(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/a", redirect="/b")
    output = run(make_ctx({"url": stub_server.url + "/a", "follow_redirects": False})[0]).output
    assert output["status"] == 302 and output["headers"]["location"] == "/b"
    assert len(stub_server.requests) == 1


def test_http_redirect_to_other_scheme_is_refused(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/a", redirect="file:///etc/passwd")
    with pytest.raises(NodeFailure, match="redirect to a 'file' URL"):
        run(make_ctx({"url": stub_server.url + "/a"})[0])
