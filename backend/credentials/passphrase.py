"""A user's passphrase vault: a key pair whose private half only the passphrase unwraps (no Django).

Values are sealed to the public half (X25519 + HKDF + AES-GCM, a sealed box), so a credential can be
created or replaced without the passphrase, and read only with the private half, which is stored
wrapped under a key derived from the passphrase by scrypt (memory-hard) with its parameters beside it.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from backend.credentials.vault import NONCE_BYTES, DecryptionError, Sealed, Secret, VaultError

PASSPHRASE_MIN_CHARS = 8
PASSPHRASE_MAX_CHARS = 1024
# scrypt's work factor: 2**15 * 128 * r bytes = 32 MiB per derivation, tenths of a second of CPU.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SALT_BYTES = 16
KEY_ID = "passphrase"  # the key_id of a credential sealed to a vault, never a server key's id
_WRAP_AD = b"automateos.vault.private-key.v1"
_SEAL_INFO = b"automateos.vault.seal.v1"
_PUBLIC_BYTES = 32


class WrongPassphraseError(VaultError):
    """The passphrase does not unwrap the vault's private key."""


@dataclass(frozen=True)
class WrappedKey:
    public_key: bytes
    wrapped: bytes  # the private key under the passphrase-derived key, GCM tag included
    nonce: bytes
    kdf: dict[str, Any]  # {"name": "scrypt", "n", "r", "p", "salt"}: what derives the wrapping key


def _kek(passphrase: str, kdf: dict[str, Any]) -> bytes:
    if kdf.get("name") != "scrypt":
        raise VaultError(f"unknown key derivation {kdf.get('name')!r}")
    salt = base64.b64decode(kdf["salt"])
    return Scrypt(salt=salt, length=32, n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"])).derive(
        passphrase.encode("utf-8")
    )


def _wrap(private_key: bytes, public_key: bytes, passphrase: str, *, user_id: object) -> WrappedKey:
    kdf = {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P}
    kdf["salt"] = base64.b64encode(os.urandom(SALT_BYTES)).decode()
    nonce = os.urandom(NONCE_BYTES)
    wrapped = AESGCM(_kek(passphrase, kdf)).encrypt(nonce, private_key, _wrap_ad(user_id, public_key))
    return WrappedKey(public_key=public_key, wrapped=wrapped, nonce=nonce, kdf=kdf)


def _wrap_ad(user_id: object, public_key: bytes) -> bytes:
    # Bound to the owner and the public half: a wrapped key copied onto another user does not open.
    return _WRAP_AD + str(user_id).encode() + b"\0" + public_key


def create(passphrase: str, *, user_id: object) -> WrappedKey:
    """A fresh key pair with its private half wrapped under the passphrase."""
    private = X25519PrivateKey.generate()
    return _wrap(private.private_bytes_raw(), private.public_key().public_bytes_raw(), passphrase, user_id=user_id)


def unwrap(wrapped: WrappedKey, passphrase: str, *, user_id: object) -> Secret:
    """The private key (base64, as a Secret), or WrongPassphraseError."""
    try:
        raw = AESGCM(_kek(passphrase, wrapped.kdf)).decrypt(
            wrapped.nonce, wrapped.wrapped, _wrap_ad(user_id, wrapped.public_key)
        )
    except InvalidTag:
        raise WrongPassphraseError("the passphrase is not correct") from None
    return Secret(base64.b64encode(raw).decode())


def rewrap(wrapped: WrappedKey, private_key: Secret, new: str, *, user_id: object) -> WrappedKey:
    """The same key pair under a new passphrase (fresh salt): the sealed values stay as they are."""
    return _wrap(base64.b64decode(private_key.reveal()), wrapped.public_key, new, user_id=user_id)


def _box_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=_SEAL_INFO).derive(shared)


def seal(public_key: bytes, plaintext: str | Secret, ad: bytes) -> Sealed:
    """Encrypt to the vault's public half; the ephemeral public key leads the ciphertext."""
    value = plaintext.reveal() if isinstance(plaintext, Secret) else plaintext
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    nonce = os.urandom(NONCE_BYTES)
    box = AESGCM(_box_key(shared, ephemeral_public, public_key)).encrypt(nonce, value.encode("utf-8"), ad)
    return Sealed(key_id=KEY_ID, nonce=nonce, ciphertext=ephemeral_public + box)


def open_sealed(private_key: Secret, sealed: Sealed, ad: bytes) -> Secret:
    private = X25519PrivateKey.from_private_bytes(base64.b64decode(private_key.reveal()))
    recipient = private.public_key().public_bytes_raw()
    ephemeral_public, box = sealed.ciphertext[:_PUBLIC_BYTES], sealed.ciphertext[_PUBLIC_BYTES:]
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        plaintext = AESGCM(_box_key(shared, ephemeral_public, recipient)).decrypt(sealed.nonce, box, ad)
    except (InvalidTag, ValueError):
        raise DecryptionError("credential cannot be opened with its owner's vault key") from None
    return Secret(plaintext.decode("utf-8"))
