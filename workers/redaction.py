"""Redaction of resolved secrets, in any letter case and the encodings they travel in, from anything stored."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

MASK = "***"
# A text cut short may end with the start of a secret: a trailing piece this long is masked too.
_MIN_CUT_PIECE = 4
# Below this, the unaligned base64 fragments of a secret are too short to be specific to it.
_MIN_FRAGMENT = 6
_PERCENT = re.compile(r"%[0-9A-F]{2}")
_HTML_SAFE_JSON = re.compile(r"[&<>']")
_HTML_SAFE_JSON_NO_QUOTE = re.compile(r"[&<>]")  # Django's json_script leaves ' as it is
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#x27);")
_QUOTE_ENTITY = re.compile(r"&(?:quot|#x27);")


def _b64_fragments(raw: bytes) -> set[str]:
    """Base64 text that encodes `raw` wherever it sits inside a longer encoded blob (3 alignments).

    A secret embedded in a bigger base64 payload (a basic-auth header, a JWT body) is encoded
    differently depending on its offset modulo 3; the characters fully determined by the secret's
    own bits are the same every time, so those are what we look for.
    """
    fragments: set[str] = set()
    bits = len(raw) * 8
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw + b"\0\0").decode()
        start_bit = shift * 8
        first = -(-start_bit // 6)  # first char whose 6 bits all come from the secret
        last = (start_bit + bits) // 6  # one past the last such char
        for text in (encoded[first:last], encoded[first:last].replace("+", "-").replace("/", "_")):
            if len(text) >= _MIN_FRAGMENT:
                fragments.add(text)
    return fragments


def secret_forms(secret: str) -> set[str]:
    """The secret plus the encodings it commonly travels in: URL-encoded, base64 (standard, URL-safe)."""
    if not secret:
        return set()
    raw = secret.encode("utf-8")
    quoted = {quote(secret, safe=""), quote(secret), quote_plus(secret)}
    # Percent escapes in lower case (some clients write them so) and the secret quoted twice (a URL
    # carried inside another URL's query).
    quoted |= {_PERCENT.sub(lambda m: m.group().lower(), q) for q in quoted} | {quote(quote(secret, safe=""), safe="")}
    # Inside JSON text (an echoed body kept as text): escaped quotes and non-ASCII, `/` as `\/` too.
    escaped = {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    escaped |= {e.replace("/", "\\/") for e in escaped}
    # Serialisers that keep JSON safe inside HTML write `&`, `<`, `>` and `'` as \u escapes.
    escaped |= {
        pattern.sub(lambda m: f"\\u{ord(m.group()):04x}", e)
        for e in escaped
        for pattern in (_HTML_SAFE_JSON, _HTML_SAFE_JSON_NO_QUOTE)
    }
    # Inside HTML: an error page or an echoed form shows the secret entity-escaped.
    # Escapers differ in which characters get a named entity: Python's names & < > " and writes ' in
    # hex, MarkupSafe (Jinja) and Werkzeug write " and ' in decimal; some write everything numerically.
    marked = {html.escape(secret), html.escape(secret, quote=False)}
    marked |= {_ENTITY.sub(lambda m: f"&#{ord(html.unescape(m.group()))};", m) for m in marked}
    marked |= {_ENTITY.sub(lambda m: f"&#x{ord(html.unescape(m.group())):x};", m) for m in marked}
    marked.add(_QUOTE_ENTITY.sub(lambda m: f"&#{ord(html.unescape(m.group()))};", html.escape(secret)))
    forms = {secret} | quoted | escaped | marked
    for encoder in (base64.b64encode, base64.urlsafe_b64encode):
        encoded = encoder(raw).decode()
        forms.update({encoded, encoded.rstrip("=")})
    forms.update(_b64_fragments(raw))
    forms.update(_url_parts(secret))
    return {form for form in forms if form}


def _url_parts(secret: str) -> set[str]:
    """For a secret that is a URL (a webhook): the parts that carry the secret when shown piecemeal.

    Messages may show the URL with its password masked or just its path, so the secret path+query
    and the password are redacted on their own too.
    """
    try:
        parts = urlsplit(secret)
    except ValueError:
        return set()
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return set()
    found = set()
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    if len(tail) >= _MIN_FRAGMENT * 2:
        found.add(tail)
    if parts.password and len(parts.password) >= _MIN_FRAGMENT:
        found.add(parts.password)
    return found


class Redactor:
    """Replaces every known secret form in strings, recursively through dicts and lists.

    `Redactor(secrets)` derives the encoded forms itself (pass `encoded=False` for exact strings only).
    One compiled alternation, longest form first, so a text is scanned once whatever the secret count.
    """

    def __init__(self, secrets: Iterable[str] = (), *, encoded: bool = True) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if secret:
                forms.update(secret_forms(secret) if encoded else {secret})
        self._forms: tuple[str, ...] = tuple(sorted(forms, key=len, reverse=True))
        # Any letter case: a host name comes back lower-cased in DNS and network errors, percent
        # escapes come in either case, and some targets upper-case what they echo. The text is
        # matched lower-cased against lower-cased forms: re.IGNORECASE would cost the alternation its
        # literal-prefix scan, many times slower on long texts.
        lowered = sorted({form.lower() for form in self._forms}, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, lowered))) if lowered else None
        self._any_case = re.compile("|".join(map(re.escape, lowered)), re.IGNORECASE) if lowered else None

    def __repr__(self) -> str:
        return f"Redactor({len(self._forms)} forms)"

    def redact_text(self, text: str) -> str:
        if self._pattern is None or self._any_case is None or not text:
            return text
        lowered = text.lower()
        if len(lowered) != len(text):
            # A character whose lower case is longer (`İ`): positions would not line up.
            return self._any_case.sub(MASK, text)
        pieces: list[str] = []
        last = 0
        for match in self._pattern.finditer(lowered):
            pieces += [text[last : match.start()], MASK]
            last = match.end()
        return "".join([*pieces, text[last:]]) if pieces else text

    def redact_cut(self, text: str) -> str:
        """Like redact_text, for a text that was cut short at its end: a trailing start of any secret
        form (the rest of it fell past the cut) is masked as well."""
        text = self.redact_text(text)
        folded = text.casefold()
        for form in self._forms:
            for size in range(min(len(form) - 1, len(text)), _MIN_CUT_PIECE - 1, -1):
                if folded.endswith(form[:size].casefold()):
                    return text[:-size] + MASK
        return text

    def redact(self, value: Any) -> Any:
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, dict):
            return {self.redact(k): self.redact(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact(v) for v in value]
        return value
