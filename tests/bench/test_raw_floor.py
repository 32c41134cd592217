"""The HTTP node rate's ceiling: bursts of raw Celery tasks on a real worker of the bench's floor app."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.engine_figures import raw_celery_burst_per_s
from tests.support.target import serving_target
from tests.support.worker import REPO, child_env, stop_process, wait_for


@pytest.fixture
def raw_worker(tmp_path: Path) -> Iterator[None]:
    import redis

    from bench.raw_tasks import QUEUE, app

    redis.Redis.from_url(app.conf.broker_url).delete(QUEUE)
    log = tmp_path / "raw.log"
    cmd = [
        sys.executable, "-m", "celery", "-A", "bench.raw_tasks", "worker", "-Q", QUEUE, "--pool=threads",
        "--loglevel=INFO", "--concurrency=4", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=child_env({"REDIS_URL": app.conf.broker_url}), stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
    try:
        wait_for(lambda: "ready." in log.read_text() or proc.poll() is not None)
        assert proc.poll() is None, log.read_text()[-2000:]
        yield
    finally:
        stop_process(proc)


def test_raw_celery_burst_runs_each_task_once_and_reports_the_last(raw_worker: None) -> None:
    with serving_target() as target:
        rate = raw_celery_burst_per_s(f"{target.url}/burst", 30, timeout=30)
        assert [s.path for s in target.seen].count("/burst") == 30
    assert rate > 0
    assert raw_celery_burst_per_s("", 30, timeout=30) > 0
