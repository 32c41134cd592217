"""The HTTP node rate's ceiling: bursts of raw Celery tasks on a real worker of the bench's floor app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.engine_figures import raw_celery_burst_per_s
from tests.support.target import serving_target
from tests.support.worker import running_worker


@pytest.fixture
def raw_worker() -> Iterator[None]:
    import redis

    from bench.raw_tasks import QUEUE, app

    redis.Redis.from_url(app.conf.broker_url).delete(QUEUE)
    env = {"REDIS_URL": app.conf.broker_url}
    with running_worker(concurrency=4, app="bench.raw_tasks", queue=QUEUE, extra_env=env):
        yield


def test_raw_celery_burst_runs_each_task_once_and_reports_the_last(raw_worker: None) -> None:
    with serving_target() as target:
        rate = raw_celery_burst_per_s(f"{target.url}/burst", 30, timeout=30)
        assert [s.path for s in target.seen].count("/burst") == 30
    assert rate > 0
    assert raw_celery_burst_per_s("", 30, timeout=30) > 0
