"""Credential services and selectors: validation, encryption at rest, 409 on duplicates, owner isolation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.test import override_settings

from backend.core.errors import Conflict, NotFound, ValidationFailed
from backend.credentials import keys
from backend.credentials.models import Credential
from backend.credentials.selectors import (
    credential_decrypt,
    credential_get,
    credential_list,
    credential_reveal_by_name,
)
from backend.credentials.services import (
    credential_create,
    credential_delete,
    credential_rename,
    credential_touch_last_used,
    credential_update,
    credential_update_value,
)

VALUE = "sk_live_0123456789abcdef"


def _make(owner: Any, name: str = "notionToken", **kwargs: Any) -> Credential:
    return credential_create(owner=owner, name=name, kind=kwargs.pop("kind", "bearer_token"), value=VALUE, **kwargs)


def test_credential_create_stores_ciphertext_and_preview(user: Any) -> None:
    credential = _make(user)
    row = Credential.objects.get(pk=credential.pk)
    assert VALUE.encode() not in bytes(row.ciphertext)
    assert row.key_id == "k1"
    assert row.masked_value == "sk_…def"
    assert credential_decrypt(credential=row).reveal() == VALUE


def test_credential_create_duplicate_name_conflicts(user: Any, other_user: Any) -> None:
    _make(user)
    with pytest.raises(Conflict) as info:
        _make(user)
    assert info.value.code == "name_taken"
    _make(other_user)  # names are unique per owner only


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "has space"}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"kind": "password"}, "kind"),
        ({"value": ""}, "value"),
        ({"value": "line\nbreak"}, "value"),
        ({"kind": "basic_auth", "value": "nocolon"}, "value"),
        ({"kind": "api_key_header", "options": {}}, "options"),
        ({"kind": "api_key_header", "options": {"headerName": "Host"}}, "options"),
        ({"kind": "api_key_header", "options": {"headerName": "bad header"}}, "options"),
        ({"options": {"extra": 1}}, "options"),
        ({"name": "trailing\n"}, "name"),
        ({"kind": "api_key_header", "options": {"headerName": "X-Key\n"}}, "options"),
        ({"value": "tökén-value"}, "value"),
        ({"value": "tok\x01en-value"}, "value"),
        ({"value": "token-value "}, "value"),
        ({"kind": "api_key_header", "options": {"headerName": "X-Key"}, "value": "clé-value"}, "value"),
    ],
)
def test_credential_create_rejects_bad_input_without_echo(user: Any, kwargs: dict[str, Any], field: str) -> None:
    args = {"owner": user, "name": "n", "kind": "bearer_token", "value": "secret-value-xyz", **kwargs}
    with pytest.raises(ValidationFailed) as info:
        credential_create(**args)
    assert field in info.value.details
    assert str(args["value"]) not in f"{info.value.message} {info.value.details}" or not args["value"]


def test_credential_create_accepts_each_kind(user: Any) -> None:
    credential_create(owner=user, name="a", kind="bearer_token", value="t" * 20)
    credential_create(owner=user, name="b", kind="api_key_header", value="k" * 20, options={"headerName": "X-Api-Key"})
    credential_create(owner=user, name="c", kind="basic_auth", value="user:pass")
    credential_create(owner=user, name="d", kind="secret_text", value="https://hooks.slack.com/services/x\n")
    assert [c.name for c in credential_list(user=user)] == ["a", "b", "c", "d"]


def test_credential_update_value_reencrypts(user: Any) -> None:
    credential = _make(user)
    old_nonce = bytes(credential.nonce)
    credential_update_value(credential=credential, value="new-value-0123456789")
    row = Credential.objects.get(pk=credential.pk)
    assert bytes(row.nonce) != old_nonce
    assert row.masked_value == "new…89"
    assert credential_decrypt(credential=row).reveal() == "new-value-0123456789"


def test_credential_rename_conflict_and_ciphertext_still_opens(user: Any) -> None:
    first = _make(user, "one")
    _make(user, "two")
    with pytest.raises(Conflict):
        credential_rename(credential=first, name="two")
    credential_rename(credential=first, name="three")
    assert credential_decrypt(credential=Credential.objects.get(name="three")).reveal() == VALUE


def test_credential_update_is_all_or_nothing(user: Any) -> None:
    credential = _make(user, "one")
    with pytest.raises(ValidationFailed):
        credential_update(credential=credential, name="renamed", value="")
    assert Credential.objects.get(pk=credential.pk).name == "one"


def test_credential_get_isolates_owners(user: Any, other_user: Any) -> None:
    credential = _make(user)
    assert credential_get(user=user, credential_id=credential.pk) == credential
    with pytest.raises(NotFound):
        credential_get(user=other_user, credential_id=credential.pk)


def test_credential_reveal_by_name_owner_only(user: Any, other_user: Any) -> None:
    _make(user)
    revealed = credential_reveal_by_name(owner_id=user.pk, name="notionToken")
    assert revealed is not None and revealed.secret.reveal() == VALUE
    assert VALUE not in repr(revealed)
    assert credential_reveal_by_name(owner_id=other_user.pk, name="notionToken") is None


def test_credential_copied_ciphertext_does_not_open(user: Any, other_user: Any) -> None:
    mine = _make(user, "mine")
    theirs = _make(other_user, "theirs")
    Credential.objects.filter(pk=theirs.pk).update(ciphertext=mine.ciphertext, nonce=mine.nonce)
    from backend.credentials.vault import DecryptionError

    with pytest.raises(DecryptionError):
        credential_decrypt(credential=Credential.objects.get(pk=theirs.pk))


def test_credential_delete_and_touch(user: Any) -> None:
    credential = _make(user)
    assert credential.last_used_at is None
    credential_touch_last_used(credential_ids=[credential.pk])
    assert Credential.objects.get(pk=credential.pk).last_used_at is not None
    credential_delete(credential=credential)
    assert not Credential.objects.exists()


def test_credential_create_without_key_says_what_to_set(user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOMATEOS_ENCRYPTION_KEYS", raising=False)
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS=""), pytest.raises(keys.VaultNotConfiguredError) as info:
        _make(user)
    assert "set AUTOMATEOS_ENCRYPTION_KEYS" in str(info.value)


def test_check_encryption_keys_refuses_production_without_key(monkeypatch: pytest.MonkeyPatch) -> None:
    assert keys.check_encryption_keys() == []
    monkeypatch.delenv("AUTOMATEOS_ENCRYPTION_KEYS", raising=False)
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS="", DEBUG=False):
        [error] = keys.check_encryption_keys()
        assert error.level == checks.ERROR and error.id == "credentials.E001"
        assert "AUTOMATEOS_ENCRYPTION_KEYS" in error.msg and "AUTOMATEOS_ENCRYPTION_KEYS=" in (error.hint or "")
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS="", DEBUG=True):
        [warning] = keys.check_encryption_keys()
        assert warning.level == checks.WARNING
    with override_settings(AUTOMATEOS_ENCRYPTION_KEYS="k1:nope"):
        [bad] = keys.check_encryption_keys()
        assert bad.id == "credentials.E002"


def test_check_encryption_keys_is_registered() -> None:
    assert keys.check_encryption_keys in checks.registry.registry.get_checks()


def test_credential_create_non_ascii_is_fine_where_not_sent_as_is(user: Any) -> None:
    """basic_auth is base64-encoded before it is sent, secret_text goes where templates put it."""
    credential_create(owner=user, name="basic", kind="basic_auth", value="zoë:pässword")
    credential_create(owner=user, name="text", kind="secret_text", value="clé secrète\n")
