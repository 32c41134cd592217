"""Builds a node's frozen context: upstream outputs, payload, resolved templates and secrets.

Secrets are decrypted here, in the worker, right before the node runs; they live only in the
returned context's `config`/`auth_headers` (memory) and in the Redactor that scrubs what is stored.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workers.executors.base import EngineLimits, LogFn, NodeContext
from workers.executors.masking import SENSITIVE_HEADERS
from workers.redaction import Redactor
from workers.templates import (
    CredentialLookupError,
    Scope,
    TemplateError,
    has_placeholder,
    render_config,
    render_operand,
)

logger = logging.getLogger(__name__)

ENV_CREDENTIALS_VAR = "AUTOMATEOS_ENV_CREDENTIALS"
_AUTH_FIELD = "auth.credentialName"


@dataclass
class PreparedNode:
    context: NodeContext
    redactor: Redactor


class PreparationError(Exception):
    """The node cannot start (missing credential, bad template path); the message names node and field."""


@dataclass(frozen=True)
class ResolvedSecret:
    name: str
    kind: str  # a vault kind; operator env credentials count as bearer_token
    value: str = field(repr=False)
    options: Mapping[str, Any] = field(default_factory=dict)


def parse_env_credentials(spec: str) -> dict[str, str]:
    """`notionToken:NOTION_TOKEN,slackWebhook:SLACK_WEBHOOK` -> {credential name: env var name}."""
    mapping: dict[str, str] = {}
    for entry in spec.split(","):
        name, sep, var = entry.strip().partition(":")
        if sep and name.strip() and var.strip():
            mapping[name.strip()] = var.strip()
    return mapping


class _CredentialSource:
    """Looks names up in the run owner's vault, then in the operator's explicit env map; caches per node."""

    def __init__(self, *, run_id: str, owner_id: int, env_map: Mapping[str, str], environ: Mapping[str, str]) -> None:
        self.run_id = run_id
        self.owner_id = owner_id
        self.env_map = env_map
        self.environ = environ
        self.resolved: dict[str, ResolvedSecret] = {}
        self.vault_ids: list[Any] = []

    def get(self, name: str) -> ResolvedSecret:
        if name not in self.resolved:
            self.resolved[name] = self._load(name)
        return self.resolved[name]

    def _load(self, name: str) -> ResolvedSecret:
        # Imported here so the module stays importable (and the templates testable) without Django set up.
        from backend.credentials.keys import VaultNotConfiguredError
        from backend.credentials.selectors import VaultLockedError, credential_reveal_by_name
        from backend.credentials.vault import VaultError

        try:
            found = credential_reveal_by_name(owner_id=self.owner_id, name=name, private_key=self._private_key)
        except VaultLockedError as exc:
            raise CredentialLookupError(str(exc)) from None
        except VaultNotConfiguredError:
            raise CredentialLookupError(
                f"credential '{name}' cannot be read: the server has no AUTOMATEOS_ENCRYPTION_KEYS"
            ) from None
        except VaultError as exc:
            logger.warning("credential %r of owner %s cannot be decrypted: %s", name, self.owner_id, exc)
            raise CredentialLookupError(
                f"credential '{name}' cannot be decrypted (its key is missing or the stored data was altered)"
            ) from None
        if found is not None:
            self.vault_ids.append(found.id)
            return ResolvedSecret(name=name, kind=found.kind, value=found.secret.reveal(), options=found.options)
        var = self.env_map.get(name)
        value = self.environ.get(var, "") if var else ""
        if value:
            return ResolvedSecret(name=name, kind="bearer_token", value=value)
        raise CredentialLookupError(f"credential '{name}' not found")

    def _private_key(self) -> Any:
        from backend.credentials.selectors import grant_private_key
        from backend.runs.selectors import run_vault_grant

        return grant_private_key(grant_id=run_vault_grant(run_id=self.run_id), user_id=self.owner_id)

    def secret_value(self, name: str) -> str:
        return self.get(name).value

    def redaction_forms(self) -> list[str]:
        forms: list[str] = []
        for secret in self.resolved.values():
            forms.append(secret.value)
            if secret.kind == "basic_auth":
                # The pair's base64 is derived by the Redactor; the password alone is a secret too.
                forms.append(secret.value.partition(":")[2])
        return forms


def _auth_headers(secret: ResolvedSecret) -> dict[str, str]:
    if secret.kind == "bearer_token":
        value = secret.value if secret.value.startswith("Bearer ") else f"Bearer {secret.value}"
        return {"Authorization": value}
    if secret.kind == "api_key_header":
        return {str(secret.options.get("headerName") or "X-API-Key"): secret.value}
    if secret.kind == "basic_auth":
        return {"Authorization": "Basic " + base64.b64encode(secret.value.encode("utf-8")).decode()}
    raise CredentialLookupError(
        f"credential '{secret.name}' is {secret.kind}; use {{{{getCredential('{secret.name}')}}}} "
        "in the url, a header or the body instead"
    )


def _secret_header_names(config: Mapping[str, Any]) -> set[str]:
    headers = config.get("headers")
    if not isinstance(headers, Mapping):
        return set()
    return {
        str(name).lower() for name, value in headers.items() if has_placeholder(value) and "getCredential" in str(value)
    }


# Shorter literal values (`Bearer x` in a test) would mask ordinary text wherever it appears.
_LITERAL_SECRET_MIN = 6


def _literal_header_secrets(config: Mapping[str, Any]) -> list[str]:
    """Values written straight into a sensitive header (`Authorization: Bearer sk_…` typed in the node):
    secrets as much as a stored credential, so a target echoing them back is redacted too."""
    headers = config.get("headers")
    if not isinstance(headers, Mapping):
        return []
    found: list[str] = []
    for name, value in headers.items():
        if str(name).lower() not in SENSITIVE_HEADERS or not isinstance(value, str):
            continue
        _scheme, _, rest = value.strip().partition(" ")
        found += [value.strip(), rest.strip()] if rest.strip() else [value.strip()]
    return [value for value in found if len(value) >= _LITERAL_SECRET_MIN]


def prepare_node(
    *,
    run_id: str,
    owner_id: int,
    node: Mapping[str, Any],
    payload: Mapping[str, Any],
    variables: Mapping[str, Any],
    upstream: Mapping[str, Any],
    limits: EngineLimits,
    idempotency_key: str,
    log: LogFn,
    env_credentials: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    trigger: Mapping[str, Any] | None = None,
) -> PreparedNode:
    """`node` is one entry of the compiled plan: {id, kind, label, config, deps, next}.

    `upstream` maps node id -> that step's stored output (templates see it as steps.<id>.output).
    `trigger` is what started the run (templates see it as trigger.<key>).
    `env_credentials`/`environ` default to AUTOMATEOS_ENV_CREDENTIALS and os.environ (tests pass their own).
    """
    label = node.get("label") or node["id"]
    raw_config: dict[str, Any] = dict(node.get("config") or {})
    environ = os.environ if environ is None else environ
    if env_credentials is None:
        env_credentials = parse_env_credentials(environ.get(ENV_CREDENTIALS_VAR, ""))
    source = _CredentialSource(run_id=run_id, owner_id=owner_id, env_map=env_credentials, environ=environ)

    def fail(message: str, where: str) -> PreparationError:
        return PreparationError(f'{message} (node "{label}", field {where})')

    auth_headers: dict[str, str] = {}
    auth = raw_config.get("auth")
    credential_name = auth.get("credentialName") if isinstance(auth, Mapping) else None
    if credential_name:
        try:
            auth_headers = _auth_headers(source.get(str(credential_name)))
        except CredentialLookupError as exc:
            raise fail(str(exc), _AUTH_FIELD) from None

    trigger = trigger or {}
    scope = Scope(payload=payload, vars=variables, steps=upstream, trigger=trigger, get_credential=source.secret_value)
    try:
        config = render_config(raw_config, scope)
    except TemplateError as exc:
        raise fail(exc.message, exc.field or "config") from None

    if source.vault_ids:
        from backend.credentials.services import credential_touch_last_used

        credential_touch_last_used(credential_ids=source.vault_ids)

    secret_headers = {name.lower() for name in auth_headers} | _secret_header_names(raw_config)
    ctx = NodeContext(
        run_id=run_id,
        node_id=node["id"],
        label=label,
        config=config,
        payload=payload,
        inputs=upstream,
        auth_headers=auth_headers,
        secret_headers=frozenset(secret_headers),
        idempotency_key=idempotency_key,
        limits=limits,
        log=log,
    )
    redactor = Redactor([*source.redaction_forms(), *_literal_header_secrets(config)])
    ctx.redact = redactor.redact_text
    # Condition operands: values, one placeholder at a time; no credentials (a comparison would leak them).
    operands = Scope(payload=payload, vars=variables, steps=upstream, trigger=trigger)
    ctx.resolve = lambda text: render_operand(text, operands)
    return PreparedNode(context=ctx, redactor=redactor)
