"""Owner API of a workflow's webhook: enable with options, read back the URL, secret shown once, 404s."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.triggers.models import Webhook
from tests.triggers.conftest import enable

pytestmark = pytest.mark.django_db


def test_webhook_api_enable_reads_back_the_full_url(api: APIClient, workflow: Any) -> None:
    assert api.get(f"/v1/workflows/{workflow.pk}/webhook").status_code == 404
    created = enable(api, workflow, respond="result", respondNode="notify", respondTimeoutS=5)
    assert created["url"].startswith("http://testserver/hooks/") and created["url"].endswith(created["path"])
    assert created["enabled"] and created["signature"] == "none" and created["dedupHeader"] == "Idempotency-Key"
    assert created["respond"] == "result" and created["respondNode"] == "notify" and created["respondTimeoutS"] == 5
    again = api.get(f"/v1/workflows/{workflow.pk}/webhook").json()
    assert again["url"] == created["url"]


def test_webhook_api_made_up_secret_is_shown_once_then_masked(api: APIClient, workflow: Any) -> None:
    created = enable(api, workflow, signature="github")
    secret = created["newSecret"]
    assert secret.startswith("whsec_") and created["secretSet"] and secret not in created["secretPreview"]
    read = api.get(f"/v1/workflows/{workflow.pk}/webhook")
    assert secret not in read.content.decode() and "newSecret" not in read.json()
    updated = enable(api, workflow, respondTimeoutS=3)
    assert "newSecret" not in updated and updated["secretPreview"] == created["secretPreview"]
    given = enable(api, workflow, secret="my-own-secret-value")
    assert "newSecret" not in given and "my-own-secret-value" not in str(given)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"signature": "md5"}, "signature"),
        ({"respondTimeoutS": 31}, "respondTimeoutS"),
        ({"respondNode": "missing"}, "respondNode"),
        ({"maxBodyBytes": 10**9}, "maxBodyBytes"),
        ({"failureStatus": 500}, "failureStatus"),
        ({"dedupHeader": "Bad Header"}, "dedupHeader"),
        ({"enabled": "yes"}, "enabled"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_webhook_api_bad_option_is_400_naming_it(
    api: APIClient, workflow: Any, options: dict[str, Any], field: str
) -> None:
    response = api.put(f"/v1/workflows/{workflow.pk}/webhook", options, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["details"]
    assert not Webhook.objects.exists()


def test_webhook_api_delete_disables_for_good(api: APIClient, workflow: Any) -> None:
    hook = enable(api, workflow)
    assert api.delete(f"/v1/workflows/{workflow.pk}/webhook").status_code == 204
    assert api.get(f"/v1/workflows/{workflow.pk}/webhook").status_code == 404
    assert api.post(hook["path"], {}, format="json").status_code == 404


def test_webhook_api_another_users_workflow_is_404_everywhere(
    api: APIClient, other_api: APIClient, workflow: Any
) -> None:
    enable(api, workflow)
    base = f"/v1/workflows/{workflow.pk}"
    answers = [
        other_api.get(f"{base}/webhook"),
        other_api.put(f"{base}/webhook", {"enabled": False}, format="json"),
        other_api.delete(f"{base}/webhook"),
        other_api.post(f"{base}/webhook/regenerate"),
        other_api.get(f"{base}/schedule"),
        other_api.put(f"{base}/schedule", {"cron": "* * * * *"}, format="json"),
        other_api.delete(f"{base}/schedule"),
    ]
    assert [a.status_code for a in answers] == [404] * 7
    assert Webhook.objects.get().enabled


@pytest.mark.django_db(transaction=True)
def test_webhook_api_two_first_puts_at_once_make_one_hook(user: Any) -> None:
    import threading

    from django.db import connection

    from backend.triggers.webhook_services import webhook_put
    from backend.workflows.services import workflow_create
    from tests.triggers.conftest import hook_graph

    workflow = workflow_create(owner=user, name="Raced", graph=hook_graph())
    barrier, errors = threading.Barrier(3), []

    def put() -> None:
        barrier.wait()
        try:
            webhook_put(workflow=workflow, options={"enabled": True})
        except Exception as exc:  # the test reports whatever escaped
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=put) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and Webhook.objects.filter(workflow=workflow).count() == 1
