"""Restart Redis, then PostgreSQL, mid-batch on throwaway servers: every run completes, none is lost."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.faults import (
    SHRUNK_TIMINGS,
    ThrowawayPostgres,
    ThrowawayRedis,
    base_env,
    manage,
    reaper_totals,
    running_reaper,
    settle,
)
from tests.support.target import serving_target
from tests.support.worker import REPO, supervised_worker

pytestmark = [pytest.mark.faults, pytest.mark.timeout(240)]

PG_PORT, REDIS_PORT = 5444, 6390
RUNS = 20
TERMINAL = ("succeeded", "failed", "cancelled")


class Deployment:
    def __init__(self, env: dict[str, str], postgres: ThrowawayPostgres, redis: ThrowawayRedis) -> None:
        self.env, self.postgres, self.redis = env, postgres, redis

    def driver(self, *args: str) -> Any:
        done = subprocess.run(
            [sys.executable, "-m", "tests.faults.driver", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            return None  # the database may be restarting: the caller polls again
        return json.loads(done.stdout.strip().splitlines()[-1])

    def settle_runs(self, run_ids: list[str], *, timeout: float) -> dict[str, Any]:
        """Poll until every run is terminal; the last state seen of each."""
        last: dict[str, Any] = {}

        def finished() -> bool:
            state = self.driver("status")
            if state is not None:
                last.update({k: v for k, v in state.items() if k in run_ids})
            return bool(last) and all(last[r]["status"] in TERMINAL for r in run_ids)

        settle(finished, timeout=timeout, interval=1.0)
        return last


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    postgres, redis = ThrowawayPostgres(PG_PORT), ThrowawayRedis(REDIS_PORT)
    try:
        postgres.init()
        redis.start()
        env = base_env(
            {**SHRUNK_TIMINGS, "DATABASE_URL": postgres.create_database("aos_faults"), "REDIS_URL": redis.url}
        )
        manage(env, "migrate", "--noinput")
        yield Deployment(env, postgres, redis)
    finally:
        redis.stop()
        postgres.destroy()


def _batch_survives(deployment: Deployment, prefix: str, restart: Callable[[], None]) -> None:
    with (
        serving_target() as target,
        running_reaper(deployment.env) as reaper_log,
        # Supervised like docker's restart policy: a worker that gives up is replaced.
        supervised_worker(concurrency=8, extra_env=deployment.env) as workers,
    ):
        began = time.monotonic()
        run_ids = deployment.driver("start", target.url, prefix, str(RUNS), "0.4")
        assert run_ids and len(run_ids) == RUNS
        time.sleep(1.5)  # mid-batch: some steps done, some running, most still queued
        down = time.monotonic()
        restart()
        outage = time.monotonic() - down
        last = deployment.settle_runs(run_ids, timeout=120)
        elapsed = time.monotonic() - began
    outcomes = Counter(last.get(r, {}).get("status", "unknown") for r in run_ids)
    lost = RUNS - sum(outcomes[s] for s in TERMINAL)
    retried = sum(1 for r in run_ids for _, attempt in last.get(r, {}).get("steps", {}).values() if attempt > 1)
    totals = reaper_totals(reaper_log)
    print(f"FIGURE {prefix} restart: runs lost {lost} of {RUNS}; outcomes {dict(outcomes)}; workers {len(workers)}")
    print(
        f"FIGURE {prefix} restart: outage {outage:.1f}s, batch done in {elapsed:.0f}s, steps re-run {retried}, "
        f"re-queued {totals.get('requeued', 0)}, re-published {totals.get('republished', 0)}"
    )
    assert lost == 0
    assert outcomes["succeeded"] == RUNS, dict(outcomes)


def test_redis_restart_mid_batch_loses_no_run(deployment: Deployment) -> None:
    def restart() -> None:
        deployment.redis.stop()  # SIGKILL, no persistence: every queued message is gone
        time.sleep(1.0)
        deployment.redis.start()

    _batch_survives(deployment, "redis", restart)


def test_postgres_restart_mid_batch_loses_no_run(deployment: Deployment) -> None:
    def restart() -> None:
        deployment.postgres.stop("immediate")  # a crash: every connection drops mid-transaction
        time.sleep(1.0)
        deployment.postgres.start()

    _batch_survives(deployment, "postgres", restart)


def test_redis_and_worker_restart_while_runs_wait_in_a_delay(deployment: Deployment) -> None:
    """The scheduled resumes die with Redis and the worker holding them; the stored resume_at and
    the reaper still finish every run."""
    with (
        serving_target() as target,
        running_reaper(deployment.env),
        supervised_worker(concurrency=4, extra_env=deployment.env) as workers,
    ):
        run_ids = deployment.driver("start-delayed", target.url, "wait", "5", "3")
        assert run_ids and len(run_ids) == 5

        def waiting() -> bool:
            state = deployment.driver("status") or {}
            return all(state.get(r, {}).get("steps", {}).get("wait", [""])[0] == "waiting" for r in run_ids)

        settle(waiting, timeout=30, interval=0.5)
        deployment.redis.stop()  # SIGKILL, no persistence: the broker's messages are gone
        workers[-1].kill()  # and so are the scheduled resumes the worker held
        time.sleep(1.0)
        deployment.redis.start()
        last = deployment.settle_runs(run_ids, timeout=90)
    assert Counter(last[r]["status"] for r in run_ids) == {"succeeded": 5}
    assert sorted(s.query.get("name") for s in target.seen) == [f"wait{i}" for i in range(5)]
