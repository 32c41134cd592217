"""The Slack message node against a local stand-in answering like an incoming webhook, error answers included."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pydantic import ValidationError
from rest_framework.test import APIClient

from backend.runs.models import RunEvent, Step
from tests.support.canary import CANARY, hidden_forms
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import Reply, SeenRequest, StubServer
from workers.executors.base import EngineLimits, NodeContext, NodeFailure
from workers.executors.registry import SPECS
from workers.executors.slack import SlackConfig, SlackExecutor

run = SlackExecutor().run
HOOK_PATH = "/services/T0001/B0001/s3cr3tW3bh00kT0k3n"
FAST = {"retry_backoff_s": 0.01}


@pytest.fixture
def slack() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server


def _ctx(config: dict[str, Any], lines: list[tuple[str, str, dict[str, Any]]] | None = None) -> NodeContext:
    def log(level: str, message: str, data: Mapping[str, Any]) -> None:
        if lines is not None:
            lines.append((level, message, dict(data)))

    return NodeContext(
        run_id="run-1",
        node_id="notify",
        label="Notify team",
        config=config,
        log=log,
        limits=EngineLimits(allow_private_networks=True),
    )


def _webhook_answer(seen: SeenRequest) -> Reply:
    """Answers like hooks.slack.com: 200 "ok", or a plain-text error code."""
    try:
        message = seen.json()
    except ValueError:
        return Reply(status=400, body="invalid_payload")
    if not isinstance(message, dict) or not message.get("text"):
        return Reply(status=400, body="no_text")
    return Reply(body="ok")


# -- config (what the compiler stores, what the inspector draws) ------------------------------
def test_slack_is_registered_with_its_schema() -> None:
    spec = SPECS["slack"]
    assert spec.label == "Slack message" and spec.config_model is SlackConfig
    schema = SlackConfig.model_json_schema()
    assert {"webhook", "text", "blocks", "timeout_s", "retries", "on_error", "note"} <= set(schema["properties"])
    assert schema["required"] == ["webhook", "text"]


def test_slack_credential_name_is_stored_as_the_template() -> None:
    config = SlackConfig.model_validate({"webhook": {"credentialName": "slackWebhook"}, "text": "hi"})
    assert config.model_dump(exclude_unset=True) == {"webhook": "{{getCredential('slackWebhook')}}", "text": "hi"}


def test_slack_refuses_a_webhook_url_written_into_the_config() -> None:
    with pytest.raises(ValidationError, match="the webhook URL is a secret") as caught:
        SlackConfig.model_validate({"webhook": "https://hooks.slack.com/services/T/B/x", "text": "hi"})
    assert "hooks.slack.com" not in json.dumps(caught.value.errors(include_input=False, include_url=False))


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"webhook": "{{vars.hook}}", "text": "hi"}, "the webhook URL is a secret"),
        ({"webhook": {"credentialName": "a'b"}, "text": "hi"}, "credentialName must be"),
        ({"webhook": "{{getCredential('h')}}", "text": ""}, "at least 1 character"),
        ({"webhook": "{{getCredential('h')}}", "text": "hi", "blocks": [{"text": "x"}]}, "blocks\\[0\\] has no `type`"),
        ({"webhook": "{{getCredential('h')}}", "text": "hi", "blocks": "nope"}, "valid list"),
    ],
)
def test_slack_config_problems(config: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        SlackConfig.model_validate(config)


# -- sending --------------------------------------------------------------------------------
def test_slack_posts_text_and_blocks(slack: StubServer) -> None:
    slack.route("POST", HOOK_PATH, handler=_webhook_answer)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": '*Deploy* "v2"'}}]
    lines: list[tuple[str, str, dict[str, Any]]] = []
    result = run(_ctx({"webhook": slack.url + HOOK_PATH, "text": 'Deploy "v2" done', "blocks": blocks}, lines))
    assert result.output == {"status": 200, "ok": True}
    [seen] = slack.requests
    assert seen.json() == {"text": 'Deploy "v2" done', "blocks": blocks}
    assert seen.header("content-type") == "application/json"
    assert "idempotency-key" not in seen.headers
    assert lines[0][1] == "POST the Slack webhook"
    assert "s3cr3t" not in repr(lines)


def test_slack_text_from_a_number_placeholder_is_sent_as_text(slack: StubServer) -> None:
    slack.route("POST", HOOK_PATH, handler=_webhook_answer)
    run(_ctx({"webhook": slack.url + HOOK_PATH, "text": 42}))
    assert slack.requests[0].json() == {"text": "42"}


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (
            400,
            "invalid_payload",
            "Slack refused the message: invalid_payload (the text or blocks are not valid Slack JSON)",
        ),
        (400, "no_text", "Slack refused the message: no_text (the message has no text)"),
        (403, "action_prohibited", "action_prohibited (a workspace admin restricted posting to this channel)"),
        (403, "no_service", "no_service (the webhook was disabled, removed or is wrong"),
        (404, "no_service", "no_service (the webhook was disabled"),
        (404, "channel_not_found", "channel_not_found (the webhook's channel no longer exists) [HTTP 404]"),
        (410, "channel_is_archived", "channel_is_archived (the webhook's channel is archived) [HTTP 410]"),
    ],
)
def test_slack_error_answers_name_the_node_and_the_reason(
    slack: StubServer, status: int, code: str, expected: str
) -> None:
    slack.route("POST", HOOK_PATH, status=status, body=code)
    with pytest.raises(NodeFailure) as caught:
        run(_ctx({"webhook": slack.url + HOOK_PATH, "text": "hi", **FAST}))
    assert caught.value.message.startswith('node "Notify team": ')
    assert expected in caught.value.message
    assert caught.value.output == {"status": status, "ok": False, "error": code}
    assert len(slack.requests) == 1  # a refusal is not retried
    assert "s3cr3t" not in caught.value.message


def test_slack_honours_retry_after_on_429(slack: StubServer) -> None:
    slack.route(
        "POST",
        HOOK_PATH,
        replies=[Reply(status=429, headers={"Retry-After": "1"}, body="rate_limited"), Reply(body="ok")],
    )
    lines: list[tuple[str, str, dict[str, Any]]] = []
    assert run(_ctx({"webhook": slack.url + HOOK_PATH, "text": "hi", **FAST}, lines)).output["ok"] is True
    first, second = slack.requests
    assert second.at - first.at >= 0.9
    assert any("retrying in 1.0s" in message for level, message, _ in lines if level == "warn")


def test_slack_rate_limit_that_persists_fails_clearly(slack: StubServer) -> None:
    slack.route("POST", HOOK_PATH, status=429, headers={"Retry-After": "0"}, body="rate_limited")
    with pytest.raises(NodeFailure, match=r"Slack refused the message: rate_limited \(Slack is rate-limiting"):
        run(_ctx({"webhook": slack.url + HOOK_PATH, "text": "hi", "retries": 1, **FAST}))
    assert len(slack.requests) == 2


def test_slack_long_retry_after_fails_without_waiting(slack: StubServer) -> None:
    slack.route("POST", HOOK_PATH, status=429, headers={"Retry-After": "3600"}, body="rate_limited")
    with pytest.raises(NodeFailure, match="Retry-After 3600s is longer than the 30s"):
        run(_ctx({"webhook": slack.url + HOOK_PATH, "text": "hi"}))
    assert len(slack.requests) == 1


def test_slack_server_error_is_not_resent(slack: StubServer) -> None:
    # Slack may have posted before failing: a second POST could post twice.
    slack.route("POST", HOOK_PATH, status=500, body="rollup_error")
    with pytest.raises(NodeFailure, match=r"Slack refused the message: rollup_error \[HTTP 500\]"):
        run(_ctx({"webhook": slack.url + HOOK_PATH, "text": "hi", **FAST}))
    assert len(slack.requests) == 1


def test_slack_redirect_is_not_success(slack: StubServer) -> None:
    slack.route("POST", HOOK_PATH, redirect="/elsewhere")
    with pytest.raises(NodeFailure, match="does not hold a Slack incoming-webhook URL"):
        run(_ctx({"webhook": slack.url + HOOK_PATH, "text": "hi"}))
    assert [r.path for r in slack.requests] == [HOOK_PATH]


def test_slack_network_error_names_the_webhook_not_its_url() -> None:
    with pytest.raises(NodeFailure) as caught:
        run(_ctx({"webhook": "http://127.0.0.1:9/services/T/B/s3cr3t", "text": "hi", "retries": 0}))
    assert caught.value.message.startswith('node "Notify team": network error calling POST the Slack webhook: ')
    assert "s3cr3t" not in caught.value.message


def test_slack_cancel_breaks_a_slow_answer(slack: StubServer) -> None:
    slack.route("POST", HOOK_PATH, body="ok", delay=5)
    ctx = _ctx({"webhook": slack.url + HOOK_PATH, "text": "hi"})
    cancelled = threading.Event()
    ctx.is_cancelled = cancelled.is_set

    def cancel() -> None:
        time.sleep(0.3)
        cancelled.set()
        for hook in list(ctx.abort_hooks):
            hook()

    threading.Thread(target=cancel, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(NodeFailure) as caught:
        run(ctx)
    assert time.monotonic() - started < 3
    assert caught.value.message == 'node "Notify team": cancelled during POST the Slack webhook'
    assert ctx.abort_hooks == []


def test_slack_credential_that_is_not_a_url_is_not_quoted() -> None:
    with pytest.raises(NodeFailure) as caught:
        run(_ctx({"webhook": "xoxb-not-a-webhook-s3cr3t", "text": "hi"}))
    assert "the credential does not hold a usable webhook URL" in caught.value.message
    assert "s3cr3t" not in caught.value.message


# -- through the engine: the webhook URL stays secret ------------------------------------------
def _slack_file(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "nodes": [
            {"id": "start", "type": "start", "position": {"x": 0, "y": 0}, "data": {"label": "Start", "config": {}}},
            {
                "id": "notify",
                "type": "slack",
                "position": {"x": 200, "y": 0},
                "data": {"label": "Notify", "config": config},
            },
        ],
        "edges": [{"id": "e1", "source": "start", "target": "notify"}],
        "meta": {"name": "Slack canary", "version": 1},
    }


@pytest.mark.parametrize("answer", ["ok", "echo"])
def test_slack_webhook_url_never_reaches_output_error_or_events(
    api: APIClient, inline_dispatcher: InlineDispatcher, slack: StubServer, answer: str
) -> None:
    path = f"/services/T0/B0/{CANARY}"
    if answer == "ok":
        slack.route("POST", path, body="ok")
    else:  # a careless service quoting the URL it was called on in its error answer
        slack.route("POST", path, status=400, body=f"invalid_payload for {slack.url}{path}")
    hook = slack.url + path
    assert (
        api.post(
            "/v1/credentials", {"name": "slackWebhook", "kind": "secret_text", "value": hook}, format="json"
        ).status_code
        == 201
    )
    workflow = api.post(
        "/v1/workflows",
        _slack_file({"webhook": {"credentialName": "slackWebhook"}, "text": "{{payload.m}}"}),
        format="json",
    )
    assert workflow.status_code == 201, workflow.content
    started = api.post("/v1/runs", {"workflowId": workflow.json()["id"], "payload": {"m": "hello"}}, format="json")
    run_id = started.json()["runId"]
    inline_dispatcher.drain()
    doc = api.get(f"/v1/runs/{run_id}").json()
    assert doc["status"] == ("succeeded" if answer == "ok" else "failed")
    assert slack.requests[0].json() == {"text": "hello"}
    step = Step.objects.get(run_id=run_id, node_id="notify")
    assert step.config["webhook"] == "{{getCredential('slackWebhook')}}"
    if answer == "ok":
        assert step.output == {"status": 200, "ok": True}
    else:
        assert 'node "Notify": Slack refused the message' in (step.error or "")
    stored = json.dumps(
        [doc, step.config, step.output, step.error, list(RunEvent.objects.values_list("message", "data"))],
        default=str,
    )
    stored += json.dumps(workflow.json()) + json.dumps(api.get(f"/v1/workflows/{workflow.json()['id']}").json())
    for form in hidden_forms(CANARY):
        assert form not in stored, f"webhook canary form {form!r} leaked"
