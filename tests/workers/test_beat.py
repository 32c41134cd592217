"""A real worker process records its liveness beat once ready and removes it when it stops."""

from __future__ import annotations

from typing import Any

import pytest

from backend.core.health import health_check
from backend.core.models import WorkerBeat
from tests.support.worker import running_worker, wait_for

pytestmark = pytest.mark.integration


def test_beat_recorded_while_the_worker_runs_and_removed_on_stop(transactional_db: Any) -> None:
    assert health_check()["worker"].startswith("error: no worker")
    with running_worker(concurrency=2):
        beat = wait_for(lambda: WorkerBeat.objects.first(), timeout=15)
        assert health_check()["worker"] == "ok"
    assert not WorkerBeat.objects.filter(pk=beat.pk).exists()
