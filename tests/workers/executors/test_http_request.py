"""The HTTP node against a real local server: body precedence, headers, output, errors, logging."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from pydantic import ValidationError

from tests.support.stub_server import Reply, StubServer
from workers.executors import netguard
from workers.executors.base import EngineLimits, NodeFailure
from workers.executors.http_request import HttpConfig, HttpRequestExecutor

run = HttpRequestExecutor().run


def _echo(server: StubServer) -> str:
    server.route("ANY", "/echo", echo=True)
    return server.url + "/echo"


# -- config schema ----------------------------------------------------------------------------
def test_http_config_accepts_prototype_templates() -> None:
    slack = {
        "method": "POST",
        "url": "https://hooks.example.test/T000/B000",
        "headers": {"Content-Type": "application/json"},
        "body": '{"text": "deploy finished"}',
    }
    notion = {
        "method": "POST",
        "url": "https://api.example.test/v1/pages",
        "json_body": {"parent": {"database_id": "{{payload.db}}"}},
        "auth": {"credentialName": "notion"},
    }
    assert HttpConfig.model_validate(slack).method == "POST"
    config = HttpConfig.model_validate(notion)
    assert config.auth is not None and config.auth.credentialName == "notion"
    assert (config.timeout_s, config.retries, config.idempotency, config.follow_redirects) == (30.0, 2, "auto", True)


@pytest.mark.parametrize("url", ["{{payload.url}}", "https://{{payload.host}}/x", "http://a.test/{{id}}?q={{q}}"])
def test_http_config_allows_templates_in_url(url: str) -> None:
    HttpConfig.model_validate({"url": url})


@pytest.mark.parametrize(
    "config",
    [
        {"url": "ftp://a.test/x"},
        {"url": "/relative"},
        {"url": "https://"},
        {"url": "https://a.test", "method": "post"},
        {"url": "https://a.test", "json_body": [1, 2]},
        {"url": "https://a.test", "extra": 1},
        {"url": "https://a.test", "headers": {"X": 1}},
        {"url": "https://a.test", "headers": {"X": "a\r\nInjected: 1"}},
        {},
    ],
)
def test_http_config_rejects_bad_input(config: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        HttpConfig.model_validate(config)


def test_http_config_schema_has_titles_for_the_inspector() -> None:
    schema = HttpConfig.model_json_schema()
    assert schema["title"] == "HTTP Request"
    assert all("title" in prop for prop in schema["properties"].values())


# -- request building -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("config", "body", "content_type"),
    [
        ({"body": '{"text": "hi"}'}, '{"text": "hi"}', "application/json"),
        ({"body": "plain words"}, "plain words", "text/plain; charset=utf-8"),
        ({"json_body": {"a": 1}}, '{"a": 1}', "application/json"),
        ({"body": '{"b": 2}', "json_body": {"a": 1}}, '{"b": 2}', "application/json"),
        ({"body": "", "json_body": {"a": 1}}, '{"a": 1}', "application/json"),
        ({"body": "not json", "json_body": {"a": 1}}, "not json", "text/plain; charset=utf-8"),
        (
            {"body": '{"x": 1}', "headers": {"content-type": "application/vnd.api+json"}},
            '{"x": 1}',
            "application/vnd.api+json",
        ),
        ({"body": "<a/>", "headers": {"Content-Type": "application/xml"}}, "<a/>", "application/xml"),
    ],
)
def test_http_body_precedence(
    stub_server: StubServer, make_ctx: Any, config: dict[str, Any], body: str, content_type: str
) -> None:
    ctx, _ = make_ctx({"method": "POST", "url": _echo(stub_server), **config})
    run(ctx)
    seen = stub_server.requests[0]
    assert seen.text() == body
    assert seen.header("content-type") == content_type


def test_http_without_body_sends_none(stub_server: StubServer, make_ctx: Any) -> None:
    ctx, _ = make_ctx({"url": _echo(stub_server)})
    run(ctx)
    assert stub_server.requests[0].body == b""
    assert stub_server.requests[0].header("content-type") is None


def test_http_merges_user_and_auth_headers(stub_server: StubServer, make_ctx: Any) -> None:
    ctx, _ = make_ctx(
        {"url": _echo(stub_server) + "?a=1", "headers": {"X-Trace": "t1", "authorization": "Bearer stale"}},
        auth_headers={"Authorization": "Bearer xyz"},
    )
    output = run(ctx).output
    seen = stub_server.requests[0]
    assert seen.header("authorization") == "Bearer xyz"
    assert seen.header("x-trace") == "t1"
    assert seen.query == {"a": ["1"]}
    assert output["body"]["headers"]["x-trace"] == "t1"


# -- output -----------------------------------------------------------------------------------
def test_http_output_parses_json(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/j", json={"ok": True, "items": [1, 2]}, headers={"X-Req": "42"})
    output = run(make_ctx({"url": stub_server.url + "/j"})[0]).output
    assert output["status"] == 200
    assert output["body"] == {"ok": True, "items": [1, 2]}
    assert output["headers"]["x-req"] == "42"
    assert output["truncated"] is False


def test_http_output_keeps_text(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/t", body="héllo", headers={"Content-Type": "text/plain; charset=utf-8"})
    assert run(make_ctx({"url": stub_server.url + "/t"})[0]).output["body"] == "héllo"


def test_http_output_is_truncated_at_the_output_cap(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/big", json={"data": "y" * 5000})
    limits = EngineLimits(allow_private_networks=True, output_max_bytes=1000)
    output = run(make_ctx({"url": stub_server.url + "/big"}, limits=limits)[0]).output
    assert output["truncated"] is True
    assert isinstance(output["body"], str) and len(output["body"]) == 1000


def test_http_huge_response_is_cut_not_buffered(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/huge", stream_size=100 * 1024 * 1024, headers={"Content-Type": "text/plain"})
    limits = EngineLimits(allow_private_networks=True, http_max_response_bytes=64 * 1024)
    started = time.monotonic()
    output = run(make_ctx({"url": stub_server.url + "/huge"}, limits=limits)[0]).output
    assert output["truncated"] is True and len(output["body"]) == 64 * 1024
    assert time.monotonic() - started < 5


# -- failures ---------------------------------------------------------------------------------
def test_http_non_2xx_fails_with_status_and_excerpt(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/missing", status=404, body="no such page " + "z" * 1000)
    with pytest.raises(NodeFailure) as caught:
        run(make_ctx({"url": stub_server.url + "/missing"})[0])
    message = caught.value.message
    assert message.startswith(f"HTTP 404 Not Found from GET {stub_server.url}/missing: no such page")
    assert len(message) < 400
    assert caught.value.output is not None and caught.value.output["status"] == 404


def test_http_refused_connection_names_cause_and_url(make_ctx: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"
    with pytest.raises(NodeFailure) as caught:
        run(make_ctx({"url": url, "retries": 0})[0])
    assert "connection refused" in caught.value.message and url in caught.value.message


def test_http_timeout_is_bounded(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/slow", delay=3, body="late")
    started = time.monotonic()
    with pytest.raises(NodeFailure) as caught:
        run(make_ctx({"url": stub_server.url + "/slow", "timeout_s": 0.3, "retries": 0})[0])
    assert "timed out" in caught.value.message and "/slow" in caught.value.message
    assert time.monotonic() - started < 2


def test_http_trickling_body_hits_total_deadline(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/drip", stream_size=100, chunk=1, chunk_delay=0.05)
    started = time.monotonic()
    with pytest.raises(NodeFailure) as caught:
        run(make_ctx({"url": stub_server.url + "/drip", "timeout_s": 0.5, "retries": 0})[0])
    assert "not complete within 0.5s" in caught.value.message
    assert time.monotonic() - started < 2


def test_http_dns_failure_names_host(make_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(netguard.socket, "getaddrinfo", no_such_host)
    with pytest.raises(NodeFailure) as caught:
        run(make_ctx({"url": "http://nowhere.test/x", "retries": 0})[0])
    assert "DNS lookup failed for nowhere.test" in caught.value.message
    assert "http://nowhere.test/x" in caught.value.message


def test_http_unresolved_template_fails_clearly(make_ctx: Any) -> None:
    with pytest.raises(NodeFailure, match="unresolved template"):
        run(make_ctx({"url": "http://a.test/{{payload.id}}"})[0])


def test_http_invalid_config_fails_clearly(make_ctx: Any) -> None:
    with pytest.raises(NodeFailure, match="invalid HTTP config: method"):
        run(make_ctx({"url": "http://a.test/", "method": "TRACE"})[0])


# -- logging ----------------------------------------------------------------------------------
def test_http_logs_request_line_masked_then_status(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("POST", "/hook", json={"ok": True})
    ctx, log = make_ctx(
        {
            "method": "POST",
            "url": stub_server.url + "/hook",
            "headers": {"X-Api-Key": "key-secret-99", "X-Custom": "custom-secret-77"},
        },
        auth_headers={"Authorization": "Bearer abc123"},
        secret_headers=frozenset({"x-custom"}),
    )
    run(ctx)
    (level, message, data), (level2, message2, data2) = log.lines
    assert (level, message) == ("info", f"POST {stub_server.url}/hook")
    assert data["headers"]["Authorization"] == "Bea***23"
    assert data["headers"]["X-Api-Key"] == "key***99"
    assert data["headers"]["X-Custom"] == "cus***77"
    assert level2 == "info" and message2.startswith("200 OK in ") and message2.endswith(" ms")
    assert data2["status"] == 200
    for secret in ("abc123", "key-secret-99", "custom-secret-77"):
        assert secret not in log.dump()


def test_http_logs_hide_url_password(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/p", body="ok")
    ctx, log = make_ctx({"url": f"http://user:hunter22@127.0.0.1:{stub_server.port}/p"})
    run(ctx)
    assert "hunter22" not in log.dump()
    assert (
        stub_server.requests[0].header(
            "authorization",
        )
        is not None
    )  # basic auth still sent


def test_http_reuses_one_keep_alive_connection(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("ANY", "/k", body="ok")
    limits = EngineLimits(allow_private_networks=True, egress_allow=("keepalive-test",))  # a fresh shared client
    for _ in range(3):
        run(make_ctx({"url": stub_server.url + "/k"}, limits=limits)[0])
    assert len({r.client_port for r in stub_server.requests}) == 1
    assert netguard.shared_client(limits) is netguard.shared_client(limits)


def test_stub_server_serves_replies_in_order(stub_server: StubServer, make_ctx: Any) -> None:
    stub_server.route("GET", "/seq", replies=[Reply(body="one"), Reply(body="two")])
    bodies = [run(make_ctx({"url": stub_server.url + "/seq"})[0]).output["body"] for _ in range(3)]
    assert bodies == ["one", "two", "two"]
