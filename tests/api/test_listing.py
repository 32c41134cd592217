"""List conventions on every /v1 list (found in the schema: each operation with a `page` parameter):
{count, next, previous, results}, ?page / ?page_size (alias pageSize), absolute links, ?ordering from an
allow-list, a page past the end is a 404 in the error envelope."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from backend.workflows.models import Workflow
from backend.workflows.services import workflow_update
from tests.support.owned import OWNED, owned_path

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("discard_dispatch")]

# A list's items come from the factory of the id its items have: /v1/workflows lists workflow_id's.
_ITEM_ID = {"workflows": "workflow_id", "runs": "run_id", "credentials": "credential_id", "tokens": "token_id"}


def _schema() -> dict[str, Any]:
    return json.loads(APIClient().get("/v1/schema/?format=json").content)


def _lists() -> list[tuple[str, list[str]]]:
    """(path, allowed orderings) of every list operation the schema documents."""
    found = []
    for path, item in _schema()["paths"].items():
        parameters = {p["name"]: p for p in item.get("get", {}).get("parameters", [])}
        if "page" in parameters:
            found.append((path, parameters["ordering"]["schema"]["enum"]))
    return found


@pytest.fixture
def lists(db: Any) -> list[tuple[str, list[str]]]:
    found = _lists()
    assert {path for path, _ in found} >= {"/v1/workflows", "/v1/runs", "/v1/credentials", "/v1/tokens"}
    return found


def _more_versions(user: Any, made: dict[str, str]) -> str:
    workflow = Workflow.objects.get(pk=made["workflow_id"])
    return str(workflow_update(workflow=workflow, variables={"n": workflow.version + 1}).version)


# Items of a list nested under an object, made from the ids of its path.
_NESTED = {"versions": _more_versions}


def _filled(path: str, user: Any, count: int = 3) -> str:
    """The list's URL with at least `count` items the user owns in it (where a factory knows the items)."""
    made: dict[str, str] = {}
    url = owned_path(path, user, made)
    last = path.rstrip("/").rsplit("/", 1)[-1]
    name = _ITEM_ID.get(last)
    for _ in range(count if name or last in _NESTED else 0):
        if name:
            OWNED[name](user, {})
        else:
            _NESTED[last](user, made)
    return url


def test_listing_pages_with_page_size_and_its_alias(api: APIClient, user: Any, lists: Any) -> None:
    for path, _ in lists:
        url = _filled(path, user)
        whole = api.get(url).json()
        assert set(whole) == {"count", "next", "previous", "results"}, path
        assert whole["count"] >= 2, path
        for size in ("page_size", "pageSize"):
            first = api.get(f"{url}?{size}=1").json()
            assert len(first["results"]) == 1 and first["previous"] is None, path
            assert first["next"].startswith("http://testserver/v1/"), first["next"]  # absolute
            second = api.get(first["next"]).json()
            assert second["results"] and second["results"] != first["results"], path
            assert second["previous"].startswith("http://testserver/v1/"), path


def test_listing_page_past_the_end_is_404_in_the_envelope(api: APIClient, user: Any, lists: Any) -> None:
    for path, _ in lists:
        response = api.get(f"{_filled(path, user, 1)}?page=999")
        assert response.status_code == 404, path
        error = response.json()["error"]
        assert error["code"] == "not_found" and "out of range" in error["message"] and error["details"]["page"] == 999


def test_listing_page_and_size_must_be_positive_integers(api: APIClient, user: Any, lists: Any) -> None:
    for path, _ in lists:
        url = owned_path(path, user)
        for query in ("page=0", "page=abc", "page_size=0", "pageSize=-1", "page_size=x"):
            response = api.get(f"{url}?{query}")
            assert response.status_code == 400, (path, query)
            assert response.json()["error"]["code"] == "validation_error"


@override_settings(AUTOMATEOS={**settings.AUTOMATEOS, "API_PAGE_SIZE": 2, "API_MAX_PAGE_SIZE": 3})
def test_listing_default_and_maximum_page_size_come_from_settings(api: APIClient, user: Any) -> None:
    url = _filled("/v1/workflows", user, 5)
    assert len(api.get(url).json()["results"]) == 2
    assert len(api.get(f"{url}?page_size=100").json()["results"]) == 3


def test_listing_unknown_ordering_is_400_naming_the_allowed_values(api: APIClient, user: Any, lists: Any) -> None:
    for path, allowed in lists:
        response = api.get(f"{owned_path(path, user)}?ordering=password")
        assert response.status_code == 400, path
        error = response.json()["error"]
        assert all(value in error["message"] for value in allowed), error


def test_listing_every_allowed_ordering_answers(api: APIClient, user: Any, lists: Any) -> None:
    for path, allowed in lists:
        url = _filled(path, user, 2)
        for value in allowed:
            assert api.get(f"{url}?ordering={value}").status_code == 200, (path, value)


def test_listing_workflows_ordering_by_name_and_created(api: APIClient) -> None:
    graph = {"nodes": [{"id": "start", "type": "start", "config": {}}], "edges": []}
    for name in ("b", "c", "a"):
        assert api.post("/v1/workflows", {"name": name, "graph": graph}, format="json").status_code == 201

    def names(ordering: str) -> list[str]:
        return [w["name"] for w in api.get(f"/v1/workflows?ordering={ordering}").json()["results"]]

    assert names("name") == ["a", "b", "c"] and names("-name") == ["c", "b", "a"]
    assert names("created_at") == ["b", "c", "a"] and names("-created_at") == ["a", "c", "b"]


def test_listing_runs_oldest_first_with_filters(api: APIClient, user: Any) -> None:
    ids = [OWNED["run_id"](user, {}) for _ in range(3)]
    listed = api.get("/v1/runs?ordering=created_at&status=queued").json()
    assert [r["id"] for r in listed["results"]] == ids
    assert api.get("/v1/runs?ordering=created_at&status=failed").json()["count"] == 0


def test_listing_dates_are_utc_with_z(api: APIClient, user: Any, lists: Any) -> None:
    for path, _ in lists:
        for item in api.get(_filled(path, user, 1)).json()["results"]:
            for key, value in item.items():
                if key.endswith("At") and value is not None:
                    assert value.endswith("Z") and "T" in value, (path, key, value)
