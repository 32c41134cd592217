"""Run-through fixtures: the inline dispatcher (as `engine`) and a local stub server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer


@pytest.fixture
def engine(inline_dispatcher: InlineDispatcher) -> InlineDispatcher:
    return inline_dispatcher


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server
