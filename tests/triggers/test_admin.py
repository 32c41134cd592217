"""Admin pages of webhooks and schedules: read-only, and neither the URL token nor the secret appears."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from backend.triggers.models import Schedule, Webhook
from backend.triggers.schedule_services import schedule_put
from backend.triggers.webhook_services import webhook_put, webhook_token
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_webhook_page_shows_neither_token_nor_secret(staff: Client, workflow: Any) -> None:
    hook, secret = webhook_put(workflow=workflow, options={"signature": "stripe"})
    assert secret
    pages = [staff.get("/admin/triggers/webhook/"), staff.get(f"/admin/triggers/webhook/{hook.pk}/change/")]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert webhook_token(hook) not in text and secret not in text and hook.token_digest not in text
    assert hook.secret_masked in pages[1].content.decode()
    assert staff.get("/admin/triggers/webhook/add/").status_code == 403
    assert Webhook.objects.count() == 1


def test_admin_schedule_page_lists_the_schedule_read_only(staff: Client, workflow: Any) -> None:
    schedule = schedule_put(workflow=workflow, options={"cron": "0 9 * * *", "timezone": "Europe/Paris"})
    page = staff.get(f"/admin/triggers/schedule/{schedule.pk}/change/")
    assert page.status_code == 200 and "Europe/Paris" in page.content.decode()
    assert staff.post(f"/admin/triggers/schedule/{schedule.pk}/change/", {"cron": "* * * * *"}).status_code == 403
    assert Schedule.objects.get().cron == "0 9 * * *"
