"""Property-based fuzz of the workflow versions, workflow runs and trigger filter endpoints: never a 5xx,
every error in the error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from backend.workflows.services import workflow_create
from tests.api.test_fuzz import FUZZ, _assert_clean, _send, json_values, texts
from tests.support.graphs import chain, http_node, start_node

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("discard_dispatch")]


@pytest.fixture
def workflow_id(user: Any) -> str:
    graph = {"nodes": [start_node(), http_node("ping", "http://x.test/")], "edges": chain("start", "ping")}
    return str(workflow_create(owner=user, name="Fuzzed", graph=graph).pk)


@FUZZ
@given(body=json_values | st.fixed_dictionaries({}, optional={"payload": json_values}), key=st.none() | texts)
def test_fuzz_workflow_runs_never_5xx(api: APIClient, workflow_id: str, body: Any, key: str | None) -> None:
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    call = api.post(
        f"/v1/workflows/{workflow_id}/runs", data=json.dumps(body), content_type="application/json", **headers
    )
    _assert_clean(call)


@FUZZ
@given(number=st.sampled_from(["0", "1", "7", "2147483648", "9" * 30]), body=json_values)
def test_fuzz_version_endpoints_never_5xx(api: APIClient, workflow_id: str, number: str, body: Any) -> None:
    _assert_clean(api.get(f"/v1/workflows/{workflow_id}/versions/{number}"))
    _assert_clean(_send(api, "post", f"/v1/workflows/{workflow_id}/versions/{number}/restore", body))


@FUZZ
@given(
    params=st.dictionaries(st.sampled_from(["page", "page_size", "pageSize", "trigger", "status"]), texts, max_size=3)
)
def test_fuzz_version_and_run_lists_never_5xx(api: APIClient, workflow_id: str, params: dict[str, str]) -> None:
    _assert_clean(api.get(f"/v1/workflows/{workflow_id}/versions", params))
    _assert_clean(api.get("/v1/runs", params))


@FUZZ
@given(value=json_values | texts)
def test_fuzz_failure_workflow_id_never_5xx(api: APIClient, workflow_id: str, value: Any) -> None:
    _assert_clean(_send(api, "patch", f"/v1/workflows/{workflow_id}", {"failureWorkflowId": value}))
