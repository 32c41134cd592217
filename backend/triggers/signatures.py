"""HMAC-SHA256 checks of a webhook body: GitHub, Stripe and a generic header; constant-time compares."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

GITHUB_HEADER = "x-hub-signature-256"
STRIPE_HEADER = "stripe-signature"
GENERIC_DEFAULT_HEADER = "x-signature"


class SignatureError(Exception):
    """Why a request's signature is refused, in words that reveal nothing of the secret."""


def signature_header(preset: str, generic_header: str = "") -> str:
    """The lower-case header a preset reads (and that is kept out of the run's trigger data)."""
    if preset == "github":
        return GITHUB_HEADER
    if preset == "stripe":
        return STRIPE_HEADER
    return (generic_header or GENERIC_DEFAULT_HEADER).lower()


def hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    *,
    preset: str,
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    generic_header: str = "",
    tolerance_s: int = 300,
) -> None:
    """Raise SignatureError unless `headers` (lower-case names) carry a valid signature of `body`."""
    name = signature_header(preset, generic_header)
    given = headers.get(name, "").strip()
    if not given:
        raise SignatureError(f"missing signature header {name}")
    if preset == "stripe":
        _verify_stripe(secret, given, body, now, tolerance_s)
        return
    if preset == "github" and not given.startswith("sha256="):
        raise SignatureError(f"{name} must look like sha256=<hex>")
    candidate = given.removeprefix("sha256=")
    if not hmac.compare_digest(candidate.lower().encode(), hmac_hex(secret, body).encode()):
        raise SignatureError("signature does not match the body")


def _verify_stripe(secret: str, given: str, body: bytes, now: float, tolerance_s: int) -> None:
    pairs = [part.split("=", 1) for part in given.split(",") if "=" in part]
    stamps = [value.strip() for key, value in pairs if key.strip() == "t"]
    signatures = [value.strip().lower() for key, value in pairs if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        raise SignatureError(f"{STRIPE_HEADER} must look like t=<unix time>,v1=<hex>")
    if abs(now - int(stamps[0])) > tolerance_s:
        raise SignatureError(f"{STRIPE_HEADER} timestamp is outside the tolerance of {tolerance_s} s")
    expected = hmac_hex(secret, stamps[0].encode() + b"." + body).encode()
    # Every candidate is compared (no early exit), so timing says nothing about which one matched.
    matches = [hmac.compare_digest(candidate.encode(), expected) for candidate in signatures]
    if not any(matches):
        raise SignatureError("signature does not match the body")
