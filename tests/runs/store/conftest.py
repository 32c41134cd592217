"""The store under test, for each of the two stores, installed so run_start and step_services use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.runs.store import RunStore, set_store
from backend.runs.store.portable import PortableStore
from backend.runs.store.postgresql import PostgreSQLStore
from tests.support.inline import InlineDispatcher


@pytest.fixture(params=["postgresql", "portable"])
def store(request: pytest.FixtureRequest, inline_dispatcher: InlineDispatcher) -> Iterator[RunStore]:
    chosen: RunStore = PostgreSQLStore() if request.param == "postgresql" else PortableStore()
    previous = set_store(chosen)
    try:
        yield chosen
    finally:
        set_store(previous)
