"""The engine stores whatever a target answers: NUL (refused by PostgreSQL) never leaves a step running."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backend.runs.models import Run, RunEvent, Step
from backend.runs.services import run_start
from tests.support.graphs import chain, http_node, start_node
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer
from workers.engine import cap_output


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        server.route(
            "GET", "/nul-json", body=b'{"a": "x\\u0000y", "k\\u0000": 1}', headers={"Content-Type": "application/json"}
        )
        server.route("GET", "/nul-text", body=b"abc\x00def", headers={"Content-Type": "text/plain"})
        server.route("GET", "/nul-error", status=500, body=b"broken\x00reply")
        yield server


def _run(user: Any, dispatcher: InlineDispatcher, url: str) -> Run:
    graph = {
        "nodes": [start_node(), http_node("n", url, retries=0), http_node("m", url)],
        "edges": chain("start", "n", "m"),
    }
    run, _ = run_start(owner=user, graph=graph)
    dispatcher.drain()
    run.refresh_from_db()
    return run


@pytest.mark.parametrize(
    ("path", "body"),
    [("/nul-json", {"a": "x\ufffdy", "k\ufffd": 1}), ("/nul-text", "abc\ufffddef")],
)
def test_engine_stores_a_response_with_nul_and_the_run_goes_on(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer, path: str, body: Any
) -> None:
    run = _run(user, inline_dispatcher, f"{stub.url}{path}")
    assert run.status == "succeeded"
    assert Step.objects.get(run=run, node_id="n").output["body"] == body


def test_engine_fails_a_step_whose_error_excerpt_has_nul(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    run = _run(user, inline_dispatcher, f"{stub.url}/nul-error")
    assert run.status == "failed"
    step = Step.objects.get(run=run, node_id="n")
    assert step.status == "failed" and "broken\ufffdreply" in step.error
    assert Step.objects.get(run=run, node_id="m").status == "skipped"
    assert RunEvent.objects.filter(run=run, type="step_failed").exists()


def test_cap_output_replaces_nul_but_keeps_an_escaped_backslash_u0000() -> None:
    assert cap_output({"a": "x\x00", "b": "\\u0000", "c": "\\\x00"}, 10_000) == {
        "a": "x\ufffd",
        "b": "\\u0000",
        "c": "\\\ufffd",
    }


def test_cap_output_truncates_past_the_cap() -> None:
    capped = cap_output({"body": "x" * 500}, 100)
    assert capped["truncated"] is True and len(capped["preview"]) == 100


@pytest.mark.parametrize(
    ("url", "headers", "payload", "needle"),
    [
        ("STUB/nul-text", {"X-Name": "{{payload.name}}"}, {"name": "Zoë"}, 'headers: header "X-Name": the value'),
        ("STUB/nul-text", {"X-Name": "{{payload.name}}"}, {"name": "a\nb"}, "line break"),
        ("http://{{payload.host}}/x", {}, {"host": "0127.0.0.1"}, "url: URL has the host 0127.0.0.1"),
        ("{{payload.url}}", {}, {"url": "http://127.0.0.1:1/a\rb"}, "url: URL contains a line break"),
    ],
)
def test_engine_fails_a_step_whose_resolved_request_cannot_be_sent_naming_node_and_field(
    user: Any, inline_dispatcher: InlineDispatcher, stub: StubServer, url: str, headers: Any, payload: Any, needle: str
) -> None:
    node = http_node("n", url.replace("STUB", stub.url), label="Greet", headers=headers, retries=0)
    run, _ = run_start(owner=user, graph={"nodes": [start_node(), node], "edges": chain("start", "n")}, payload=payload)
    inline_dispatcher.drain()
    run.refresh_from_db()
    step = Step.objects.get(run=run, node_id="n")
    assert (run.status, step.status) == ("failed", "failed")
    assert 'node "Greet"' in step.error, step.error
    assert needle in step.error and "internal error" not in step.error
    assert stub.requests_to("/nul-text") == []
