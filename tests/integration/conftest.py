"""Integration fixtures: a clean Redis queue, a real worker process, a timing HTTP target."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from tests.support.worker import running_worker


@pytest.fixture(scope="session")
def clean_broker() -> None:
    """Stale messages from an earlier session must not reach this session's worker."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def worker(transactional_db: Any, clean_broker: None) -> Iterator[Any]:
    with running_worker(concurrency=8) as proc:
        yield proc
