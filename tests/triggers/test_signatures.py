"""HMAC presets: GitHub, Stripe (with its timestamp tolerance) and a generic header; good, bad, missing."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from backend.triggers.signatures import SignatureError, verify

SECRET = "whsec_test_secret"
BODY = b'{"action": "opened"}'
NOW = 1_800_000_000


def _hex(message: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_signatures_github_accepts_the_sha256_header() -> None:
    verify(preset="github", secret=SECRET, headers={"x-hub-signature-256": f"sha256={_hex(BODY)}"}, body=BODY, now=NOW)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "missing signature header x-hub-signature-256"),
        ({"x-hub-signature-256": _hex(BODY)}, "must look like sha256=<hex>"),
        ({"x-hub-signature-256": f"sha256={_hex(BODY, 'other')}"}, "does not match"),
        ({"x-hub-signature-256": f"sha256={_hex(BODY + b' ')}"}, "does not match"),
    ],
)
def test_signatures_github_refuses_missing_malformed_and_wrong(headers: dict[str, str], message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        verify(preset="github", secret=SECRET, headers=headers, body=BODY, now=NOW)


def _stripe(t: int, secret: str = SECRET, body: bytes = BODY) -> str:
    return f"t={t},v1={_hex(f'{t}.'.encode() + body, secret)},v0=deadbeef"


def test_signatures_stripe_accepts_a_fresh_signature_among_several() -> None:
    header = f"t={NOW},v1={'0' * 64},v1={_hex(f'{NOW}.'.encode() + BODY)}"
    verify(preset="stripe", secret=SECRET, headers={"stripe-signature": header}, body=BODY, now=NOW + 10)
    verify(preset="stripe", secret=SECRET, headers={"stripe-signature": _stripe(NOW)}, body=BODY, now=NOW)


@pytest.mark.parametrize(
    ("header", "now", "message"),
    [
        (None, NOW, "missing signature header stripe-signature"),
        (_stripe(NOW), NOW + 301, "outside the tolerance of 300 s"),
        (_stripe(NOW), NOW - 301, "outside the tolerance"),
        (_stripe(NOW, secret="other"), NOW, "does not match"),
        (f"v1={_hex(BODY)}", NOW, "must look like t=<unix time>,v1=<hex>"),
        (f"t=abc,v1={_hex(BODY)}", NOW, "must look like"),
    ],
)
def test_signatures_stripe_refuses_stale_wrong_and_malformed(header: str | None, now: int, message: str) -> None:
    headers = {"stripe-signature": header} if header else {}
    with pytest.raises(SignatureError, match=message):
        verify(preset="stripe", secret=SECRET, headers=headers, body=BODY, now=now, tolerance_s=300)


def test_signatures_generic_reads_the_configured_header_with_or_without_prefix() -> None:
    for value in (_hex(BODY), f"sha256={_hex(BODY)}", _hex(BODY).upper()):
        verify(
            preset="generic", secret=SECRET, headers={"x-my-sig": value}, body=BODY, now=NOW, generic_header="X-My-Sig"
        )
    with pytest.raises(SignatureError, match="missing signature header x-my-sig"):
        verify(preset="generic", secret=SECRET, headers={"x-signature": _hex(BODY)}, body=BODY, now=NOW,
               generic_header="X-My-Sig")  # fmt: skip
    with pytest.raises(SignatureError, match="does not match"):
        verify(preset="generic", secret=SECRET, headers={"x-signature": "00"}, body=BODY, now=NOW)
