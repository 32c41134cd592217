"""A step's log lines carry the time each thing happened: request, each failed attempt, the answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.runs.services import run_start
from tests.support.graphs import chain, http_node, start_node
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import Reply, StubServer


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        server.route("GET", "/flaky", replies=[Reply(status=503), Reply(status=503), Reply(status=200, body="fine")])
        server.route("GET", "/slow", delay=0.3, body="late")
        yield server


def _lines(api: APIClient, run_id: Any, node_id: str) -> list[dict[str, Any]]:
    logs = api.get(f"/v1/runs/{run_id}").json()["logs"]
    return [line for line in logs if line.get("nodeId") == node_id]


def _at(line: dict[str, Any]) -> float:
    return datetime.fromisoformat(line["ts"].replace("Z", "+00:00")).timestamp()


def test_log_times_of_a_retried_step_are_in_order_and_apart(
    user: Any, api: APIClient, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    node = http_node("n", f"{stub.url}/flaky", retries=2, retry_backoff_s=0.4)
    run, _ = run_start(owner=user, graph={"nodes": [start_node(), node], "edges": chain("start", "n")})
    inline_dispatcher.drain()
    lines = _lines(api, run.pk, "n")
    request, first_fail, second_fail, answer = (
        next(line for line in lines if line["msg"].startswith("GET ")),
        *[line for line in lines if line["msg"].startswith("attempt")],
        next(line for line in lines if line["msg"].startswith("200")),
    )
    assert request["msg"].startswith("GET ") and first_fail["msg"].startswith("attempt 1 of 3 failed")
    times = [_at(request), _at(first_fail), _at(second_fail), _at(answer)]
    assert times == sorted(times)
    # Each retry waited (at least half its backoff, by the jitter) between the failure and the next answer.
    assert times[2] - times[1] >= 0.4 / 2 * 0.95
    assert times[3] - times[2] >= 0.8 / 2 * 0.95


def test_log_times_request_line_is_stamped_before_the_answer_arrives(
    user: Any, api: APIClient, inline_dispatcher: InlineDispatcher, stub: StubServer
) -> None:
    node = http_node("n", f"{stub.url}/slow", retries=0)
    run, _ = run_start(owner=user, graph={"nodes": [start_node(), node], "edges": chain("start", "n")})
    inline_dispatcher.drain()
    lines = _lines(api, run.pk, "n")
    request = next(line for line in lines if line["msg"].startswith("GET "))
    answer = next(line for line in lines if line["msg"].startswith("200 OK"))
    assert _at(answer) - _at(request) >= 0.3 * 0.95
