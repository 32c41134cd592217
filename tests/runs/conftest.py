"""Run-flow fixtures: a local stand-in HTTP server."""

from __future__ import annotations

from tests.support.stub_server import stub_server  # noqa: F401 - re-exported as a fixture
