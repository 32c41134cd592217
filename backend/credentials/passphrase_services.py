"""The passphrase vault's writes: set, change, remove and reset it; unlock and lock; the run's unlock."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.core.errors import Conflict, Locked, ValidationFailed
from backend.core.types import Owner
from backend.credentials import passphrase, vault
from backend.credentials.keys import get_keyring
from backend.credentials.models import Credential, VaultGrant, VaultKey
from backend.credentials.selectors import GRANT_KIND, credential_decrypt, holder_digest, vault_locked_message

_SEALED_FIELDS = ["ciphertext", "nonce", "key_id", "masked_value", "protected", "updated_at"]


def _ttl() -> timedelta:
    return timedelta(minutes=float(settings.AUTOMATEOS["VAULT_UNLOCK_MINUTES"]))


def _clean(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationFailed(f"{field}: must be a non-empty string", details={field: ["required"]})
    if not passphrase.PASSPHRASE_MIN_CHARS <= len(value) <= passphrase.PASSPHRASE_MAX_CHARS:
        message = f"must be {passphrase.PASSPHRASE_MIN_CHARS} to {passphrase.PASSPHRASE_MAX_CHARS} characters"
        raise ValidationFailed(f"{field}: {message}", details={field: [message]})
    return value


def _wrapped(key: VaultKey) -> passphrase.WrappedKey:
    return passphrase.WrappedKey(
        public_key=bytes(key.public_key), wrapped=bytes(key.wrapped_private_key), nonce=bytes(key.nonce), kdf=key.kdf
    )


def _store_wrapped(key: VaultKey, wrapped: passphrase.WrappedKey) -> None:
    key.public_key, key.wrapped_private_key = wrapped.public_key, wrapped.wrapped
    key.nonce, key.kdf = wrapped.nonce, wrapped.kdf


def _locked_key(user: Owner) -> VaultKey:
    key = VaultKey.objects.select_for_update().filter(user=user).first()
    if key is None:
        raise Conflict("no vault passphrase is set", code="no_passphrase")
    return key


def _private_key(key: VaultKey, value: Any, *, field: str = "passphrase") -> vault.Secret:
    try:
        return passphrase.unwrap(_wrapped(key), _clean(value, field), user_id=key.user_id)
    except passphrase.WrongPassphraseError:
        raise ValidationFailed(
            f"{field}: is not correct", code="wrong_passphrase", details={field: ["is not correct"]}
        ) from None


def seal_for_owner(credential: Credential, value: str | vault.Secret) -> None:
    """Seal a value into its row: to the owner's vault when they have one, else under the server keys."""
    text = value.reveal() if isinstance(value, vault.Secret) else value
    public_key = VaultKey.objects.filter(user_id=credential.owner_id).values_list("public_key", flat=True).first()
    owner_id, credential_id, kind = credential.owner_id, credential.id, credential.kind
    if public_key is None:
        sealed = vault.encrypt(get_keyring(), text, owner_id=owner_id, credential_id=credential_id, kind=kind)
        credential.protected, credential.masked_value = False, vault.mask_preview(text)
    else:
        ad = vault.associated_data(key_id=passphrase.KEY_ID, owner_id=owner_id, credential_id=credential_id, kind=kind)
        sealed = passphrase.seal(bytes(public_key), text, ad)
        # Even a quarter of a protected value is more than a database copy may show.
        credential.protected, credential.masked_value = True, vault.mask_preview("")
    credential.ciphertext, credential.nonce, credential.key_id = sealed.ciphertext, sealed.nonce, sealed.key_id


def passphrase_set(*, user: Owner, new: Any) -> VaultKey:
    """Create the vault and move every credential of the user into it."""
    value = _clean(new, "passphrase")
    wrapped = passphrase.create(value, user_id=user.pk)
    try:
        with transaction.atomic():
            key = VaultKey(user=user)
            _store_wrapped(key, wrapped)
            key.save(force_insert=True)
            _reseal(Credential.objects.select_for_update().filter(owner=user, protected=False))
    except IntegrityError:
        raise Conflict(
            "a vault passphrase is already set; change it with the current one", code="passphrase_set"
        ) from None
    return key


def _reseal(credentials: Iterable[Credential], private_key: vault.Secret | None = None) -> None:
    for credential in credentials:
        seal_for_owner(credential, credential_decrypt(credential=credential, private_key=private_key))
        credential.save(update_fields=_SEALED_FIELDS)


def passphrase_put(*, user: Owner, new: Any, current: Any = None, holder: str | None = None) -> VaultKey:
    """Set the passphrase, or change it when one is set (then the current one is required)."""
    if not VaultKey.objects.filter(user=user).exists():
        return passphrase_set(user=user, new=new)
    if current is None:
        raise ValidationFailed(
            "currentPassphrase: required to change the passphrase",
            details={"currentPassphrase": ["this field is required"]},
        )
    return passphrase_change(user=user, current=current, new=new, holder=holder)


def passphrase_change(*, user: Owner, current: Any, new: Any, holder: str | None = None) -> VaultKey:
    """Rewrap the private key under the new passphrase; the credentials' ciphertexts stay as they are.
    Other sessions' unlocks end: a passphrase is changed because it may be known."""
    value = _clean(new, "passphrase")
    with transaction.atomic():
        key = _locked_key(user)
        private_key = _private_key(key, current, field="currentPassphrase")
        _store_wrapped(key, passphrase.rewrap(_wrapped(key), private_key, value, user_id=user.pk))
        key.save()
        others = VaultGrant.objects.filter(user=user)
        if holder:
            others = others.exclude(holder=holder_digest(holder))
        others.delete()
    return key


def passphrase_remove(*, user: Owner, current: Any) -> None:
    """Back to server-side encryption: every protected credential is resealed under the server keys."""
    with transaction.atomic():
        key = _locked_key(user)
        private_key = _private_key(key, current, field="currentPassphrase")
        protected = list(Credential.objects.select_for_update().filter(owner=user, protected=True))
        VaultGrant.objects.filter(user=user).delete()
        key.delete()
        _reseal(protected, private_key)


def vault_reset(*, user: Owner) -> list[str]:
    """A forgotten passphrase: the vault and the credentials it protected are deleted (their names are
    returned, to be created again); nothing else can open them."""
    with transaction.atomic():
        _locked_key(user)
        protected = Credential.objects.filter(owner=user, protected=True)
        names = sorted(protected.values_list("name", flat=True))
        protected.delete()
        VaultGrant.objects.filter(user=user).delete()
        VaultKey.objects.filter(user=user).delete()
    return names


def vault_unlock(*, user: Owner, value: Any, holder: str | None) -> VaultGrant:
    """Check the passphrase and keep the private key, sealed under the server keys, for this holder."""
    if not holder:
        raise ValidationFailed("unlocking needs a login session or an API token", code="no_session")
    key = VaultKey.objects.filter(user=user).first()
    if key is None:
        raise Conflict("no vault passphrase is set", code="no_passphrase")
    private_key = _private_key(key, value)
    grant = VaultGrant(id=uuid.uuid4(), user=user, holder=holder_digest(holder), expires_at=timezone.now() + _ttl())
    sealed = vault.encrypt(get_keyring(), private_key, owner_id=user.pk, credential_id=grant.id, kind=GRANT_KIND)
    grant.key_id, grant.nonce, grant.sealed_private_key = sealed.key_id, sealed.nonce, sealed.ciphertext
    with transaction.atomic():
        VaultGrant.objects.filter(user=user, holder=grant.holder).delete()
        grant.save(force_insert=True)
    return grant


def vault_lock(*, user: Owner) -> int:
    """End every unlock of the user's vault; runs carrying one fail at their next protected credential."""
    return int(VaultGrant.objects.filter(user=user).delete()[0])


def vault_lock_holder(*, holder: str) -> None:
    """Logging out ends the session's unlock."""
    VaultGrant.objects.filter(holder=holder_digest(holder)).delete()


def vault_purge_expired() -> int:
    """Expired grants are already refused; deleting them leaves nothing a database copy could open."""
    return int(VaultGrant.objects.filter(expires_at__lte=timezone.now()).delete()[0])


def run_unlock(*, owner: Owner, credential_names: Iterable[str], holder: str | None) -> uuid.UUID | None:
    """The grant a new run carries: None when it needs no protected credential; Locked when it
    needs one and its starter holds no live unlock. Using a grant extends it."""
    names = set(credential_names)
    if not names:
        return None
    locked = sorted(
        Credential.objects.filter(owner=owner, protected=True, name__in=names).values_list("name", flat=True)
    )
    if not locked:
        return None
    now = timezone.now()
    grants = VaultGrant.objects.filter(user=owner, holder=holder_digest(holder or ""), expires_at__gt=now)
    grant_id = grants.values_list("id", flat=True).first() if holder else None
    if grant_id is None:
        raise Locked(vault_locked_message(locked[0]), code="vault_locked", details={"credentials": locked})
    VaultGrant.objects.filter(pk=grant_id).update(expires_at=now + _ttl())
    return grant_id
