"""The Delay node: its config (seconds or a moment with a time zone) and when it waits or is done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from workers.executors.base import NodeContext, NodeWait
from workers.executors.delay import DelayConfig, DelayExecutor


def _ctx(config: dict[str, object], resume_at: datetime | None = None) -> NodeContext:
    return NodeContext(run_id="r", node_id="wait", label="Wait", config=config, resume_at=resume_at)


def test_delay_config_takes_seconds_or_a_moment_with_its_zone() -> None:
    assert DelayConfig.model_validate({"seconds": 5}).seconds == 5
    assert DelayConfig.model_validate({"until": "2026-12-24T09:00:00+01:00"}).until
    for bad, words in [
        ({}, "exactly one of `seconds` or `until`"),
        ({"seconds": 1, "until": "2026-12-24T09:00:00Z"}, "exactly one"),
        ({"until": "2026-12-24T09:00:00"}, "needs a time zone"),
        ({"until": "tomorrow"}, "not an ISO 8601"),
        ({"seconds": -1}, "greater than or equal to 0"),
    ]:
        with pytest.raises(ValidationError, match=words):
            DelayConfig.model_validate(bad)


def test_delay_first_attempt_waits_then_the_resumed_one_is_done() -> None:
    start = datetime.now(UTC)
    with pytest.raises(NodeWait) as wait:
        DelayExecutor().run(_ctx({"seconds": 60}))
    assert start + timedelta(seconds=59) < wait.value.resume_at < start + timedelta(seconds=62)
    due = datetime.now(UTC) - timedelta(seconds=1)
    result = DelayExecutor().run(_ctx({"seconds": 60}, resume_at=due))
    assert result.output == {"waitedUntil": due.isoformat().replace("+00:00", "Z")}


def test_delay_until_a_past_moment_does_not_wait() -> None:
    result = DelayExecutor().run(_ctx({"until": "2020-01-01T00:00:00Z"}))
    assert result.output == {"waitedUntil": "2020-01-01T00:00:00Z"}
    with pytest.raises(NodeWait) as wait:
        DelayExecutor().run(_ctx({"until": "2999-01-01T10:00:00+02:00"}))
    assert wait.value.resume_at == datetime(2999, 1, 1, 8, tzinfo=UTC)
