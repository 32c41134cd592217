"""Credential reads: the owner's list and rows, the vault's state, and (for the worker only) a
decrypted value by name."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from backend.core.errors import NotFound
from backend.core.types import Owner, Uuid
from backend.credentials import passphrase, vault
from backend.credentials.keys import get_keyring
from backend.credentials.models import Credential, VaultGrant, VaultKey

GRANT_KIND = "vault_grant"  # the associated data's kind for a grant's sealed private key


class VaultLockedError(vault.VaultError):
    """A protected credential is needed and no live unlock covers it."""

    def __init__(self, name: str) -> None:
        super().__init__(vault_locked_message(name))


def holder_digest(holder: str) -> str:
    """How a grant names its holder: a login session's key or a token's id must not sit in the table."""
    return hashlib.sha256(holder.encode()).hexdigest()


def vault_locked_message(name: str) -> str:
    return f'vault locked: credential "{name}" needs its owner\'s passphrase'


# The orderings a list may ask for; the first is the default.
CREDENTIAL_ORDERINGS = ("name", "-name", "-created_at", "created_at", "-updated_at", "updated_at")


def credential_list(*, user: Owner, ordering: str = CREDENTIAL_ORDERINGS[0]) -> QuerySet[Credential]:
    # `defer` keeps ciphertext out of memory for pages that never need it; id breaks ties between pages.
    return Credential.objects.filter(owner=user).defer("ciphertext", "nonce").order_by(ordering, "id")


def credential_get(*, user: Owner, credential_id: Uuid) -> Credential:
    credential = Credential.objects.filter(owner=user, pk=credential_id).first()
    if credential is None:
        # Same answer for someone else's row and a missing one: ids do not leak across owners.
        raise NotFound("credential not found", details={"id": str(credential_id)})
    return credential


@dataclass(frozen=True)
class RevealedCredential:
    id: Any
    name: str
    kind: str
    options: dict[str, Any]
    secret: vault.Secret


def credential_decrypt(*, credential: Credential, private_key: vault.Secret | None = None) -> vault.Secret:
    """The value; a protected one needs its owner's private key (VaultLockedError without it)."""
    sealed = vault.Sealed(
        key_id=credential.key_id, nonce=bytes(credential.nonce), ciphertext=bytes(credential.ciphertext)
    )
    owner_id, credential_id, kind = credential.owner_id, credential.id, credential.kind
    if credential.protected:
        if private_key is None:
            raise VaultLockedError(credential.name)
        ad = vault.associated_data(key_id=sealed.key_id, owner_id=owner_id, credential_id=credential_id, kind=kind)
        return passphrase.open_sealed(private_key, sealed, ad)
    return vault.decrypt(get_keyring(), sealed, owner_id=owner_id, credential_id=credential_id, kind=kind)


def credential_reveal_by_name(
    *, owner_id: int, name: str, private_key: Callable[[], vault.Secret | None] = lambda: None
) -> RevealedCredential | None:
    """For the worker at run time: None when the owner has no such credential; VaultError when
    unreadable. `private_key` is asked only for a protected credential (it reads the run's unlock)."""
    credential = Credential.objects.filter(owner_id=owner_id, name=name).first()
    if credential is None:
        return None
    return RevealedCredential(
        id=credential.id,
        name=credential.name,
        kind=credential.kind,
        options=dict(credential.options or {}),
        secret=credential_decrypt(credential=credential, private_key=private_key() if credential.protected else None),
    )


def grant_private_key(*, grant_id: Uuid | None, user_id: int) -> vault.Secret | None:
    """The private key a live unlock holds; None once it expired, was revoked, or is someone else's."""
    if grant_id is None:
        return None
    grant = VaultGrant.objects.filter(pk=grant_id, user_id=user_id, expires_at__gt=timezone.now()).first()
    if grant is None:
        return None
    sealed = vault.Sealed(key_id=grant.key_id, nonce=bytes(grant.nonce), ciphertext=bytes(grant.sealed_private_key))
    return vault.decrypt(get_keyring(), sealed, owner_id=user_id, credential_id=grant.id, kind=GRANT_KIND)


def vault_status(*, user: Owner, holder: str | None) -> dict[str, Any]:
    """What the vault page shows: is a passphrase set, is this session unlocked and until when."""
    key = VaultKey.objects.filter(user=user).only("created_at", "updated_at").first()
    grant = None
    if key is not None and holder:
        grant = (
            VaultGrant.objects.filter(user=user, holder=holder_digest(holder), expires_at__gt=timezone.now())
            .only("expires_at")
            .first()
        )
    return {
        "passphraseSet": key is not None,
        "unlocked": grant is not None,
        "unlockedUntil": grant.expires_at if grant else None,
        "protectedCredentials": Credential.objects.filter(owner=user, protected=True).count(),
    }
