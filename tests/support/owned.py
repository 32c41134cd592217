"""One object owned by a user for each id a /v1 path can name: the API surface tests fill paths with these.

A route added with a new kind of id (a new `<…_id>` in its path) needs an entry here: the isolation
matrix (tests/api/test_isolation_matrix.py) fails and names the route until it has one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from backend.accounts.services import token_create
from backend.credentials.services import credential_create
from backend.runs.services import run_start
from backend.workflows.services import workflow_create
from tests.support.graphs import chain, http_node, start_node

_numbers = itertools.count(1)


def owned_path(path: str, user: Any, made: dict[str, str] | None = None) -> str:
    """`path` with each `{name}` replaced by a new object `user` owns (their ids go into `made`);
    KeyError names a missing factory."""
    made = {} if made is None else made
    for name in re.findall(r"{(\w+)}", path):
        made[name] = OWNED[name](user, made)
        path = path.replace(f"{{{name}}}", made[name])
    return path


def _graph() -> dict[str, Any]:
    return {
        "nodes": [start_node(), http_node("ping", "http://127.0.0.1:9/never-called")],
        "edges": chain("start", "ping"),
    }


def owned_workflow(user: Any, made: dict[str, str]) -> str:
    return str(workflow_create(owner=user, name=f"owned workflow {next(_numbers)}", graph=_graph()).pk)


def owned_run(user: Any, made: dict[str, str]) -> str:
    run, _ = run_start(owner=user, graph=_graph(), payload={"n": 1})
    return str(run.pk)


def owned_credential(user: Any, made: dict[str, str]) -> str:
    credential = credential_create(
        owner=user, name=f"owned{next(_numbers)}", kind="bearer_token", value="owned-secret-value"
    )
    return str(credential.pk)


def owned_token(user: Any, made: dict[str, str]) -> str:
    token, _ = token_create(user=user, name=f"owned {next(_numbers)}")
    return str(token.pk)


def owned_version_number(user: Any, made: dict[str, str]) -> str:
    """A version the workflow of the path has: every workflow starts at version 1."""
    return "1"


# Path parameter name → a function making an object `user` owns, returning its id as the path takes it.
# `made` holds the ids already chosen for the path's earlier parameters (a nested id can need its parent).
OWNED: dict[str, Callable[[Any, dict[str, str]], str]] = {
    "workflow_id": owned_workflow,
    "run_id": owned_run,
    "credential_id": owned_credential,
    "token_id": owned_token,
    "number": owned_version_number,
}
