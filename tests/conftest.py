"""Shared fixtures: users, authenticated API clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.accounts.services import token_create
from tests.support.factories import UserFactory
from tests.support.inline import InlineDispatcher, installed_inline_dispatcher


@pytest.fixture
def user(db: Any) -> Any:
    return UserFactory(username="alice")


@pytest.fixture
def other_user(db: Any) -> Any:
    return UserFactory(username="bob")


def _client_for(user: Any) -> APIClient:
    _, raw = token_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api(user: Any) -> APIClient:
    """An API client authenticated as `user` with a real bearer token."""
    return _client_for(user)


@pytest.fixture
def other_api(other_user: Any) -> APIClient:
    return _client_for(other_user)


@pytest.fixture
def inline_dispatcher(transactional_db: Any) -> Iterator[InlineDispatcher]:
    """Steps run in this process on `drain()`; committed transactions so on_commit fires."""
    yield from installed_inline_dispatcher()


class _Discard:
    def enqueue(self, step_ids: Any) -> None:
        pass

    def fire_failure_hook(self, run_id: str) -> None:
        pass


@pytest.fixture
def discard_dispatch() -> Iterator[None]:
    """Started runs send nothing anywhere: for tests of what the API stores and answers."""
    from backend.runs import dispatch

    previous = dispatch.set_dispatcher(_Discard())
    try:
        yield
    finally:
        dispatch.set_dispatcher(previous)


@pytest.fixture(scope="session", autouse=True)
def _release_test_database(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Before pytest-django drops the test database, end sessions other threads left open
    (Channels' sync-to-async threads, the engine's watcher) so the drop does not fail."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
