"""Canary: a credential echoed back by the target appears nowhere but in its own ciphertext."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import Client
from rest_framework.test import APIClient

from backend.credentials.models import Credential
from backend.runs.models import RunEvent, Step
from tests.support.canary import CANARY, HARD_CANARY, canary_workflow, echo_forms, hidden_forms
from tests.support.factories import UserFactory
from tests.support.inline import InlineDispatcher
from tests.support.stub_server import StubServer

PASSPHRASE = "Vault Pass & <phrase> 42"


def _assert_clean(where: str, text: str, canary: str) -> None:
    for form in hidden_forms(canary):
        assert form not in text, f"canary form {form!r} leaked into {where}"
    assert PASSPHRASE not in text, f"the vault passphrase leaked into {where}"


def _column_text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    return json.dumps(value, default=str, ensure_ascii=False)


@pytest.mark.parametrize("canary", [CANARY, HARD_CANARY], ids=["plain", "mixed-case-and-specials"])
def test_canary_never_leaves_the_vault(
    api: APIClient, engine: InlineDispatcher, stub: StubServer, caplog: pytest.LogCaptureFixture, canary: str
) -> None:
    _canary_run(api, engine, stub, caplog, level=logging.INFO, canary=canary)


def test_canary_never_leaves_a_passphrase_vault(
    api: APIClient, engine: InlineDispatcher, stub: StubServer, caplog: pytest.LogCaptureFixture
) -> None:
    _canary_run(api, engine, stub, caplog, level=logging.DEBUG, canary=HARD_CANARY, passphrase=PASSPHRASE)
    assert Credential.objects.filter(protected=True).count() == 2


def test_canary_absent_from_debug_logs(
    api: APIClient, engine: InlineDispatcher, stub: StubServer, caplog: pytest.LogCaptureFixture
) -> None:
    _canary_run(api, engine, stub, caplog, level=logging.DEBUG, canary=CANARY)


def _canary_run(
    api: APIClient,
    engine: InlineDispatcher,
    stub: StubServer,
    caplog: pytest.LogCaptureFixture,
    *,
    level: int,
    canary: str,
    passphrase: str | None = None,
) -> None:
    caplog.set_level(level)
    stub.route("POST", "/echo", handler=echo_forms)
    responses: list[tuple[str, Any]] = []

    def call(method: str, url: str, body: Any = None) -> Any:
        response = getattr(api, method)(url, body, format="json") if body is not None else getattr(api, method)(url)
        responses.append((f"{method.upper()} {url}", response))
        return response

    token = call("post", "/v1/credentials", {"name": "canaryToken", "kind": "bearer_token", "value": canary}).json()
    call("post", "/v1/credentials", {"name": "canaryBasic", "kind": "basic_auth", "value": f"user:{canary}"})
    if passphrase:
        call("put", "/v1/vault/passphrase", {"passphrase": passphrase})
        call("post", "/v1/vault/unlock", {"passphrase": passphrase})
    workflow = call("post", "/v1/workflows", canary_workflow(stub.url)).json()
    run = call("post", "/v1/runs", {"workflowId": workflow["id"], "payload": {"title": "t"}}).json()
    engine.drain()

    # The canary really was used: the target saw it in every place the workflow put it.
    [seen] = stub.requests
    assert seen.header("authorization") == f"Bearer {canary}"
    assert seen.query["token"] == [canary] and json.loads(seen.body)["token"] == canary

    run_doc = call("get", f"/v1/runs/{run['runId']}").json()
    assert run_doc["status"] == "succeeded", run_doc
    output = Step.objects.get(run_id=run["runId"], node_id="echo").output
    assert "***" in json.dumps(output)

    for url in (
        "/v1/runs",
        f"/v1/runs/{run['runId']}/events",
        "/v1/credentials",
        f"/v1/credentials/{token['id']}",
        "/v1/workflows",
        f"/v1/workflows/{workflow['id']}",
        f"/v1/workflows/{workflow['id']}/export",
    ):
        call("get", url)
    for where, response in responses:
        assert response.status_code < 400, where
        _assert_clean(f"API response {where}", response.content.decode(), canary)

    for model in apps.get_models():
        for row in model._default_manager.all().values():
            for column, value in row.items():
                if model is Credential and column == "ciphertext":
                    continue
                _assert_clean(f"column {model._meta.db_table}.{column}", _column_text(value), canary)
    assert RunEvent.objects.filter(run_id=run["runId"]).exists()

    _assert_clean("captured logs", caplog.text + "".join(str(r.__dict__) for r in caplog.records), canary)
    assert engine.messages
    for message in engine.messages:
        _assert_clean("Celery message", message, canary)

    superuser: Any = UserFactory(username="canary-admin", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        pages = [base]
        pk_field: models.Field[Any, Any] = opts.pk  # type: ignore[assignment]
        pages += [f"{base}{pk}/change/" for pk in model._default_manager.values_list(pk_field.name, flat=True)[:20]]
        for page in pages:
            response = browser.get(page)
            assert response.status_code == 200, (page, model_admin)
            _assert_clean(f"admin page {page}", response.content.decode(), canary)
