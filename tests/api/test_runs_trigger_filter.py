"""GET /v1/runs?trigger=<kind>: runs of that trigger only; an unknown kind is a 400 listing the allowed ones."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.runs.services import run_start
from backend.runs.states import RunTrigger
from tests.support.graphs import start_node

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_dispatch(discard_dispatch: None) -> None:
    """Started runs are stored, never sent."""


def _runs(user: Any, *triggers: str) -> list[str]:
    return [str(run_start(owner=user, graph={"nodes": [start_node()], "edges": []}, trigger=t)[0].pk) for t in triggers]


def test_runs_trigger_filter_keeps_that_kind_only(api: APIClient, user: Any, other_user: Any) -> None:
    manual, _, hook = _runs(user, "manual", "api", "failure_hook")
    _runs(other_user, "failure_hook")
    body = api.get("/v1/runs?trigger=failure_hook").json()
    assert [r["id"] for r in body["results"]] == [hook]
    assert body["results"][0]["trigger"] == "failure_hook"
    assert [r["id"] for r in api.get("/v1/runs?trigger=manual&status=succeeded").json()["results"]] == [manual]
    assert api.get("/v1/runs").json()["count"] == 3


def test_runs_trigger_filter_unknown_kind_is_a_400_listing_the_allowed(api: APIClient) -> None:
    refused = api.get("/v1/runs?trigger=cron")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["details"] == {"trigger": list(RunTrigger.values)}
    assert all(kind in error["message"] for kind in RunTrigger.values)
