"""What the HTTP client cannot send is refused in words: at save (the schema, naming the field) and at
run time (the executor, naming the node), never as InvalidURL, UnicodeEncodeError or LocalProtocolError."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import h11
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.support.stub_server import StubServer
from workers.executors.base import NodeContext, NodeFailure
from workers.executors.http_checks import header_name_problem, header_value_problem, url_problem
from workers.executors.http_config import HttpConfig
from workers.executors.http_request import HttpRequestExecutor, _prepare

run = HttpRequestExecutor().run


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://0127.0.0.1/", "leading zero"),
        ("http://10.0.0.010/x", "leading zero"),
        ("http://1.2.3/", "not an IPv4 address in the usual form"),
        ("http://0x7f.0.0.1/", "not an IPv4 address in the usual form"),
        ("http://2130706433/", "not an IPv4 address in the usual form"),
        ("http://x.test/a\nb", "line break at position 16"),
        ("http://x.test/a\rb", "line break"),
        ("http://x.test/a\x07b", "control character U+0007"),
        ("http://x.test:99999/", "port"),
        ("http://x.test:80x/", "port"),
        ("http://[zz]/", "not a valid URL"),
        ("http://🎉.test/", "not a valid URL"),
        ("ftp://x.test/", "http:// or https://"),
    ],
)
def test_url_problem_names_the_problem(url: str, needle: str) -> None:
    problem = url_problem(url)
    assert problem is not None and needle in problem, problem


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "https://x.test:8443/a b?q=ü#f",
        "http://[::1]:80/",
        "http://ü.test/",
        "http://0.0.0.0/",
        "  http://x.test/  ",
        "https://{{payload.host}}/p",
        "http://x.test:{{payload.port}}/",
        "{{payload.url}}",
        "http://x.test/{{payload.path}}",
    ],
)
def test_url_problem_accepts_sendable_urls_and_templates(url: str) -> None:
    assert url_problem(url) is None


def test_url_problem_resolved_checks_what_templates_gave() -> None:
    assert url_problem("{{payload.url}}") is None
    assert url_problem("{{payload.url}}", resolved=True) == "must be an absolute URL starting with http:// or https://"
    assert url_problem("http://0127.0.0.1:{{p}}/") is None  # the origin is not known until the port is
    assert "leading zero" in (url_problem("http://0127.0.0.1:8080/", resolved=True) or "")


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("X-Ü", "invalid header name"),
        ("bad name", "invalid header name"),
        ("X:Y", "invalid header name"),
        ("", "invalid header name"),
        ("Host", "set from the URL"),
        ("content-length", "computed from the body"),
        ("Transfer-Encoding", "frames the body"),
    ],
)
def test_header_name_problem(name: str, needle: str) -> None:
    assert needle in (header_name_problem(name) or "")


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("Zoë", "non-ASCII character at position 3"),
        ("a\nb", "line break at position 2"),
        ("a\x00b", "control character U+0000"),
        ("a\x7fb", "control character U+007F"),
    ],
)
def test_header_value_problem_never_quotes_the_value(value: str, needle: str) -> None:
    problem = header_value_problem(value)
    assert problem is not None and needle in problem
    assert value not in problem


def test_header_value_problem_leaves_templates_for_run_time() -> None:
    assert header_value_problem("Bearer {{getCredential('zoë')}}") is None
    assert header_value_problem("a\tb") is None
    assert header_value_problem(" padded", resolved=True) == "starts or ends with a space or tab"


@pytest.mark.parametrize(
    ("config", "field", "needle"),
    [
        ({"url": "http://0127.0.0.1/"}, "url", "leading zero"),
        ({"url": "http://x.test/a\nb"}, "url", "line break"),
        ({"url": "http://x.test/", "headers": {"X-Ü": "a"}}, "headers", 'invalid header name "X-Ü"'),
        ({"url": "http://x.test/", "headers": {"X-Name": "Zoë"}}, "headers", 'header "X-Name": the value contains'),
        ({"url": "http://x.test/", "headers": {"Content-Length": "5"}}, "headers", "computed from the body"),
        ({"url": "http://x.test/", "headers": {"Host": "other.test"}}, "headers", "set from the URL"),
    ],
)
def test_http_config_refuses_unsendable_at_save(config: dict[str, Any], field: str, needle: str) -> None:
    with pytest.raises(ValidationError) as caught:
        HttpConfig.model_validate(config)
    error = caught.value.errors()[0]
    assert error["loc"] == (field,)
    assert needle in error["msg"] and not error["msg"].startswith("Value error")


def test_http_config_strips_whitespace_around_header_values() -> None:
    config = HttpConfig.model_validate({"url": "http://x.test/", "headers": {"X-A": "  v  ", "X-B": "\tw"}})
    assert config.headers == {"X-A": "v", "X-B": "w"}


# -- run time: the values the templates resolved to -----------------------------------------------
MakeCtx = Callable[..., tuple[NodeContext, Any]]


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ({"url": "http://0127.0.0.1/"}, "url: URL has the host 0127.0.0.1, an IPv4 address with a leading zero"),
        ({"url": "ECHO\nx"}, "url: URL contains a line break"),
        ({"headers": {"X-Name": "Zoë"}}, 'headers: header "X-Name": the value contains a non-ASCII character'),
        ({"headers": {"X-Ü": "a"}}, 'headers: invalid header name "X-Ü": use only letters'),
        ({"headers": {"X-A": "a\x00b"}}, "control character U+0000"),
        ({"headers": {"Content-Length": "5"}}, "computed from the body"),
        ({"headers": {"Host": "evil.test"}}, "set from the URL"),
        ({"url": "ECHO/{{payload.a}}"}, "unresolved template"),
    ],
)
def test_http_request_fails_unsendable_resolved_config_naming_node_and_field(
    make_ctx: MakeCtx, stub_server: StubServer, config: dict[str, Any], needle: str
) -> None:
    stub_server.route("ANY", "/echo", echo=True)
    echo = stub_server.url + "/echo"
    resolved = {"url": echo, "retries": 0, **config}
    resolved["url"] = resolved["url"].replace("ECHO", echo)
    ctx, _ = make_ctx(resolved)
    with pytest.raises(NodeFailure) as caught:
        run(ctx)
    assert caught.value.message.startswith('node "Call": ')
    assert needle in caught.value.message
    assert stub_server.requests_to("/echo") == []


@pytest.mark.parametrize("secret", ["tökén", "tok\x01en", "token "])
def test_http_request_credential_header_it_cannot_send_fails_without_the_value(
    make_ctx: MakeCtx, stub_server: StubServer, secret: str
) -> None:
    stub_server.route("ANY", "/echo", echo=True)
    ctx, _ = make_ctx({"url": stub_server.url + "/echo", "retries": 0}, auth_headers={"X-Api-Key": secret})
    with pytest.raises(NodeFailure) as caught:
        run(ctx)
    message = caught.value.message
    assert message.startswith('node "Call": the credential in auth.credentialName cannot be sent: header "X-Api-Key": ')
    assert secret.strip() not in message


# -- property: whatever the templates resolved to, the request is sendable or the step fails in words ----
_TRAPS = ["Zoë", "a\nb", "a\rb", "\x00", "\x7f", " pad ", "", "ü", "Host", "Content-Length", "X Y", "X:Y", "日本"]
_text = st.text(max_size=12) | st.sampled_from(_TRAPS)
_urls = st.sampled_from(["http://x.test/", "http://0127.0.0.1/", "http://[zz]/", "http://x.test:99999/"]) | st.builds(
    "http://{}/{}".format, _text, _text
)


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(
    url=_urls,
    headers=st.dictionaries(_text, _text, max_size=3),
    auth=st.dictionaries(st.sampled_from(["Authorization", "X-Api-Key", "X Key"]), _text, max_size=1),
)
def test_http_request_prepare_gives_a_sendable_request_or_a_node_failure(
    url: str, headers: dict[str, str], auth: dict[str, str]
) -> None:
    ctx = NodeContext(
        run_id="r", node_id="n1", label="Call", config={"url": url, "headers": headers}, auth_headers=auth
    )
    try:
        call = _prepare(ctx)
    except NodeFailure as failure:
        assert failure.message.startswith('node "Call": ')
        return
    # What httpx and h11 would raise on (InvalidURL, UnicodeEncodeError, LocalProtocolError) is ruled out.
    request = httpx.Request(call.config.method, call.config.url, headers=call.headers, content=call.content)
    target = request.url.raw_path
    h11.Request(method=request.method, target=target, headers=request.headers.raw)
