"""The hypothesis settings the API fuzz tests share: deterministic, no example database, bounded."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Deterministic (CI gets the same examples every time), no example database, bounded: a fuzz module
# runs in seconds against the real PostgreSQL.
FUZZ = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
