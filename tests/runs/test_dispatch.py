"""Dispatch after commit: a broker that is down never turns a stored run into an error."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import redis
from django.conf import settings

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


def _messages_for(client: Any, step_id: int) -> list[dict[str, Any]]:
    found = []
    for raw in client.lrange("celery", 0, -1):
        message = json.loads(raw)
        if json.loads(base64.b64decode(message["body"]))[0] == [step_id]:
            client.lrem("celery", 1, raw)
            found.append(message)
    return found


def _shape(message: dict[str, Any]) -> dict[str, Any]:
    """The message with its per-send values (ids, tags, origin) replaced by their kinds."""
    per_send = {"id", "root_id", "correlation_id", "delivery_tag", "origin", "reply_to"}

    def blank(mapping: dict[str, Any]) -> dict[str, Any]:
        return {k: type(v).__name__ if k in per_send else v for k, v in mapping.items()}

    headers = blank(message["headers"])
    # Celery writes a registered task's time limits into the message, [None, None] when the task is not
    # imported in the sending process; a worker reads [None, None] as those same limits of its task.
    if headers.get("timelimit") == [None, None]:
        headers["timelimit"] = [settings.CELERY_TASK_TIME_LIMIT, settings.CELERY_TASK_SOFT_TIME_LIMIT]
    return {
        **{k: v for k, v in message.items() if k not in ("headers", "properties", "body")},
        "body": json.loads(base64.b64decode(message["body"])),
        "headers": headers,
        "properties": blank(message["properties"]),
    }


@pytest.mark.parametrize("tasks_imported", [False, True])
def test_dispatch_redis_messages_match_what_celery_itself_sends(tasks_imported: bool) -> None:
    if tasks_imported:
        import workers.tasks  # noqa: F401 - registers workers.run_step with its time limits
    client = redis.Redis.from_url(settings.REDIS_URL)
    dispatch.CeleryDispatcher().enqueue([555_001])
    dispatch.RedisDispatcher(settings.REDIS_URL, "celery").enqueue([555_001])
    sent_by_celery, sent_directly = _messages_for(client, 555_001)
    assert _shape(sent_directly) == _shape(sent_by_celery)
    assert sent_directly["headers"]["id"] != sent_by_celery["headers"]["id"]


def test_dispatch_redis_sends_a_fan_out_in_order_with_distinct_ids() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    queue = "test-dispatch-order"
    client.delete(queue)
    ids = [555_100 + i for i in range(5)]
    dispatch.RedisDispatcher(settings.REDIS_URL, queue).enqueue(ids)
    popped = [client.rpop(queue) for _ in ids]  # the end kombu's BRPOP consumes from
    messages = [json.loads(raw) for raw in popped if raw]
    assert [json.loads(base64.b64decode(m["body"]))[0][0] for m in messages] == ids
    assert len({m["headers"]["id"] for m in messages}) == len(ids)


def test_dispatch_default_is_direct_on_redis_and_celery_on_the_folder_broker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from backend.config.celery import app

    assert isinstance(dispatch.default_dispatcher(), dispatch.RedisDispatcher)
    for name, value in [("broker_use_ssl", {"ssl_cert_reqs": "required"}), ("task_routes", {"x": "y"})]:
        with monkeypatch.context() as patch:
            patch.setitem(app.conf, name, value)
            assert isinstance(dispatch.default_dispatcher(), dispatch.CeleryDispatcher), name
    monkeypatch.setattr(app.conf, "broker_url", "filesystem://")
    assert isinstance(dispatch.default_dispatcher(), dispatch.CeleryDispatcher)
