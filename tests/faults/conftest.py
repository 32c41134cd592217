"""Fault-test fixtures: a clean broker, a run owner visible to worker processes, shrunk timings."""

from __future__ import annotations

import os
from typing import Any

import pytest
import redis

from tests.support.factories import UserFactory
from tests.support.faults import SHRUNK_TIMINGS
from tests.support.worker import child_env


@pytest.fixture
def clean_broker() -> None:
    """Messages left by an earlier test (or session) must not reach this test's workers."""
    redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")).flushdb()


@pytest.fixture
def owner(transactional_db: Any, clean_broker: None) -> Any:
    """A user whose runs are committed for real, so worker and reaper processes see them."""
    return UserFactory(username="faults")


@pytest.fixture
def shrunk_env(owner: Any) -> dict[str, str]:
    """The environment for worker and reaper children: the test database and shrunk timings."""
    return child_env(SHRUNK_TIMINGS)
