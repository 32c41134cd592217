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


def test_admin_shows_protection_and_vaults_without_key_material(admin_client: Client, user: Any) -> None:
    from backend.credentials.models import VaultGrant, VaultKey
    from backend.credentials.passphrase_services import passphrase_set, vault_unlock

    credential = credential_create(owner=user, name="notion", kind="bearer_token", value=CANARY)
    key = passphrase_set(user=user, new="correct horse battery")
    grant = vault_unlock(user=user, value="correct horse battery", holder="session:admin-test")
    listing = admin_client.get("/admin/credentials/credential/?protected__exact=1").content.decode()
    assert "notion" in listing and 'alt="True"' in listing
    pages = [
        admin_client.get(url)
        for url in (
            "/admin/credentials/vaultkey/",
            f"/admin/credentials/vaultkey/{key.pk}/change/",
            "/admin/credentials/vaultgrant/",
            f"/admin/credentials/vaultgrant/{grant.pk}/change/",
        )
    ]
    assert [page.status_code for page in pages] == [200] * 4
    text = "".join(page.content.decode() for page in pages)
    assert "scrypt (n=32768, r=8, p=1)" in text
    for secret in (CANARY, key.kdf["salt"], bytes(key.public_key).hex(), "session:admin-test"):
        assert secret not in text
    reset = admin_client.post(
        "/admin/credentials/vaultkey/", {"action": "reset_vaults", "_selected_action": [key.pk]}, follow=True
    )
    assert "vault reset, 1 protected credential(s) deleted" in reset.content.decode()
    assert not VaultKey.objects.exists() and not VaultGrant.objects.exists()
    assert not Credential.objects.filter(pk=credential.pk).exists()
