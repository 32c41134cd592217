"""Credential reads: the owner's list and rows, and (for the worker only) a decrypted value by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from backend.core.errors import NotFound
from backend.credentials import vault
from backend.credentials.keys import get_keyring
from backend.credentials.models import Credential


def credential_list(*, user: Any) -> QuerySet[Credential]:
    # `defer` keeps ciphertext out of memory for pages that never need it.
    return Credential.objects.filter(owner=user).defer("ciphertext", "nonce").order_by("name")


def credential_get(*, user: Any, credential_id: Any) -> Credential:
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


def credential_decrypt(*, credential: Credential) -> vault.Secret:
    sealed = vault.Sealed(
        key_id=credential.key_id, nonce=bytes(credential.nonce), ciphertext=bytes(credential.ciphertext)
    )
    return vault.decrypt(
        get_keyring(), sealed, owner_id=credential.owner_id, credential_id=credential.id, kind=credential.kind
    )


def credential_reveal_by_name(*, owner_id: Any, name: str) -> RevealedCredential | None:
    """For the worker at run time: None when the owner has no such credential; VaultError when unreadable."""
    credential = Credential.objects.filter(owner_id=owner_id, name=name).first()
    if credential is None:
        return None
    return RevealedCredential(
        id=credential.id,
        name=credential.name,
        kind=credential.kind,
        options=dict(credential.options or {}),
        secret=credential_decrypt(credential=credential),
    )
