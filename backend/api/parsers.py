"""The API's JSON parser: errors name the position, and nothing PostgreSQL would refuse gets through.

Besides malformed JSON (400 `parse_error`) it refuses, before any view sees the body:

- text PostgreSQL cannot store (400 `invalid_text`): a NUL character (`\\u0000`) or a lone UTF-16
  surrogate (`\\ud800`) in any string value or object key; `details.errors[0].path` names the first
  one, e.g. `payload.a` or `graph.nodes[1].data.label`;
- documents nested deeper than MAX_JSON_DEPTH arrays/objects (400 `nesting_too_deep`);
- numbers too large for a float (`1e400`): a 400 `parse_error`, where they would be infinity.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from backend.core.errors import ValidationFailed

# Deepest nesting of arrays and objects a request body may have (the body itself is level 1). Real
# graphs and payloads need a handful of levels; the cap keeps every later recursive walk (validation,
# json encoding for the database) far from Python's recursion limit.
MAX_JSON_DEPTH = 64

# Characters PostgreSQL refuses in text and jsonb. They can only come from `\u` escapes: json.loads
# refuses raw control characters in strings, and raw surrogate bytes are not valid UTF-8.
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_BAD_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,99}")


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        raw = stream.read() if stream is not None else b""
        try:
            # NaN/Infinity are not JSON; Python accepts them by default, clients would choke on them.
            data = json.loads(raw.decode("utf-8") or "null", parse_constant=_reject_constant, parse_float=_finite)
        except RecursionError as exc:
            raise _too_deep(None) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"malformed JSON: {exc}") from exc
        # Cheap byte checks first: most bodies have neither an escape to look at nor enough brackets
        # to be too deep, and skip the walk.
        if _BAD_ESCAPE.search(raw) or raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH:
            _check(data)
        return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    # 1e400 parses to infinity, which neither PostgreSQL's jsonb nor a JSON client can take back.
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise ValueError(f"the number {shown} is too large to store")
    return value


def _check(data: Any) -> None:
    found = _first_problem(data, 1)
    if found is None:
        return
    problem, reversed_path = found
    path = _format_path(reversed(reversed_path))
    if problem == "depth":
        raise _too_deep(path)
    message = f"text at `{path}` contains a NUL character or a lone surrogate, which cannot be stored"
    raise ValidationFailed(
        message,
        code="invalid_text",
        details={"errors": [{"path": path, "code": "invalid_text", "message": message}]},
    )


def _first_problem(value: Any, depth: int) -> tuple[str, list[str | int]] | None:
    """The first bad string or key in document order, or the first container nested too deep, with
    its path from the innermost part out. Recursion stops at MAX_JSON_DEPTH + 1 levels."""
    if isinstance(value, str):
        return ("text", []) if _BAD_TEXT.search(value) else None
    items: Any
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    if depth > MAX_JSON_DEPTH:
        return "depth", []
    for key, item in items:
        if isinstance(key, str) and _BAD_TEXT.search(key):
            return "text", [key]
        found = _first_problem(item, depth + 1)
        if found is not None:
            found[1].append(key)
            return found
    return None


def _format_path(parts: Any) -> str:
    """`graph.nodes[1].data.label`; keys that are not plain names as `["a\\u0000"]`."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            path += f".{part}" if path else part
        else:
            path += f"[{json.dumps(part if len(part) <= 100 else part[:100] + '…')}]"
    return path or "body"


def _too_deep(path: str | None) -> ValidationFailed:
    error: dict[str, Any] = {"limit": MAX_JSON_DEPTH}
    if path is not None:
        error["errors"] = [
            {"path": path, "code": "nesting_too_deep", "message": f"nested deeper than {MAX_JSON_DEPTH} levels"}
        ]
    return ValidationFailed(
        f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels of arrays and objects",
        code="nesting_too_deep",
        details=error,
    )
