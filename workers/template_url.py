"""URL templates: each placeholder's value is percent-encoded for the URL part it lands in."""

from __future__ import annotations

import re
from enum import Enum
from urllib.parse import quote

# A host, an IPv4/IPv6 literal, with an optional port: inserted as written in the authority.
_HOST_PORT = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::[0-9]{1,5})?$")
_DOTS = re.compile(r"^\.+$")


class UrlPart(Enum):
    """Where a placeholder sits, judged from the URL text rendered before it."""

    BASE = "base"  # the URL starts with it: the value supplies scheme and host (checked once resolved)
    SCHEME = "scheme"  # inside the scheme, before `://`
    AUTHORITY = "authority"
    PATH = "path"
    QUERY = "query"
    FRAGMENT = "fragment"


def url_part(before: str) -> UrlPart:
    """The URL part a placeholder falls in, given the (already rendered) text before it."""
    if not before.strip():
        return UrlPart.BASE
    if "#" in before:
        return UrlPart.FRAGMENT
    if "?" in before:
        return UrlPart.QUERY
    scheme_end = before.find("://")
    if scheme_end < 0:
        return UrlPart.SCHEME
    return UrlPart.PATH if "/" in before[scheme_end + 3 :] else UrlPart.AUTHORITY


def encode_for(part: UrlPart, value: str) -> str:
    """`value` made inert for `part`: it can fill that part but never start another one."""
    if part is UrlPart.BASE:
        return value
    if part is UrlPart.AUTHORITY and _HOST_PORT.match(value):
        return value
    # safe="" leaves only unreserved characters (letters, digits, `-._~`): `/ ? # & = + @ :` and
    # spaces are all escaped, so a value cannot add a segment, a parameter or a fragment.
    encoded = quote(value, safe="")
    if part is UrlPart.PATH and _DOTS.match(encoded):
        # A whole segment of `.` or `..` would climb the path once a server normalises it.
        return encoded.replace(".", "%2E")
    return encoded
