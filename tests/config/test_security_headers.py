"""Security headers from the settings: CSP without inline scripts or styles, Permissions-Policy, no-store."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver

from backend.credentials.models import CredentialKind
from backend.credentials.services import credential_create
from backend.runs.services import run_start
from backend.web import urls
from backend.workflows.services import workflow_create
from tests.support.graphs import start_node

BEARER = CredentialKind.BEARER_TOKEN.value


def _directives(header: str) -> dict[str, list[str]]:
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def _assert_hardened(response: Any, path: str) -> None:
    assert response.status_code < 500, path
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"], path
    assert csp["style-src"] == ["'self'"], path
    assert csp["connect-src"] == ["'self'"], path
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"], path
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy, (path, policy)
    assert response["Referrer-Policy"] == "same-origin", path


def _web_paths(patterns: list[Any], prefix: str, args: dict[str, str]) -> list[str]:
    """Every page route of backend/web, with its converters filled in with real objects' ids."""
    paths = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            paths += _web_paths(pattern.url_patterns, prefix + str(pattern.pattern), args)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            for converter, value in args.items():
                route = route.replace(converter, value)
            assert "<" not in route, f"no value for a converter in {route}"
            paths.append("/" + route)
    return paths


@pytest.fixture
def signed_in(user: Any) -> Client:
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.usefixtures("discard_dispatch")
def test_security_headers_on_every_web_page(signed_in: Client, user: Any) -> None:
    graph = {"nodes": [start_node()], "edges": []}
    workflow = workflow_create(owner=user, name="Headers", graph=graph)
    run, _ = run_start(owner=user, graph=graph, idempotency_key=None, trigger="manual")
    args = {
        "<uuid:workflow_id>": str(workflow.pk),
        "<uuid:run_id>": str(run.pk),
        "<str:name>": "slack-notification",
    }
    paths = _web_paths(urls.urlpatterns, "", args)
    assert {"/login/", "/", "/builder/", "/credentials/", f"/runs/{run.pk}/"} <= set(paths)
    for path in paths:  # POST-only routes answer GET with 405: their headers count as well
        _assert_hardened(signed_in.get(path), path)


def test_security_headers_on_admin_pages(signed_in: Client) -> None:
    paths = ["/admin/", "/admin/login/"]
    for model in admin.site._registry:
        meta = model._meta
        paths += [f"/admin/{meta.app_label}/{meta.model_name}/", f"/admin/{meta.app_label}/{meta.model_name}/add/"]
    for path in paths:
        _assert_hardened(signed_in.get(path), path)


def test_security_headers_on_login_lockout_and_errors(db: Any) -> None:
    _assert_hardened(Client().get("/login/"), "/login/")
    _assert_hardened(Client().get("/no-such-page/"), "404")


def test_no_store_on_credential_and_token_responses(api: Any, user: Any, signed_in: Client) -> None:
    credential = credential_create(owner=user, name="tok", kind=BEARER, value="s3cret-value-123", options=None)
    responses = {
        "list": api.get("/v1/credentials"),
        "detail": api.get(f"/v1/credentials/{credential.pk}"),
        "create": api.post("/v1/credentials", {"name": "n2", "kind": BEARER, "value": "x" * 12}, format="json"),
        "bad": api.post("/v1/credentials", {"name": "n3"}, format="json"),
        "tokens": api.get("/v1/tokens"),
        "unauthenticated": Client().get("/v1/credentials"),
        "page": signed_in.get("/credentials/"),
    }
    for name, response in responses.items():
        assert "no-store" in response.get("Cache-Control", ""), (name, response.status_code)
    assert responses["bad"].status_code == 400
    # other API answers are not forced to no-store
    assert "no-store" not in api.get("/v1/node-types").get("Cache-Control", "")
