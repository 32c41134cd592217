"""`manage.py rotate_webhooks`: tokens and secrets move to the current key; the URL and signature keep working."""

from __future__ import annotations

import base64
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from backend.runs.models import Run
from backend.triggers.models import Webhook
from backend.triggers.webhook_services import webhook_put, webhook_token
from tests.triggers.conftest import github_signature, post_hook

OLD = "k1:" + base64.b64encode(b"1" * 32).decode()
NEW = "k2:" + base64.b64encode(b"2" * 32).decode()


@pytest.mark.usefixtures("discard_dispatch")
def test_rotate_webhooks_reseals_token_and_secret_with_the_new_key(workflow: Any, api: APIClient) -> None:
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS=OLD):
        hook, _ = webhook_put(workflow=workflow, options={"signature": "github", "secret": "s3cret"})
        token = webhook_token(hook)
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS=f"{NEW},{OLD}"):
        out = StringIO()
        call_command("rotate_webhooks", stdout=out)
        assert "1 re-sealed, 0 already current, 0 failed" in out.getvalue()
    hook = Webhook.objects.get()
    assert hook.token_key_id == hook.secret_key_id == "k2"
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS=NEW):
        assert webhook_token(hook) == token
        body = b'{"a": 1}'
        answer = post_hook(f"/hooks/{token}", body, X_Hub_Signature_256=github_signature("s3cret", body))
        assert answer.status_code == 202 and Run.objects.count() == 1
        assert api.get(f"/v1/workflows/{workflow.pk}/webhook").json()["path"] == f"/hooks/{token}"


def test_rotate_webhooks_unreadable_hook_is_a_401_not_a_500(workflow: Any, api: APIClient) -> None:
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS=OLD):
        hook, _ = webhook_put(workflow=workflow, options={"signature": "github", "secret": "s3cret"})
        token = webhook_token(hook)
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS=NEW):
        assert post_hook(f"/hooks/{token}", b"{}").status_code == 401
        assert api.get(f"/v1/workflows/{workflow.pk}/webhook").json()["url"] is None
        fresh = api.post(f"/v1/workflows/{workflow.pk}/webhook/regenerate").json()
        assert fresh["url"] and not Run.objects.exists()
