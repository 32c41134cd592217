"""Run-flow fixtures: a local stand-in HTTP server, and the run store under test (each of the two)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.runs.store import RunStore, set_store
from backend.runs.store.portable import PortableStore
from backend.runs.store.postgresql import PostgreSQLStore
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import stub_server  # noqa: F401 - re-exported as a fixture


@pytest.fixture(params=["postgresql", "portable"])
def store(request: pytest.FixtureRequest, inline_dispatcher: InlineDispatcher) -> Iterator[RunStore]:
    """Each store in turn, installed so run_start and step_services use it."""
    chosen: RunStore = PostgreSQLStore() if request.param == "postgresql" else PortableStore()
    previous = set_store(chosen)
    try:
        yield chosen
    finally:
        set_store(previous)
