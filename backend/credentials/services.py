"""Credential writes: create, replace the value, rename, delete, touch; values go straight into the vault."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.core.errors import Conflict, ValidationFailed
from backend.core.types import Owner
from backend.credentials import vault
from backend.credentials.keys import get_keyring
from backend.credentials.models import NAME_PATTERN, Credential, CredentialKind
from backend.credentials.passphrase_services import seal_for_owner

MAX_VALUE_CHARS = 16 * 1024
_NAME = re.compile(NAME_PATTERN)
# RFC 9110 token characters: anything else cannot be a header name.
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
# Headers the HTTP client owns; letting a credential set them would break or smuggle requests.
_RESERVED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection", "content-type"})
_HEADER_KINDS = frozenset({CredentialKind.BEARER_TOKEN, CredentialKind.API_KEY_HEADER, CredentialKind.BASIC_AUTH})
# Sent in a header exactly as stored (basic_auth is base64-encoded first, so any text is fine there).
_SENT_AS_IS = frozenset({CredentialKind.BEARER_TOKEN, CredentialKind.API_KEY_HEADER})


def _fail(field: str, message: str) -> ValidationFailed:
    # Details name the field and the rule, never the submitted value.
    return ValidationFailed(f"{field}: {message}", details={field: [message]})


def _clean_name(name: Any) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise _fail("name", "use 1 to 100 letters, digits, '_', '.' or '-'")
    return name


def _clean_kind(kind: Any) -> str:
    if kind not in CredentialKind.values:
        raise _fail("kind", f"must be one of {', '.join(CredentialKind.values)}")
    return str(kind)


def _clean_options(kind: str, options: Any) -> dict[str, Any]:
    options = {} if options is None else options
    if not isinstance(options, Mapping):
        raise _fail("options", "must be an object")
    allowed = {"headerName"} if kind == CredentialKind.API_KEY_HEADER else set()
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise _fail("options", f"unknown option(s) for {kind}: {', '.join(map(str, unknown))}")
    if kind == CredentialKind.API_KEY_HEADER:
        header = options.get("headerName")
        if not isinstance(header, str) or not _HEADER_NAME.fullmatch(header):
            raise _fail("options", "headerName is required for api_key_header and must be a valid header name")
        if header.lower() in _RESERVED_HEADERS:
            raise _fail("options", f"headerName cannot be {header}")
    return dict(options)


def _clean_value(kind: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _fail("value", "must be a non-empty string")
    if len(value) > MAX_VALUE_CHARS:
        raise _fail("value", f"must be at most {MAX_VALUE_CHARS} characters")
    if kind in _HEADER_KINDS and any(ch in value for ch in "\r\n\0"):
        raise _fail("value", "must not contain line breaks (it is sent in a header)")
    if kind in _SENT_AS_IS:
        _check_header_text(value)
    if kind == CredentialKind.BASIC_AUTH and ":" not in value:
        raise _fail("value", "basic_auth values are 'user:password'")
    return value


def _check_header_text(value: str) -> None:
    # What the HTTP client can put in a header value as it is: ASCII, no control characters, no
    # space at either end. Said in words here, not as an encoding error when a run sends it.
    if not value.isascii():
        raise _fail("value", "must be ASCII (it is sent as a header value)")
    if any(unicodedata.category(ch) == "Cc" and ch != "\t" for ch in value):
        raise _fail("value", "must not contain control characters (it is sent as a header value)")
    if value != value.strip(" \t"):
        raise _fail("value", "must not start or end with a space or tab (it is sent as a header value)")


def _name_taken(name: str) -> Conflict:
    return Conflict(f"a credential named {name!r} already exists", code="name_taken", details={"name": name})


def _save(credential: Credential, *, force_insert: bool = False) -> None:
    try:
        with transaction.atomic():
            credential.save(force_insert=force_insert)
    except IntegrityError as exc:
        # The pre-check below races with a concurrent create; the unique constraint is the real guard.
        raise _name_taken(credential.name) from exc


def credential_create(*, owner: Owner, name: Any, kind: Any, value: Any, options: Any = None) -> Credential:
    name = _clean_name(name)
    kind = _clean_kind(kind)
    cleaned_options = _clean_options(kind, options)
    plaintext = _clean_value(kind, value)
    if Credential.objects.filter(owner=owner, name=name).exists():
        raise _name_taken(name)
    # The id is part of the associated data, so it must exist before encryption.
    credential = Credential(id=uuid.uuid4(), owner=owner, name=name, kind=kind, options=cleaned_options)
    seal_for_owner(credential, plaintext)
    _save(credential, force_insert=True)
    return credential


def credential_update_value(*, credential: Credential, value: Any) -> Credential:
    seal_for_owner(credential, _clean_value(credential.kind, value))
    credential.save(update_fields=["ciphertext", "nonce", "key_id", "masked_value", "protected", "updated_at"])
    return credential


def credential_rename(*, credential: Credential, name: Any) -> Credential:
    name = _clean_name(name)
    if name == credential.name:
        return credential
    if Credential.objects.filter(owner_id=credential.owner_id, name=name).exclude(pk=credential.pk).exists():
        raise _name_taken(name)
    credential.name = name
    _save(credential)
    return credential


def credential_update_options(*, credential: Credential, options: Any) -> Credential:
    credential.options = _clean_options(credential.kind, options)
    credential.save(update_fields=["options", "updated_at"])
    return credential


def credential_update(
    *, credential: Credential, name: Any = None, value: Any = None, options: Any = None
) -> Credential:
    """PATCH: every given part is validated before any is written, then applied in one transaction."""
    if name is not None:
        _clean_name(name)
    if value is not None:
        _clean_value(credential.kind, value)
    if options is not None:
        _clean_options(credential.kind, options)
    with transaction.atomic():
        if name is not None:
            credential_rename(credential=credential, name=name)
        if options is not None:
            credential_update_options(credential=credential, options=options)
        if value is not None:
            credential_update_value(credential=credential, value=value)
    return credential


def credential_delete(*, credential: Credential) -> None:
    credential.delete()


def credential_touch_last_used(*, credential_ids: Iterable[Any]) -> None:
    ids = list(credential_ids)
    if ids:
        Credential.objects.filter(pk__in=ids).update(last_used_at=timezone.now())


def credential_reencrypt(*, credential: Credential) -> bool:
    """Seal with the current key; False when it already was or is sealed to its owner's vault (no
    server key opens it). Guarded so a concurrent write is not undone."""
    if credential.protected:
        return False
    keyring = get_keyring()
    sealed = vault.Sealed(
        key_id=credential.key_id, nonce=bytes(credential.nonce), ciphertext=bytes(credential.ciphertext)
    )
    fresh = vault.reencrypt(
        keyring, sealed, owner_id=credential.owner_id, credential_id=credential.id, kind=credential.kind
    )
    if fresh is None:
        return False
    updated = Credential.objects.filter(pk=credential.pk, key_id=sealed.key_id, nonce=sealed.nonce).update(
        ciphertext=fresh.ciphertext, nonce=fresh.nonce, key_id=fresh.key_id
    )
    return updated == 1


def credential_validate_input(*, kind: Any, name: Any = None, value: Any = None, options: Any = None) -> None:
    """Raise ValidationFailed for the first bad part (used by forms that validate before saving)."""
    kind = _clean_kind(kind)
    if name is not None:
        _clean_name(name)
    if options is not None:
        _clean_options(kind, options)
    if value is not None:
        _clean_value(kind, value)
