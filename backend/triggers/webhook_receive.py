"""A request to /hooks/<token> becomes a run: lookup, rate, size, signature, payload, dedup, start."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from backend.core.errors import Conflict, Locked, NotFound, ValidationFailed
from backend.credentials.vault import VaultError
from backend.runs.services import run_start
from backend.runs.states import RunTrigger
from backend.triggers import webhook_request as mapping
from backend.triggers.errors import InvalidSignature, PayloadTooLarge, RateLimited
from backend.triggers.models import SignaturePreset, Webhook
from backend.triggers.ratelimit import hook_wait_s
from backend.triggers.signatures import SignatureError, signature_header, verify
from backend.triggers.webhook_services import token_digest, webhook_secret

# One message for an unknown, a disabled and a just-regenerated token: the answer tells nothing apart.
NOT_FOUND_MESSAGE = "no webhook at this address"


@dataclass(frozen=True)
class Delivery:
    method: str
    headers: Mapping[str, str]  # lower-case names
    query: Mapping[str, list[str]]
    content_type: str
    body: bytes
    form: Mapping[str, list[str]] | None = None  # the parsed fields of a form body
    request_id: str = ""


@dataclass(frozen=True)
class Accepted:
    run_id: str
    status: str
    created: bool
    respond: str
    respond_node: str = ""
    timeout_s: int = 0
    failure_status: int = 200


def webhook_find(*, token: str) -> Webhook:
    hook = (
        Webhook.objects.select_related("workflow__owner").filter(token_digest=token_digest(token), enabled=True).first()
    )
    if hook is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return hook


def webhook_receive(*, token: str, delivery: Delivery, now: datetime | None = None) -> Accepted:
    """Start the hook's workflow with the request; refusals are the API's errors (404, 429, 413, 401,
    400, 422, 423), and nothing is stored for any of them."""
    now = now or timezone.now()
    hook = webhook_find(token=token)
    wait = hook_wait_s(hook.pk, now=now.timestamp())
    if wait:
        raise RateLimited(f"too many requests to this webhook; retry in {wait} s", retry_after_s=wait)
    if len(delivery.body) > hook.max_body_bytes:
        limit = hook.max_body_bytes
        raise PayloadTooLarge(f"request body is over this webhook's limit of {limit} bytes", details={"limit": limit})
    _check_signature(hook, delivery, now)
    run, created = _start(hook, delivery, now)
    return Accepted(
        run_id=str(run.pk),
        status=run.status,
        created=created,
        respond=hook.respond,
        respond_node=hook.respond_node,
        timeout_s=hook.respond_timeout_s,
        failure_status=hook.failure_status,
    )


def _check_signature(hook: Webhook, delivery: Delivery, now: datetime) -> None:
    if hook.signature == SignaturePreset.NONE:
        return
    try:
        verify(
            preset=hook.signature,
            secret=webhook_secret(hook),
            headers=delivery.headers,
            body=delivery.body,
            now=now.timestamp(),
            generic_header=hook.signature_header,
            tolerance_s=hook.stripe_tolerance_s,
        )
    except SignatureError as exc:
        raise InvalidSignature(str(exc)) from None
    except VaultError:
        # Sealed with a key no longer configured: nothing can be verified until its owner sets a new one.
        raise InvalidSignature("this webhook's secret cannot be read; its owner must set it again") from None


def payload_of(delivery: Delivery) -> dict[str, Any]:
    if not delivery.body and not delivery.form:
        return {}
    if mapping.is_json(delivery.content_type):
        return mapping.json_payload(delivery.body)
    if mapping.media_type(delivery.content_type) in mapping.FORM_TYPES and delivery.form is not None:
        return mapping.form_payload(delivery.form)
    return mapping.text_payload(delivery.body)


def _dedup_key(hook: Webhook, delivery: Delivery) -> str | None:
    value = delivery.headers.get(hook.dedup_header.lower(), "") if hook.dedup_header else ""
    if not value:
        return None
    # Hashed: the sender's value may be long or odd text; the hook's id keeps two hooks' keys apart.
    return f"webhook:{hook.pk}:{hashlib.sha256(value.encode()).hexdigest()}"


def _start(hook: Webhook, delivery: Delivery, now: datetime) -> tuple[Any, bool]:
    data = mapping.trigger_data(
        method=delivery.method,
        headers=delivery.headers,
        query=delivery.query,
        content_type=delivery.content_type,
        received_at=now,
        also_hide=signature_header(hook.signature, hook.signature_header) if hook.signature != "none" else "",
    )
    try:
        return run_start(
            owner=hook.workflow.owner,
            workflow_id=hook.workflow_id,
            payload=payload_of(delivery),
            trigger=RunTrigger.WEBHOOK,
            trigger_data=data,
            idempotency_key=_dedup_key(hook, delivery),
            request_id=delivery.request_id,
        )
    except Locked as exc:
        # The sender learns that the vault is locked, not which credentials the workflow uses.
        message = "vault locked: the workflow needs a passphrase-protected credential and cannot run unattended"
        raise Locked(message, code=exc.code) from None
    except ValidationFailed as exc:
        if exc.code != "invalid_graph":
            raise
        # The graph's problems are its owner's to read in the builder, not an anonymous sender's.
        raise Conflict(
            "the workflow behind this webhook cannot run; its owner must fix it", code="workflow_invalid"
        ) from None
