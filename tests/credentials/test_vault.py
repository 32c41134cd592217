"""Vault: AES-GCM round trip, tamper/AD/key failures, keyring parsing, rotation, Secret masking."""

from __future__ import annotations

import base64
import pickle
import uuid
from typing import Any

import pytest

from backend.credentials import vault
from backend.credentials.vault import DecryptionError, KeyringError, Secret, UnknownKeyError

K1 = base64.b64encode(b"1" * 32).decode()
K2 = base64.b64encode(b"2" * 32).decode()
ROW: dict[str, Any] = {"owner_id": 7, "credential_id": uuid.UUID(int=1), "kind": "bearer_token"}


def _ring(spec: str = f"k1:{K1}") -> vault.Keyring:
    return vault.parse_keyring(spec)


def test_vault_round_trip() -> None:
    sealed = vault.encrypt(_ring(), "sk_live_abc123", **ROW)
    assert sealed.key_id == "k1"
    assert len(sealed.nonce) == 12
    assert b"sk_live" not in sealed.ciphertext
    assert vault.decrypt(_ring(), sealed, **ROW).reveal() == "sk_live_abc123"


def test_vault_fresh_nonce_per_encryption() -> None:
    a = vault.encrypt(_ring(), "same", **ROW)
    b = vault.encrypt(_ring(), "same", **ROW)
    assert a.nonce != b.nonce
    assert a.ciphertext != b.ciphertext


def test_vault_tampered_ciphertext_fails_clearly() -> None:
    sealed = vault.encrypt(_ring(), "value", **ROW)
    flipped = bytes([sealed.ciphertext[0] ^ 1]) + sealed.ciphertext[1:]
    with pytest.raises(DecryptionError, match="cannot be decrypted with key 'k1'"):
        vault.decrypt(_ring(), vault.Sealed("k1", sealed.nonce, flipped), **ROW)


def test_vault_tampered_nonce_fails() -> None:
    sealed = vault.encrypt(_ring(), "value", **ROW)
    with pytest.raises(DecryptionError):
        vault.decrypt(_ring(), vault.Sealed("k1", b"\0" * 12, sealed.ciphertext), **ROW)


@pytest.mark.parametrize(
    "changed",
    [
        {"owner_id": 8},
        {"credential_id": uuid.UUID(int=2)},
        {"kind": "secret_text"},
    ],
)
def test_vault_swapped_associated_data_fails(changed: dict[str, object]) -> None:
    sealed = vault.encrypt(_ring(), "value", **ROW)
    with pytest.raises(DecryptionError):
        vault.decrypt(_ring(), sealed, **{**ROW, **changed})


def test_vault_wrong_key_under_same_id_fails() -> None:
    sealed = vault.encrypt(_ring(f"k1:{K1}"), "value", **ROW)
    with pytest.raises(DecryptionError, match="key under that id changed"):
        vault.decrypt(_ring(f"k1:{K2}"), sealed, **ROW)


def test_vault_relabelled_key_id_fails() -> None:
    # Key id is in the associated data: claiming another key sealed it does not work even if it holds the bytes.
    sealed = vault.encrypt(_ring(f"k1:{K1}"), "value", **ROW)
    with pytest.raises(DecryptionError):
        vault.decrypt(_ring(f"k1:{K1},k9:{K1}"), vault.Sealed("k9", sealed.nonce, sealed.ciphertext), **ROW)


def test_vault_unknown_key_id_fails_naming_it() -> None:
    sealed = vault.encrypt(_ring(f"k2:{K2}"), "value", **ROW)
    with pytest.raises(UnknownKeyError, match=r"'k2'.*known ids: k1"):
        vault.decrypt(_ring(f"k1:{K1}"), sealed, **ROW)


def test_vault_rotation_reencrypts_with_first_key() -> None:
    old = vault.encrypt(_ring(f"k1:{K1}"), "value", **ROW)
    ring = _ring(f"k2:{K2},k1:{K1}")
    assert vault.decrypt(ring, old, **ROW).reveal() == "value"  # all keys decrypt
    fresh = vault.reencrypt(ring, old, **ROW)
    assert fresh is not None and fresh.key_id == "k2"
    assert vault.decrypt(_ring(f"k2:{K2}"), fresh, **ROW).reveal() == "value"
    assert vault.reencrypt(ring, fresh, **ROW) is None  # idempotent


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        ("nokey", "entry 1 must look like"),
        ("k1:notbase64!!", "must be 32 bytes"),
        (f"k1:{base64.b64encode(b'short').decode()}", "must be 32 bytes"),
        (f"k1:{K1},k1:{K2}", "twice"),
        (f"bad id:{K1}", "entry 1"),
    ],
)
def test_vault_parse_keyring_rejects_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(KeyringError, match=message) as info:
        vault.parse_keyring(spec)
    assert K1 not in str(info.value)


def test_vault_parse_keyring_order_and_repr() -> None:
    ring = _ring(f" k2:{K2} , k1:{K1} ")
    assert ring.current_id == "k2"
    assert ring.ids == ("k2", "k1")
    assert K1 not in repr(ring) and K2 not in repr(ring)


def test_vault_generate_key_spec_parses() -> None:
    assert vault.parse_keyring(vault.generate_key_spec("k7")).current_id == "k7"


def test_vault_secret_masks_itself() -> None:
    secret = Secret("hunter2-secret")
    assert "hunter2" not in repr(secret)
    assert "hunter2" not in str(secret)
    assert "hunter2" not in f"{secret} {secret!r} {[secret]}"
    assert secret.reveal() == "hunter2-secret"
    assert secret == Secret("hunter2-secret")
    with pytest.raises(TypeError):
        pickle.dumps(secret)


@pytest.mark.parametrize(
    ("value", "preview"),
    [
        ("sk_live_abcdef12345678901", "sk_…901"),
        ("sk_live_abcdef123", "sk…23"),
        ("twelve_chars", "tw…s"),
        ("short", "••••••••"),
        ("elevenchars", "••••••••"),
    ],
)
def test_vault_mask_preview(value: str, preview: str) -> None:
    assert vault.mask_preview(value) == preview


@pytest.mark.parametrize("length", range(12, 80))
def test_vault_mask_preview_shows_at_most_a_quarter_of_the_secret(length: int) -> None:
    value = "".join(chr(0x41 + i % 26) for i in range(length))
    shown = vault.mask_preview(value).replace("…", "")
    assert len(shown) <= length // 4
