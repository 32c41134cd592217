"""The passphrase vault's crypto: scrypt-wrapped private key, sealed values, rewrap keeps values."""

from __future__ import annotations

import base64

import pytest

from backend.credentials import passphrase
from backend.credentials.vault import DecryptionError, Secret, associated_data

AD = associated_data(key_id=passphrase.KEY_ID, owner_id=7, credential_id="c1", kind="bearer_token")


def test_passphrase_create_stores_scrypt_parameters_with_the_key() -> None:
    wrapped = passphrase.create("correct horse", user_id=7)
    assert wrapped.kdf["name"] == "scrypt"
    assert (wrapped.kdf["n"], wrapped.kdf["r"], wrapped.kdf["p"]) == (2**15, 8, 1)
    assert len(base64.b64decode(wrapped.kdf["salt"])) == passphrase.SALT_BYTES
    private = passphrase.unwrap(wrapped, "correct horse", user_id=7)
    assert base64.b64decode(private.reveal()) not in wrapped.wrapped


def test_passphrase_unwrap_refuses_a_wrong_passphrase_or_another_user() -> None:
    wrapped = passphrase.create("correct horse", user_id=7)
    with pytest.raises(passphrase.WrongPassphraseError):
        passphrase.unwrap(wrapped, "correct horsE", user_id=7)
    with pytest.raises(passphrase.WrongPassphraseError):
        passphrase.unwrap(wrapped, "correct horse", user_id=8)


def test_passphrase_seal_opens_only_with_the_private_key_and_its_row() -> None:
    wrapped = passphrase.create("correct horse", user_id=7)
    private = passphrase.unwrap(wrapped, "correct horse", user_id=7)
    sealed = passphrase.seal(wrapped.public_key, "sk_live_secret", AD)
    assert b"sk_live_secret" not in sealed.ciphertext
    assert passphrase.open_sealed(private, sealed, AD).reveal() == "sk_live_secret"
    other_row = associated_data(key_id=passphrase.KEY_ID, owner_id=7, credential_id="c2", kind="bearer_token")
    with pytest.raises(DecryptionError):
        passphrase.open_sealed(private, sealed, other_row)
    stranger = passphrase.unwrap(passphrase.create("other pass", user_id=7), "other pass", user_id=7)
    with pytest.raises(DecryptionError):
        passphrase.open_sealed(stranger, sealed, AD)


def test_passphrase_rewrap_changes_only_the_wrapping() -> None:
    wrapped = passphrase.create("correct horse", user_id=7)
    private = passphrase.unwrap(wrapped, "correct horse", user_id=7)
    sealed = passphrase.seal(wrapped.public_key, Secret("sk_live_secret"), AD)
    rewrapped = passphrase.rewrap(wrapped, private, "battery staple", user_id=7)
    assert rewrapped.public_key == wrapped.public_key
    assert rewrapped.kdf["salt"] != wrapped.kdf["salt"]
    with pytest.raises(passphrase.WrongPassphraseError):
        passphrase.unwrap(rewrapped, "correct horse", user_id=7)
    reopened = passphrase.unwrap(rewrapped, "battery staple", user_id=7)
    assert passphrase.open_sealed(reopened, sealed, AD).reveal() == "sk_live_secret"
