"""Admin pages list previews and dates and replace values through a write-only field, never showing one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from backend.credentials.models import Credential
from backend.credentials.selectors import credential_decrypt
from backend.credentials.services import credential_create
from tests.support.factories import UserFactory

CANARY = "canary-admin-7f3a9c1e5d"


@pytest.fixture
def admin_client(db: Any) -> Client:
    admin: Any = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


def _pages(client: Client, credential: Credential) -> list[str]:
    urls = [
        "/admin/credentials/credential/",
        "/admin/credentials/credential/add/",
        f"/admin/credentials/credential/{credential.pk}/change/",
        f"/admin/credentials/credential/{credential.pk}/delete/",
        f"/admin/credentials/credential/{credential.pk}/history/",
    ]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    return bodies


def test_admin_pages_never_show_the_value(admin_client: Client, user: Any) -> None:
    credential = credential_create(owner=user, name="notionToken", kind="bearer_token", value=CANARY)
    listing, *others = _pages(admin_client, credential)
    assert "notionToken" in listing
    assert credential.masked_value in listing
    for body in [listing, *others]:
        assert CANARY not in body
        assert "ciphertext" not in body


def test_admin_add_and_replace_value_write_only(admin_client: Client, user: Any) -> None:
    response = admin_client.post(
        "/admin/credentials/credential/add/",
        {"owner": user.pk, "name": "slackWebhook", "kind": "secret_text", "options": "{}", "new_value": CANARY},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    credential = Credential.objects.get(name="slackWebhook")
    assert credential_decrypt(credential=credential).reveal() == CANARY

    change_url = f"/admin/credentials/credential/{credential.pk}/change/"
    response = admin_client.post(change_url, {"name": "slackWebhook", "options": "{}", "new_value": ""})
    assert response.status_code == 302
    assert credential_decrypt(credential=Credential.objects.get(pk=credential.pk)).reveal() == CANARY  # kept

    replacement = CANARY + "-v2"
    response = admin_client.post(change_url, {"name": "renamed", "options": "{}", "new_value": replacement})
    assert response.status_code == 302
    row = Credential.objects.get(pk=credential.pk)
    assert row.name == "renamed"
    assert credential_decrypt(credential=row).reveal() == replacement
    assert all(CANARY not in body for body in _pages(admin_client, row))


def test_admin_form_errors_do_not_echo_the_value(admin_client: Client, user: Any) -> None:
    credential_create(owner=user, name="taken", kind="bearer_token", value="x" * 20)
    for data in (
        {"owner": user.pk, "name": "taken", "kind": "bearer_token", "options": "{}", "new_value": CANARY},
        {"owner": user.pk, "name": "ok", "kind": "basic_auth", "options": "{}", "new_value": CANARY},
        {"owner": user.pk, "name": "bad name", "kind": "bearer_token", "options": "{}", "new_value": CANARY},
    ):
        response = admin_client.post("/admin/credentials/credential/add/", data)
        assert response.status_code == 200  # redisplayed with errors
        assert "errornote" in response.content.decode()
        assert CANARY not in response.content.decode()
    assert Credential.objects.count() == 1
