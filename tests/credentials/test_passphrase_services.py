"""Passphrase vault services: set moves credentials in, unlock / lock / expiry / change / remove / reset."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from backend.core.errors import Conflict, Locked, ValidationFailed
from backend.credentials import vault
from backend.credentials.keys import get_keyring
from backend.credentials.models import Credential, VaultGrant, VaultKey
from backend.credentials.passphrase_services import (
    passphrase_change,
    passphrase_put,
    passphrase_remove,
    passphrase_set,
    run_unlock,
    vault_lock,
    vault_lock_holder,
    vault_purge_expired,
    vault_reset,
    vault_unlock,
)
from backend.credentials.selectors import (
    VaultLockedError,
    credential_decrypt,
    credential_reveal_by_name,
    grant_private_key,
    vault_status,
)
from backend.credentials.services import credential_create, credential_reencrypt, credential_update_value
from tests.support.factories import UserFactory

PASS = "correct horse battery"
VALUE = "sk_live_PassphraseCanary_0123456789"
HOLDER = "session:abc"


def _with_vault(user: Any) -> Credential:
    credential = credential_create(owner=user, name="notion", kind="bearer_token", value=VALUE)
    passphrase_set(user=user, new=PASS)
    credential.refresh_from_db()
    return credential


def _grant_key(user: Any, holder: str = HOLDER) -> vault.Secret | None:
    grant = vault_unlock(user=user, value=PASS, holder=holder)
    return grant_private_key(grant_id=grant.id, user_id=user.pk)


def test_passphrase_set_moves_existing_credentials_into_the_vault(user: Any) -> None:
    credential = _with_vault(user)
    assert credential.protected and credential.key_id == "passphrase"
    assert credential.masked_value == "••••••••"
    with pytest.raises(VaultLockedError, match='vault locked: credential "notion" needs its owner\'s passphrase'):
        credential_decrypt(credential=credential)
    assert credential_decrypt(credential=credential, private_key=_grant_key(user)).reveal() == VALUE


def test_passphrase_set_seals_new_and_replaced_values_without_unlocking(user: Any) -> None:
    passphrase_set(user=user, new=PASS)
    created = credential_create(owner=user, name="slack", kind="bearer_token", value=VALUE)
    assert created.protected and created.masked_value == "••••••••"
    credential_update_value(credential=created, value=VALUE + "2")
    created.refresh_from_db()
    assert credential_decrypt(credential=created, private_key=_grant_key(user)).reveal() == VALUE + "2"


def test_passphrase_set_twice_conflicts_and_short_passphrases_are_refused(user: Any) -> None:
    with pytest.raises(ValidationFailed, match="8 to 1024 characters"):
        passphrase_set(user=user, new="short")
    passphrase_set(user=user, new=PASS)
    with pytest.raises(Conflict):
        passphrase_set(user=user, new=PASS)
    with pytest.raises(ValidationFailed, match="currentPassphrase: required"):
        passphrase_put(user=user, new="another passphrase")


def test_passphrase_vault_keeps_other_users_apart(user: Any, other_user: Any) -> None:
    _with_vault(user)
    theirs = credential_create(owner=other_user, name="notion", kind="bearer_token", value=VALUE)
    assert not theirs.protected
    grant = vault_unlock(user=user, value=PASS, holder=HOLDER)
    assert grant_private_key(grant_id=grant.id, user_id=other_user.pk) is None


def test_passphrase_database_copy_with_server_keys_opens_nothing_protected(transactional_db: Any) -> None:
    user = UserFactory(username="dumped")
    credential = _with_vault(user)
    vault_unlock(user=user, value=PASS, holder=HOLDER)
    vault_lock(user=user)
    keyring = get_keyring()
    row = Credential.objects.get(pk=credential.pk)
    sealed = vault.Sealed(key_id=keyring.current_id, nonce=bytes(row.nonce), ciphertext=bytes(row.ciphertext))
    for key_id, _ in keyring.keys:  # every server key, under every id, against the sealed value
        attempt = vault.Sealed(key_id=key_id, nonce=sealed.nonce, ciphertext=sealed.ciphertext)
        with pytest.raises(vault.DecryptionError):
            vault.decrypt(keyring, attempt, owner_id=user.pk, credential_id=row.pk, kind=row.kind)
    key = VaultKey.objects.get(user=user)
    wrapped = vault.Sealed(key_id=keyring.current_id, nonce=bytes(key.nonce), ciphertext=bytes(key.wrapped_private_key))
    with pytest.raises(vault.DecryptionError):
        vault.decrypt(keyring, wrapped, owner_id=user.pk, credential_id=user.pk, kind="vault_grant")
    assert not VaultGrant.objects.exists()
    dump = subprocess.run(
        ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--data-only", connection.settings_dict["NAME"]],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert "passphrase" in dump  # the credential row is there, as key_id
    for form in (VALUE, VALUE[:8], VALUE[-8:], PASS):
        assert form not in dump


def test_passphrase_unlock_is_per_holder_and_lock_ends_every_unlock(user: Any) -> None:
    _with_vault(user)
    with pytest.raises(ValidationFailed) as wrong:
        vault_unlock(user=user, value="not the passphrase", holder=HOLDER)
    assert wrong.value.code == "wrong_passphrase"
    vault_unlock(user=user, value=PASS, holder=HOLDER)
    assert vault_status(user=user, holder=HOLDER)["unlocked"] is True
    assert vault_status(user=user, holder="session:other")["unlocked"] is False
    vault_unlock(user=user, value=PASS, holder="token:1")
    assert vault_lock(user=user) == 2
    assert vault_status(user=user, holder=HOLDER)["unlocked"] is False


def test_passphrase_logout_ends_the_sessions_unlock_only(user: Any) -> None:
    _with_vault(user)
    vault_unlock(user=user, value=PASS, holder=HOLDER)
    vault_unlock(user=user, value=PASS, holder="token:1")
    vault_lock_holder(holder=HOLDER)
    assert list(VaultGrant.objects.values_list("holder", flat=True)) != []
    assert vault_status(user=user, holder=HOLDER)["unlocked"] is False
    assert vault_status(user=user, holder="token:1")["unlocked"] is True


def test_passphrase_unlock_expires_and_the_reaper_deletes_it(user: Any) -> None:
    _with_vault(user)
    grant = vault_unlock(user=user, value=PASS, holder=HOLDER)
    VaultGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert grant_private_key(grant_id=grant.id, user_id=user.pk) is None
    with pytest.raises(Locked):
        run_unlock(owner=user, credential_names={"notion"}, holder=HOLDER)
    assert vault_purge_expired() == 1
    assert not VaultGrant.objects.exists()


def test_passphrase_run_unlock_extends_the_grant_and_ignores_unprotected_names(user: Any, settings: Any) -> None:
    settings.AUTOMATEOS = {**settings.AUTOMATEOS, "VAULT_UNLOCK_MINUTES": 5}
    _with_vault(user)
    credential_create(owner=user, name="plain", kind="bearer_token", value=VALUE)  # sealed to the vault too
    Credential.objects.filter(name="plain").update(protected=False)  # as if made before the vault
    assert run_unlock(owner=user, credential_names=set(), holder=None) is None
    assert run_unlock(owner=user, credential_names={"plain", "missing"}, holder=None) is None
    with pytest.raises(Locked) as locked:
        run_unlock(owner=user, credential_names={"notion", "plain"}, holder=HOLDER)
    assert locked.value.status == 423 and locked.value.details == {"credentials": ["notion"]}
    grant = vault_unlock(user=user, value=PASS, holder=HOLDER)
    VaultGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() + timedelta(seconds=30))
    assert run_unlock(owner=user, credential_names={"notion"}, holder=HOLDER) == grant.id
    expires = VaultGrant.objects.get(pk=grant.pk).expires_at
    assert expires > timezone.now() + timedelta(minutes=4)


def test_passphrase_change_rewraps_only_the_key(user: Any) -> None:
    credential = _with_vault(user)
    before = bytes(credential.ciphertext), bytes(VaultKey.objects.get(user=user).wrapped_private_key)
    vault_unlock(user=user, value=PASS, holder="session:other")
    vault_unlock(user=user, value=PASS, holder=HOLDER)
    with pytest.raises(ValidationFailed):
        passphrase_change(user=user, current="wrong passphrase", new="a new passphrase")
    passphrase_change(user=user, current=PASS, new="a new passphrase", holder=HOLDER)
    credential.refresh_from_db()
    assert bytes(credential.ciphertext) == before[0]
    assert bytes(VaultKey.objects.get(user=user).wrapped_private_key) != before[1]
    assert vault_status(user=user, holder=HOLDER)["unlocked"] is True
    assert vault_status(user=user, holder="session:other")["unlocked"] is False
    with pytest.raises(ValidationFailed):
        vault_unlock(user=user, value=PASS, holder=HOLDER)
    grant = vault_unlock(user=user, value="a new passphrase", holder=HOLDER)
    private_key = grant_private_key(grant_id=grant.id, user_id=user.pk)
    assert credential_decrypt(credential=credential, private_key=private_key).reveal() == VALUE


def test_passphrase_remove_reseals_under_the_server_keys(user: Any) -> None:
    credential = _with_vault(user)
    passphrase_remove(user=user, current=PASS)
    credential.refresh_from_db()
    assert not credential.protected and credential.key_id == "k1"
    assert credential.masked_value == vault.mask_preview(VALUE)
    assert credential_decrypt(credential=credential).reveal() == VALUE
    assert not VaultKey.objects.exists()
    assert credential_reencrypt(credential=credential) is False


def test_passphrase_reset_deletes_what_it_protected(user: Any) -> None:
    _with_vault(user)
    assert vault_reset(user=user) == ["notion"]
    assert not Credential.objects.filter(owner=user).exists()
    assert not VaultKey.objects.exists()
    with pytest.raises(Conflict):
        vault_reset(user=user)


def test_passphrase_protected_credentials_are_skipped_by_rotation(user: Any) -> None:
    credential = _with_vault(user)
    assert credential_reencrypt(credential=credential) is False


def test_passphrase_worker_lookup_asks_for_the_key_only_when_protected(user: Any) -> None:
    credential_create(owner=user, name="plain", kind="bearer_token", value=VALUE)
    asked: list[bool] = []

    def key() -> None:
        asked.append(True)

    found = credential_reveal_by_name(owner_id=user.pk, name="plain", private_key=key)
    assert found is not None and found.secret.reveal() == VALUE and asked == []
    passphrase_set(user=user, new=PASS)
    with pytest.raises(VaultLockedError):
        credential_reveal_by_name(owner_id=user.pk, name="plain", private_key=key)
    assert asked == [True]
