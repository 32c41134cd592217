"""Redactor: secret forms (URL-encoded, base64 at any alignment), recursion, one pass for many secrets."""

from __future__ import annotations

import base64
import html
import json
import time
from urllib.parse import quote, quote_plus

import pytest

from workers.redaction import MASK, Redactor, secret_forms

SECRET = "tok/en+with spaces&=é"


@pytest.mark.parametrize(
    "form",
    [
        SECRET,
        quote(SECRET),
        quote(SECRET, safe=""),
        quote_plus(SECRET),
        base64.b64encode(SECRET.encode()).decode(),
        base64.b64encode(SECRET.encode()).decode().rstrip("="),
        base64.urlsafe_b64encode(SECRET.encode()).decode(),
        quote(SECRET, safe="").lower(),  # lower-case percent escapes (SECRET has no capitals)
        quote(quote(SECRET, safe=""), safe=""),
        json.dumps(SECRET)[1:-1],
        json.dumps(SECRET)[1:-1].replace("/", "\\/"),
    ],
)
def test_secret_forms_cover_encodings(form: str) -> None:
    assert form in secret_forms(SECRET)
    assert Redactor([SECRET]).redact_text(f"a {form} b") == f"a {MASK} b"


@pytest.mark.parametrize("prefix", [b"", b"a", b"ab", b"abc", b"user:"])
def test_redactor_finds_secret_inside_bigger_base64(prefix: bytes) -> None:
    blob = base64.b64encode(prefix + b"sk_live_0123456789abcdef" + b"-suffix").decode()
    redacted = Redactor(["sk_live_0123456789abcdef"]).redact_text(blob)
    assert MASK in redacted
    assert base64.b64encode(b"sk_live_0123456789abcdef").decode()[2:14] not in redacted


def test_redactor_recurses_and_keeps_other_types() -> None:
    redactor = Redactor(["s3cr3t-value"])
    value = {"a": ["x s3cr3t-value y", 1, None, True], "s3cr3t-value": ("s3cr3t-value",)}
    assert redactor.redact(value) == {"a": ["x *** y", 1, None, True], "***": ["***"]}


def test_redactor_empty_is_identity_and_exact_mode() -> None:
    value = {"a": "b"}
    assert Redactor().redact(value) is value
    assert Redactor([""]).redact_text("text") == "text"
    assert Redactor(["abc def"], encoded=False).redact_text("abc%20def abc def") == "abc%20def ***"


def test_redactor_prefers_longest_form() -> None:
    assert Redactor(["abcdef", "abcdefghij"]).redact_text("xabcdefghijx") == "x***x"


def test_redactor_is_fast_with_many_secrets() -> None:
    redactor = Redactor([f"secret-number-{i:04d}-xyz" for i in range(200)])
    text = "lorem ipsum " * 20_000 + "secret-number-0150-xyz"
    started = time.perf_counter()
    out = redactor.redact_text(text)
    assert out.endswith(MASK)
    assert time.perf_counter() - started < 2.0


def test_redactor_masks_webhook_url_parts() -> None:
    hook = "https://user:pa55w0rd-xyz@hooks.slack.test/services/T000/B000/XXXXsecret"
    redactor = Redactor([hook])
    assert redactor.redact_text(f"POST {hook}") == f"POST {MASK}"
    shown = "https://user:***@hooks.slack.test/services/T000/B000/XXXXsecret"
    assert "XXXXsecret" not in redactor.redact_text(f"HTTP 404 from POST {shown}")
    assert "pa55w0rd" not in redactor.redact_text("password pa55w0rd-xyz")


CANARY = "Can&ary<Tok>/+= %X9'q\""


@pytest.mark.parametrize(
    "form",
    [
        CANARY.lower(),
        CANARY.upper(),
        html.escape(CANARY),
        html.escape(CANARY, quote=False),
        "Can&#38;ary&#60;Tok&#62;/+= %X9&#39;q&#34;",
        "Can&#x26;ary&#x3c;Tok&#x3e;/+= %X9&#x27;q&#x22;",
        # MarkupSafe's mix: named entities for & < >, decimal ones for the quotes.
        "Can&amp;ary&lt;Tok&gt;/+= %X9&#39;q&#34;",
        quote(CANARY, safe="").lower(),
        quote_plus(CANARY),
        json.dumps(CANARY)[1:-1].replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"),
        base64.urlsafe_b64encode(CANARY.encode()).decode().rstrip("="),
    ],
)
def test_redaction_masks_every_form_a_secret_takes_on_its_way_out(form: str) -> None:
    assert Redactor([CANARY]).redact_text(f"echo: {form} end") == "echo: *** end"
