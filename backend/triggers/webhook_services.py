"""Webhook writes: enable with options, disable, regenerate the URL; and a request turned into a run."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.core.errors import ValidationFailed
from backend.credentials.keys import get_keyring
from backend.credentials.vault import Sealed, decrypt, encrypt, mask_preview
from backend.triggers.models import RespondMode, SignaturePreset, Webhook
from backend.workflows.models import Workflow

TOKEN_BYTES = 32
SECRET_MAX = 500
RESPOND_TIMEOUT_MAX_S = 30
_HEADER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
OPTIONS = {
    "enabled", "signature", "signatureHeader", "secret", "stripeToleranceS", "dedupHeader",
    "maxBodyBytes", "respond", "respondNode", "respondTimeoutS", "failureStatus",
}  # fmt: skip


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _seal(hook: Webhook, value: str, kind: str) -> Sealed:
    # Bound to the hook's owner, id and purpose: a token's ciphertext never opens as a secret.
    return encrypt(get_keyring(), value, owner_id=hook.workflow.owner_id, credential_id=hook.pk, kind=kind)


def _open(hook: Webhook, key_id: str, nonce: Any, ciphertext: Any, kind: str) -> str:
    sealed = Sealed(key_id=key_id, nonce=bytes(nonce), ciphertext=bytes(ciphertext))
    return decrypt(get_keyring(), sealed, owner_id=hook.workflow.owner_id, credential_id=hook.pk, kind=kind).reveal()


def webhook_token(hook: Webhook) -> str:
    """The URL token, for its owner's eyes (the API's read-back of the URL)."""
    return _open(hook, hook.token_key_id, hook.token_nonce, hook.token_ciphertext, "webhook.token")


def webhook_secret(hook: Webhook) -> str:
    if not hook.secret_ciphertext:
        return ""
    return _open(hook, hook.secret_key_id, hook.secret_nonce, hook.secret_ciphertext, "webhook.secret")


def _set_token(hook: Webhook) -> None:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    sealed = _seal(hook, token, "webhook.token")
    hook.token_digest = token_digest(token)
    hook.token_key_id, hook.token_nonce, hook.token_ciphertext = sealed.key_id, sealed.nonce, sealed.ciphertext


def _set_secret(hook: Webhook, secret: str) -> None:
    sealed = _seal(hook, secret, "webhook.secret")
    hook.secret_key_id, hook.secret_nonce, hook.secret_ciphertext = sealed.key_id, sealed.nonce, sealed.ciphertext
    hook.secret_masked = mask_preview(secret)


def webhook_put(*, workflow: Workflow, options: Mapping[str, Any]) -> tuple[Webhook, str | None]:
    """Create or update the workflow's hook. Returns (hook, secret to show once): a secret is made up
    when a signature preset is chosen and none was ever given."""
    clean = _clean_options(options, workflow=workflow)
    with transaction.atomic():
        # The workflow's row lock makes two first PUTs take turns: the second updates the first's hook.
        Workflow.objects.select_for_update().filter(pk=workflow.pk).first()
        hook = Webhook.objects.filter(workflow=workflow).select_related("workflow").first()
        creating = hook is None
        if hook is None:
            hook = Webhook(workflow=workflow)
            _set_token(hook)
        secret = clean.pop("secret", None)
        for field, value in clean.items():
            setattr(hook, field, value)
        shown = None
        if secret:
            _set_secret(hook, secret)
        elif hook.signature != SignaturePreset.NONE and not hook.secret_ciphertext:
            shown = "whsec_" + secrets.token_urlsafe(24)
            _set_secret(hook, shown)
        hook.save(force_insert=creating)
    return hook, shown


def webhook_regenerate(*, hook: Webhook) -> Webhook:
    """A new URL token; the old URL answers 404 from this commit on."""
    _set_token(hook)
    hook.token_rotated_at = timezone.now()
    hook.save(update_fields=["token_digest", "token_key_id", "token_nonce", "token_ciphertext", "token_rotated_at"])
    return hook


def webhook_reseal(*, hook: Webhook) -> bool:
    """Seal the token and secret again with the keyring's current key; False when both already are."""
    current = get_keyring().current_id
    stale = hook.token_key_id != current or (bool(hook.secret_ciphertext) and hook.secret_key_id != current)
    if not stale:
        return False
    token, secret = webhook_token(hook), webhook_secret(hook)
    sealed = _seal(hook, token, "webhook.token")
    hook.token_key_id, hook.token_nonce, hook.token_ciphertext = sealed.key_id, sealed.nonce, sealed.ciphertext
    if secret:
        _set_secret(hook, secret)
    hook.save()
    return True


def webhook_delete(*, hook: Webhook) -> None:
    hook.delete()


def _clean_options(options: Mapping[str, Any], *, workflow: Workflow) -> dict[str, Any]:
    unknown = sorted(set(options) - OPTIONS)
    if unknown:
        raise ValidationFailed(
            f"unknown field(s): {', '.join(unknown)}", details={k: ["unknown field"] for k in unknown}
        )
    out: dict[str, Any] = {}
    if "enabled" in options:
        out["enabled"] = _bool(options["enabled"], "enabled")
    if "signature" in options:
        out["signature"] = _choice(options["signature"], "signature", SignaturePreset.values)
    if "signatureHeader" in options:
        out["signature_header"] = _header(options["signatureHeader"], "signatureHeader")
    if "dedupHeader" in options:
        out["dedup_header"] = _header(options["dedupHeader"], "dedupHeader")
    if "secret" in options and options["secret"] not in (None, ""):
        out["secret"] = _text(options["secret"], "secret", SECRET_MAX)
    if "stripeToleranceS" in options:
        out["stripe_tolerance_s"] = _int(options["stripeToleranceS"], "stripeToleranceS", 1, 3600)
    if "maxBodyBytes" in options:
        out["max_body_bytes"] = _int(options["maxBodyBytes"], "maxBodyBytes", 1, settings.MAX_REQUEST_BYTES)
    if "respond" in options:
        out["respond"] = _choice(options["respond"], "respond", RespondMode.values)
    if "respondNode" in options:
        out["respond_node"] = _node(options["respondNode"], workflow)
    if "respondTimeoutS" in options:
        out["respond_timeout_s"] = _int(options["respondTimeoutS"], "respondTimeoutS", 1, RESPOND_TIMEOUT_MAX_S)
    if "failureStatus" in options:
        out["failure_status"] = _int(options["failureStatus"], "failureStatus", 200, 499)
    return out


def _invalid(field: str, problem: str) -> ValidationFailed:
    return ValidationFailed(f"`{field}` {problem}", details={field: [problem]})


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _invalid(field, "must be true or false")
    return value


def _choice(value: Any, field: str, allowed: list[str]) -> str:
    if value not in allowed:
        raise _invalid(field, f"must be one of {', '.join(allowed)}")
    return str(value)


def _int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _invalid(field, f"must be a whole number from {low} to {high}")
    return value


def _text(value: Any, field: str, max_chars: int) -> str:
    if not isinstance(value, str) or len(value) > max_chars or "\x00" in value:
        raise _invalid(field, f"must be text of at most {max_chars} characters")
    return value


def _header(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 100 or not set(value) <= _HEADER_CHARS:
        raise _invalid(field, "must be a header name (letters, digits, '-' or '_'), or empty")
    return value


def _node(value: Any, workflow: Workflow) -> str:
    if value in (None, ""):
        return ""
    ids = {str(n.get("id")) for n in (workflow.graph or {}).get("nodes", []) if isinstance(n, dict)}
    if value not in ids:
        raise _invalid("respondNode", f"must name a node of the workflow ({', '.join(sorted(ids))})")
    return str(value)
