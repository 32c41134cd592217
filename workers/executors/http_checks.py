"""What an HTTP request can carry: URL, header name and header value checks that say the problem in words.

The HTTP client refuses the same things with exceptions a user cannot act on (InvalidURL,
UnicodeEncodeError, h11's LocalProtocolError); these run first, at save time on what is written
and at run time on what the templates resolved to.
"""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from urllib.parse import SplitResult, urlsplit

import httpx

TEMPLATE = re.compile(r"\{\{.*?\}\}", re.DOTALL)
# RFC 9110 `token`: anything else cannot be a header name on the wire.
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
# A host made only of numbers (decimal, octal-looking or hex) between dots: an IPv4 address in some form.
_NUMERIC_HOST = re.compile(r"(?:0[xX][0-9a-fA-F]*|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]*|[0-9]+))*\.?")
# Headers the HTTP client writes from the URL and the body; a second, different copy from the user
# would be refused by the client or, worse, let the request be read two ways (request smuggling).
CLIENT_HEADERS = {
    "host": "it is set from the URL",
    "content-length": "it is computed from the body",
    "transfer-encoding": "the HTTP client frames the body itself",
}


def char_problem(text: str, *, allow_tab: bool = False) -> str | None:
    """The first character HTTP cannot carry in a URL or a header, in words with its position."""
    if text.isprintable():
        return None  # the common case, in C: no Cc, Cs, Zl or Zp character is printable
    for position, char in enumerate(text, start=1):
        if char == "\t" and allow_tab:
            continue
        if char in "\r\n\u2028\u2029":
            return f"contains a line break at position {position}"
        if unicodedata.category(char) in ("Cc", "Cs"):
            return f"contains the control character U+{ord(char):04X} at position {position}"
    return None


def url_problem(url: str, *, resolved: bool = False) -> str | None:
    """Why `url` is not an absolute http(s) URL the client can send, or None.

    Unless `resolved`, templates count as filled in: parts that hold one are checked again at run
    time, once the template has a value.
    """
    url = url.strip()
    if not resolved and url.startswith("{{"):
        return None  # the whole origin comes from a template
    found = char_problem(url)
    if found:
        return found
    try:
        parts = urlsplit(url if resolved else TEMPLATE.sub("x", url))
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an absolute URL starting with http:// or https://"
    if not parts.hostname:
        return "has no host"
    origin = url.partition("://")[2].split("/", 1)[0]
    if not resolved and "{{" in origin:
        return None  # host or port from a template: nothing more to check before it has a value
    # The client's own parse is only needed for what the checks above do not cover (IPv6 and
    # international host names); at save time it runs only for those, as compiling a large graph
    # checks every node's URL.
    client_check = resolved or (not TEMPLATE.search(url) and ("[" in origin or not origin.isascii()))
    return _host_problem(parts.hostname) or _port_problem(parts) or (_client_problem(url) if client_check else None)


def _host_problem(host: str) -> str | None:
    if not _NUMERIC_HOST.fullmatch(host):
        return None
    address = host.rstrip(".")
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        pieces = address.split(".")
        if len(pieces) == 4 and all(p.isdigit() for p in pieces) and any(len(p) > 1 and p[0] == "0" for p in pieces):
            return (
                f"has the host {host}, an IPv4 address with a leading zero; write each number without "
                "leading zeros (a leading zero reads as octal to some software, as decimal to other)"
            )
        return f"has the host {host}, which is not an IPv4 address in the usual form (four numbers 0-255)"
    return None


def _port_problem(parts: SplitResult) -> str | None:
    try:
        parts.port  # noqa: B018 - reading it raises for a port out of range or not a number
    except ValueError:
        return "has a port that is not a number from 0 to 65535"
    return None


def _client_problem(url: str) -> str | None:
    """What the HTTP client itself refuses in a URL (an invalid IPv6 or IDNA host, say)."""
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        return f"is not a valid URL ({str(exc)[:200]})"
    return None


def shown_name(name: str) -> str:
    """A header name quoted for a message: JSON escapes make control characters visible."""
    return json.dumps(name if len(name) <= 60 else name[:60] + "…", ensure_ascii=False)


def header_name_problem(name: str) -> str | None:
    """Why `name` cannot be sent as a header name, as a sentence that quotes it, or None."""
    if not _HEADER_NAME.fullmatch(name):
        return (
            f"invalid header name {shown_name(name)}: use only letters, digits and !#$%&'*+-.^_`|~ "
            "(no spaces, colons or accents)"
        )
    reason = CLIENT_HEADERS.get(name.lower())
    if reason:
        return f"header {shown_name(name)} cannot be set by hand: {reason}"
    return None


def header_value_problem(value: str, *, resolved: bool = False) -> str | None:
    """Why `value` cannot be sent as a header value, or None; it never quotes the value (it may be a secret).

    Unless `resolved`, template expressions are left out: they are checked once they have a value.
    """
    text = value if resolved else TEMPLATE.sub("", value)
    found = char_problem(text, allow_tab=True)
    if found:
        return found
    if resolved and text != text.strip(" \t"):
        return "starts or ends with a space or tab"
    for position, char in enumerate(text, start=1):
        if ord(char) > 0x7E:
            return (
                f"contains a non-ASCII character at position {position}; header values must be ASCII "
                "(percent-encode or base64 such text)"
            )
    return None
