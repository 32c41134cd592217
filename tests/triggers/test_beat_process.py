"""A real `celery beat` with the database scheduler and a real worker fire a schedule: one run per tick."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import redis
from django_celery_beat.models import IntervalSchedule

from backend.runs.models import Run
from backend.triggers.schedule_services import schedule_put
from backend.workflows.services import workflow_create
from tests.support.worker import REPO, child_env, running_worker, stop_process, wait_for
from tests.triggers.conftest import hook_graph

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_beat_process_fires_the_schedule_through_the_worker(user: Any) -> None:
    workflow = workflow_create(owner=user, name="Beaten", graph=hook_graph())
    workflow.graph = {"nodes": workflow.graph["nodes"][:1], "edges": []}  # start only: nothing to call
    workflow.save()
    schedule = schedule_put(workflow=workflow, options={"interval": {"every": 1, "unit": "minutes"}})
    # Beat fires every second: every firing within a minute belongs to the same tick, so one run.
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    task = schedule.periodic_task
    assert task is not None
    task.interval = every_second
    task.save()
    redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")).flushdb()
    log = Path(tempfile.NamedTemporaryFile(prefix="aos-beat-", suffix=".log", delete=False).name)  # noqa: SIM115
    argv = [sys.executable, "-m", "celery", "-A", "backend.config.celery", "beat", "--loglevel=INFO",
            "-S", "django_celery_beat.schedulers:DatabaseScheduler"]  # fmt: skip
    with running_worker(concurrency=2), log.open("wb") as out:
        beat = subprocess.Popen(argv, cwd=REPO, env=child_env(), stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: Run.objects.filter(trigger="schedule").exists(), timeout=30)
            time.sleep(3)  # three more firings of the same minute
        finally:
            stop_process(beat)
    assert log.read_text().count("workers.fire_schedule") >= 2, log.read_text()[-2000:]
    runs = list(Run.objects.filter(trigger="schedule"))
    ticks = {run.trigger_data["scheduledAt"] for run in runs}
    assert len(runs) == len(ticks) <= 2 and all(t.endswith(":00.000Z") for t in ticks)
    schedule.refresh_from_db()
    assert schedule.last_run_id in {run.pk for run in runs}
