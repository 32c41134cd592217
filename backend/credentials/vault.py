"""AES-256-GCM sealing of credential values; the only module where plaintext meets a key (no Django)."""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12  # 96 bits: the size GCM is designed for; a fresh random one per encryption
KEY_BYTES = 32  # AES-256
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_AD_VERSION = b"automateos.credential.v1"


class VaultError(Exception):
    """Base of every vault failure. Messages never contain plaintext or key material."""


class KeyringError(VaultError):
    """The key list is missing or malformed (an operator problem)."""


class DecryptionError(VaultError):
    """The ciphertext cannot be opened: tampered, moved to another row, or sealed with another key."""


class UnknownKeyError(DecryptionError):
    """The row names a key id the keyring does not hold."""


class Secret:
    """A plaintext value that masks itself in repr/str/format, so logging one by mistake leaks nothing."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(other._value.encode(), self._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __reduce__(self) -> str | tuple[Any, ...]:
        # Pickling would carry the plaintext into caches or task messages.
        raise TypeError("Secret values cannot be pickled")


@dataclass(frozen=True)
class Keyring:
    """Ordered keys: the first encrypts, every one decrypts (old ones stay until rotation is done)."""

    keys: tuple[tuple[str, bytes], ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyringError("the keyring holds no key")

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key_id for key_id, _ in self.keys)

    def key(self, key_id: str) -> bytes:
        for known_id, key in self.keys:
            if known_id == key_id:
                return key
        raise UnknownKeyError(
            f"credential was encrypted with key id {key_id!r}, which is not in AUTOMATEOS_ENCRYPTION_KEYS "
            f"(known ids: {', '.join(self.ids)})"
        )

    def __repr__(self) -> str:
        return f"Keyring(ids={self.ids!r})"


def parse_keyring(spec: str) -> Keyring:
    """Parse `k2:<base64 of 32 bytes>,k1:<base64>`; errors name the entry by id, never echo key bytes."""
    entries = [part.strip() for part in spec.split(",") if part.strip()]
    if not entries:
        raise KeyringError("AUTOMATEOS_ENCRYPTION_KEYS is empty")
    keys: list[tuple[str, bytes]] = []
    for position, entry in enumerate(entries, start=1):
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.fullmatch(key_id):
            raise KeyringError(
                f"AUTOMATEOS_ENCRYPTION_KEYS entry {position} must look like '<id>:<base64 key>' "
                "with an id of letters, digits, '_', '.', '-'"
            )
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise KeyringError(f"AUTOMATEOS_ENCRYPTION_KEYS key {key_id!r} must be {KEY_BYTES} bytes encoded in base64")
        if any(known == key_id for known, _ in keys):
            raise KeyringError(f"AUTOMATEOS_ENCRYPTION_KEYS lists key id {key_id!r} twice")
        keys.append((key_id, key))
    return Keyring(keys=tuple(keys))


def generate_key_spec(key_id: str = "k1") -> str:
    """A fresh `id:base64` entry, for `make run` and the error messages that say what to set."""
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


@dataclass(frozen=True)
class Sealed:
    key_id: str
    nonce: bytes
    ciphertext: bytes  # includes the 16-byte GCM tag


def associated_data(*, key_id: str, owner_id: object, credential_id: object, kind: str) -> bytes:
    """Binds a ciphertext to its row: copied onto another owner, id or kind, it no longer opens."""
    parts = (_AD_VERSION, key_id.encode(), str(owner_id).encode(), str(credential_id).encode(), kind.encode())
    # Length-prefixed so no two different tuples encode to the same bytes.
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


def encrypt(keyring: Keyring, plaintext: str | Secret, *, owner_id: object, credential_id: object, kind: str) -> Sealed:
    value = plaintext.reveal() if isinstance(plaintext, Secret) else plaintext
    key_id = keyring.current_id
    nonce = os.urandom(NONCE_BYTES)
    ad = associated_data(key_id=key_id, owner_id=owner_id, credential_id=credential_id, kind=kind)
    ciphertext = AESGCM(keyring.key(key_id)).encrypt(nonce, value.encode("utf-8"), ad)
    return Sealed(key_id=key_id, nonce=nonce, ciphertext=ciphertext)


def decrypt(keyring: Keyring, sealed: Sealed, *, owner_id: object, credential_id: object, kind: str) -> Secret:
    key = keyring.key(sealed.key_id)
    if len(sealed.nonce) != NONCE_BYTES:
        raise DecryptionError("credential nonce is malformed")
    ad = associated_data(key_id=sealed.key_id, owner_id=owner_id, credential_id=credential_id, kind=kind)
    try:
        plaintext = AESGCM(key).decrypt(sealed.nonce, bytes(sealed.ciphertext), ad)
    except InvalidTag:
        raise DecryptionError(
            f"credential cannot be decrypted with key {sealed.key_id!r}: the ciphertext was altered, "
            "belongs to another credential, or the key under that id changed"
        ) from None
    return Secret(plaintext.decode("utf-8"))


def reencrypt(keyring: Keyring, sealed: Sealed, *, owner_id: object, credential_id: object, kind: str) -> Sealed | None:
    """The value sealed with the current key, or None when it already is (rotation is idempotent)."""
    if sealed.key_id == keyring.current_id:
        return None
    secret = decrypt(keyring, sealed, owner_id=owner_id, credential_id=credential_id, kind=kind)
    return encrypt(keyring, secret, owner_id=owner_id, credential_id=credential_id, kind=kind)


PREVIEW_MIN_CHARS = 12


def mask_preview(value: str) -> str:
    """`sk_l…123` for a long value, never more than a quarter of its characters (`sk…3` for 12);
    shorter ones are fully masked, at a fixed width so the length does not leak."""
    if len(value) < PREVIEW_MIN_CHARS:
        return "••••••••"
    budget = len(value) // 4
    head = min(4, (budget + 1) // 2)
    tail = min(3, budget - head)
    return f"{value[:head]}…{value[-tail:]}" if tail else f"{value[:head]}…"
