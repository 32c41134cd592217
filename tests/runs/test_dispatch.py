"""Dispatch after commit: a broker that is down never turns a stored run into an error."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from backend.runs import dispatch
from backend.runs.models import Run, Step
from backend.runs.services import run_start
from tests.support.graphs import chain, http_node, start_node


class DownBroker:
    def enqueue(self, step_ids: Sequence[int]) -> None:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def down_broker(transactional_db: Any) -> Iterator[None]:
    previous = dispatch.set_dispatcher(DownBroker())
    try:
        yield
    finally:
        dispatch.set_dispatcher(previous)


def test_dispatch_broker_down_keeps_the_run_and_logs(
    user: Any, down_broker: None, caplog: pytest.LogCaptureFixture
) -> None:
    graph = {"nodes": [start_node(), http_node("a", "http://127.0.0.1:9/")], "edges": chain("start", "a")}
    with caplog.at_level(logging.WARNING, logger="backend.runs.dispatch"):
        run, _ = run_start(owner=user, graph=graph)
    assert Run.objects.get(pk=run.pk).status == "queued"
    assert Step.objects.get(run=run, node_id="a").status == "queued"  # the watchdog will send it
    assert "could not enqueue 1 step(s) (ConnectionError)" in caplog.text
    assert "6379" not in caplog.text  # the reason is the exception type, never its text


def test_dispatch_api_answers_201_when_the_broker_is_down(api: Any, down_broker: None) -> None:
    graph = {"nodes": [start_node(), http_node("a", "http://127.0.0.1:9/")], "edges": chain("start", "a")}
    response = api.post("/v1/runs", {"graph": graph}, format="json")
    assert response.status_code == 201, response.content
    assert Run.objects.filter(pk=response.json()["id"]).exists()


def test_dispatch_celery_message_reaches_the_queue_without_a_declared_binding() -> None:
    import base64
    import json

    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("_kombu.binding.celery")  # as if no worker had ever declared the queue
    step_id = 987_654_321
    dispatch.CeleryDispatcher().enqueue([step_id])
    found = []
    for raw in client.lrange("celery", 0, -1):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        if message["headers"]["task"] == dispatch.RUN_STEP_TASK and args == [step_id]:
            found.append(raw)
    for raw in found:
        client.lrem("celery", 1, raw)
    assert len(found) == 1
