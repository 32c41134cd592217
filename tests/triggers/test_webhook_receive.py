"""POST /hooks/<token>: bodies to payloads, trigger data, signatures, dedup, limits, 404s, vault (no worker)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from backend.runs.models import Run
from backend.triggers.models import Webhook
from tests.triggers.conftest import enable, github_signature, post_hook

pytestmark = pytest.mark.usefixtures("discard_dispatch")


def _only_run() -> Run:
    runs = list(Run.objects.all())
    assert len(runs) == 1, runs
    return runs[0]


def test_webhook_json_object_is_the_payload_and_headers_are_filtered(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow)
    response = post_hook(
        hook["path"] + "?ref=main&tag=a&tag=b", {"title": "Hello"},
        X_GitHub_Event="push", Authorization="Bearer sender-secret", Cookie="sid=1", X_Api_Key="k", X_Custom="yes",
    )  # fmt: skip
    assert response.status_code == 202
    run = _only_run()
    assert response.json() == {"runId": str(run.pk)}
    assert run.trigger == "webhook" and run.payload == {"title": "Hello"} and run.workflow_id == workflow.pk
    data = run.trigger_data
    assert data["method"] == "POST" and data["contentType"] == "application/json"
    assert data["query"] == {"ref": "main", "tag": ["a", "b"]}
    assert data["headers"]["x-github-event"] == "push" and data["headers"]["x-custom"] == "yes"
    assert not {"authorization", "cookie", "x-api-key"} & set(data["headers"])
    assert data["receivedAt"].endswith("Z")


def test_webhook_json_non_object_form_and_raw_bodies_map_to_payloads(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow)
    post_hook(hook["path"], [1, 2])
    post_hook(hook["path"], b"name=Ada&tag=x&tag=y", content_type="application/x-www-form-urlencoded")
    Client().post(hook["path"], {"name": "Grace"})  # multipart/form-data
    post_hook(hook["path"], b"plain \xff text", content_type="text/plain")
    post_hook(hook["path"], b"", content_type="application/octet-stream")
    payloads = [r.payload for r in Run.objects.order_by("created_at")]
    assert payloads == [
        {"body": [1, 2]},
        {"name": "Ada", "tag": ["x", "y"]},
        {"name": "Grace"},
        {"body": "plain \ufffd text"},
        {},
    ]


def test_webhook_malformed_json_is_400_and_stores_nothing(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow)
    response = post_hook(hook["path"], b"{nope", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"
    assert not Run.objects.exists()


def test_webhook_github_signature_good_bad_missing(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow, signature="github", secret="gh-secret", dedupHeader="X-GitHub-Delivery")
    body = json.dumps({"title": "signed"}).encode()
    bad = post_hook(hook["path"], body, X_Hub_Signature_256=github_signature("wrong", body))
    missing = post_hook(hook["path"], body)
    for refused in (bad, missing):
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_signature"
    assert "missing signature header x-hub-signature-256" in missing.json()["error"]["message"]
    assert not Run.objects.exists()
    good = post_hook(hook["path"], body, X_Hub_Signature_256=github_signature("gh-secret", body))
    assert good.status_code == 202
    assert "x-hub-signature-256" not in _only_run().trigger_data["headers"]


def test_webhook_stripe_signature_with_tolerance(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow, signature="stripe", secret="whsec_s", stripeToleranceS=60)
    body = b'{"type": "charge.succeeded"}'

    def header(t: int, secret: str = "whsec_s") -> str:
        return f"t={t},v1={github_signature(secret, f'{t}.'.encode() + body).removeprefix('sha256=')}"

    now = int(time.time())
    assert post_hook(hook["path"], body, Stripe_Signature=header(now - 120)).status_code == 401
    assert post_hook(hook["path"], body, Stripe_Signature=header(now, "other")).status_code == 401
    assert post_hook(hook["path"], body).status_code == 401
    assert post_hook(hook["path"], body, Stripe_Signature=header(now)).status_code == 202
    assert _only_run().payload == {"type": "charge.succeeded"}


def test_webhook_generic_signature_header_is_checked_and_hidden(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow, signature="generic", signatureHeader="X-Sig", secret="g")
    assert hook["signatureHeader"] == "x-sig" and hook["secretSet"] and "newSecret" not in hook
    body = b'{"a": 1}'
    assert post_hook(hook["path"], body, X_Sig="00").status_code == 401
    assert post_hook(hook["path"], body, X_Sig=github_signature("g", body).removeprefix("sha256=")).status_code == 202
    assert "x-sig" not in _only_run().trigger_data["headers"]


def test_webhook_replay_with_the_same_dedup_value_returns_the_first_run(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow)
    first = post_hook(hook["path"], {"n": 1}, Idempotency_Key="delivery-1")
    again = post_hook(hook["path"], {"n": 1}, Idempotency_Key="delivery-1")
    other = post_hook(hook["path"], {"n": 1}, Idempotency_Key="delivery-2")
    assert first.status_code == 202 and again.status_code == 200 and other.status_code == 202
    assert again.json()["runId"] == first.json()["runId"] and again.json()["duplicate"] is True
    assert Run.objects.count() == 2
    enable(api, workflow, dedupHeader="X-GitHub-Delivery")
    post_hook(hook["path"], {"n": 1}, X_GitHub_Delivery="g-1")
    assert post_hook(hook["path"], {"n": 1}, X_GitHub_Delivery="g-1").status_code == 200
    assert Run.objects.count() == 3


def test_webhook_body_over_the_hook_limit_is_413(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow, maxBodyBytes=100)
    response = post_hook(hook["path"], {"x": "y" * 200})
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
    assert response.json()["error"]["details"] == {"limit": 100}
    assert not Run.objects.exists()


def test_webhook_unknown_disabled_and_regenerated_answer_the_same_404(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow)
    unknown = post_hook("/hooks/not-a-real-token", {})
    enable(api, workflow, enabled=False)
    disabled = post_hook(hook["path"], {})
    enable(api, workflow, enabled=True)
    new = api.post(f"/v1/workflows/{workflow.pk}/webhook/regenerate").json()
    old = post_hook(hook["path"], {})
    assert new["path"] != hook["path"]
    bodies = [{k: v for k, v in r.json()["error"].items() if k != "requestId"} for r in (unknown, disabled, old)]
    assert [r.status_code for r in (unknown, disabled, old)] == [404, 404, 404]
    assert bodies[0] == bodies[1] == bodies[2] == {"code": "not_found", "message": "no webhook at this address",
                                                    "details": {}}  # fmt: skip
    assert not Run.objects.exists()
    assert post_hook(new["path"], {}).status_code == 202


def test_webhook_only_post_is_accepted(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow)
    response = Client().get(hook["path"])
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert not Run.objects.exists()


def test_webhook_rate_limit_is_429_with_retry_after(api: APIClient, workflow: Any, settings: Any) -> None:
    settings.AUTOMATEOS = {**settings.AUTOMATEOS, "WEBHOOK_RATE": "3/min"}
    hook = enable(api, workflow)
    answers = [post_hook(hook["path"], {"i": i}).status_code for i in range(4)]
    limited = post_hook(hook["path"], {})
    assert answers == [202, 202, 202, 429] and limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60 and limited.json()["error"]["code"] == "rate_limited"
    assert Run.objects.count() == 3


def test_webhook_is_not_behind_the_login_lockout_nor_csrf(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow)
    guesser = Client()  # the same client address as the hook's sender
    for _ in range(6):
        guesser.post("/login/", {"username": "alice", "password": "wrong"})
    assert guesser.post("/login/", {"username": "alice", "password": "wrong"}).status_code == 429
    response = Client(enforce_csrf_checks=True).post(hook["path"], data=b"{}", content_type="application/json")
    assert response.status_code == 202


def test_webhook_needing_a_protected_credential_is_423_and_stores_no_run(api: APIClient, user: Any) -> None:
    from backend.workflows.services import workflow_create
    from tests.support.graphs import builder_file, chain, http_node, start_node

    api.post("/v1/credentials", {"name": "notion", "kind": "bearer_token", "value": "sk_" + "n" * 24}, format="json")
    api.put("/v1/vault/passphrase", {"passphrase": "correct horse battery"}, format="json")
    api.post("/v1/vault/unlock", {"passphrase": "correct horse battery"}, format="json")  # the owner's, not the hook's
    nodes = [start_node(), http_node("secret", "http://127.0.0.1:9/x", auth={"credentialName": "notion"})]
    locked = workflow_create(owner=user, name="Locked", graph=builder_file(nodes, chain("start", "secret")))
    hook = enable(api, locked)
    response = post_hook(hook["path"], {})
    assert response.status_code == 423
    error = response.json()["error"]
    assert error["code"] == "vault_locked" and "notion" not in json.dumps(error)
    assert not Run.objects.exists()


def test_webhook_token_is_stored_as_digest_and_sealed_only(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow, signature="github")
    token = hook["path"].rsplit("/", 1)[1]
    row = Webhook.objects.get(workflow=workflow)
    stored = json.dumps([str(getattr(row, f.attname)) for f in Webhook._meta.fields])
    assert token not in stored and hook["newSecret"] not in stored
    assert len(token) >= 43 and row.token_digest != token


def test_webhook_rate_limit_works_on_the_embedded_in_memory_cache(api: APIClient, workflow: Any, settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.AUTOMATEOS = {**settings.AUTOMATEOS, "WEBHOOK_RATE": "2/min"}
    hook = enable(api, workflow)
    answers = [post_hook(hook["path"], {"i": i}).status_code for i in range(3)]
    assert answers == [202, 202, 429] and Run.objects.count() == 2


def test_webhook_malformed_multipart_is_400(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow)
    response = post_hook(hook["path"], b"--x\r\nnot a part", content_type="multipart/form-data")  # no boundary
    assert response.status_code == 400 and response.json()["error"]["code"] == "parse_error"
    assert not Run.objects.exists()


def test_webhook_refusals_never_log_the_url_token(api: APIClient, workflow: Any, caplog: Any) -> None:
    hook = enable(api, workflow, signature="github")
    token = hook["path"].rsplit("/", 1)[1]
    with caplog.at_level("DEBUG"):
        assert post_hook(hook["path"], {}).status_code == 401
        assert post_hook(hook["path"], b"{", content_type="application/json").status_code == 401
        enable(api, workflow, enabled=False)
        assert post_hook(hook["path"], {}).status_code == 404
    assert token not in caplog.text and hook["newSecret"] not in caplog.text


def test_webhook_of_a_graph_that_no_longer_compiles_is_409_without_details(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow)
    broken = dict(workflow.graph)
    broken["nodes"] = [*broken["nodes"], {"id": "odd", "type": "teleport", "data": {"config": {"secretUrl": "x"}}}]
    type(workflow).objects.filter(pk=workflow.pk).update(graph=broken)
    response = post_hook(hook["path"], {})
    error = response.json()["error"]
    assert response.status_code == 409 and error["code"] == "workflow_invalid" and error["details"] == {}
    assert "teleport" not in response.content.decode() and not Run.objects.exists()
