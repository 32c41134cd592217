"""Schemathesis against the live schema, in process: every operation of /v1, called with a real token of
a user who owns a workflow, credential, run and token, answers without a 5xx and as its schema says
(status code, content type, body, headers)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.accounts.services import token_create
from backend.config.wsgi import application
from tests.support.owned import OWNED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("discard_dispatch")]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Deterministic and bounded: the same examples on every run, the whole module in well under a minute.
EXAMPLES = settings(
    max_examples=15,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """What Django's test client does: a request's end must not close the connection that holds the
    test's open transaction (it would, seeing autocommit off)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_openapi_every_operation_answers_as_its_schema_says(
    mode: GenerationMode, user: Any, in_test_transaction: None
) -> None:
    """Positive: input the schema allows. Negative: input it forbids, which must be a documented 4xx."""
    schema = schemathesis.openapi.from_wsgi("/v1/schema/?format=json", application)
    for make in OWNED.values():
        make(user, {})  # the owner has one of everything before any call
    _, raw = token_create(user=user, name="schemathesis")
    headers = {"Authorization": f"Bearer {raw}"}
    turns = itertools.count()
    failures: list[str] = []
    answered: dict[str, set[int]] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, [op.label for op in operations]

    for operation in operations:

        @EXAMPLES
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case: Any) -> None:
            # Every other call names an object the user owns (made fresh: a DELETE may have taken the
            # last one); the others keep the generated id, which must be a documented 404.
            if next(turns) % 2 == 0:
                made: dict[str, str] = {}
                for name in case.path_parameters or {}:
                    if name in OWNED:
                        made[name] = case.path_parameters[name] = OWNED[name](user, made)
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            answered.setdefault(case.operation.label, set()).add(response.status_code)

        try:
            call()
        except Exception as exc:  # collected: one report names every failing operation
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
    assert set(answered) == {op.label for op in operations}
    if mode is GenerationMode.NEGATIVE:
        return
    # Calls reach the views, not only the authentication: most operations also answered a success.
    succeeded = {label for label, codes in answered.items() if any(200 <= code < 300 for code in codes)}
    assert len(succeeded) >= len(operations) * 2 // 3, answered
