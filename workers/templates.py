"""Our own small template language for node configs: dict/list lookups on JSON data only, no eval."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workers.template_url import encode_for, url_part

# No nesting: the body of a placeholder never contains `{{` or `}}`, so one never spans another.
PLACEHOLDER = re.compile(r"\{\{((?:(?!\{\{|\}\}).)*)\}\}", re.DOTALL)
_CREDENTIAL_NAME = r"[A-Za-z0-9_.-]{1,100}"
_CREDENTIAL = re.compile(rf"""^getCredential\(\s*(?:'({_CREDENTIAL_NAME})'|"({_CREDENTIAL_NAME})")\s*\)$""")
# Segments are identifiers, node ids (dashes allowed) or list indexes; nothing else is syntax.
_SEGMENT = r"[A-Za-z0-9_$-]+"
_PATH = re.compile(rf"^{_SEGMENT}(?:\.{_SEGMENT})*$")
ROOTS = frozenset({"payload", "vars", "steps", "trigger"})
NAME_FIELDS = frozenset({"auth"})  # config keys copied as written: names, not templates
# Conditions (branch, switch): templates too, but the executor resolves each operand itself through
# NodeContext.resolve, so a value is only ever a value and never becomes part of the expression text.
CONDITION_FIELDS = frozenset({"condition", "cases"})
UNRENDERED_FIELDS = NAME_FIELDS | CONDITION_FIELDS
_MAX_DEPTH = 64
_MISSING = object()


class _Missing:
    """What a condition operand whose path is not there resolves to (so `exists` can test it)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


class TemplateError(Exception):
    """A placeholder cannot be resolved; `field` is the config path it sits in (e.g. json_body.a[0])."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(f"{message} (field {field})" if field else message)
        self.message = message
        self.field = field


class CredentialLookupError(Exception):
    """Raised by a Scope's credential callback; its message names the credential, never a value."""


@dataclass(frozen=True)
class Expression:
    source: str  # normalised `{{…}}` text, used in error messages
    credential: str | None = None
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    payload: Mapping[str, Any] = field(default_factory=dict)
    vars: Mapping[str, Any] = field(default_factory=dict)
    steps: Mapping[str, Any] = field(default_factory=dict)  # node id -> that step's output
    trigger: Mapping[str, Any] = field(default_factory=dict)  # what started the run (webhook headers, …)
    get_credential: Callable[[str], str] | None = None


def parse_expression(inner: str) -> Expression:
    text = inner.strip()
    match = _CREDENTIAL.match(text)
    if match:
        name = match.group(1) or match.group(2)
        return Expression(source=f"{{{{getCredential('{name}')}}}}", credential=name)
    if not _PATH.match(text):
        raise TemplateError(f"invalid template expression {{{{{text}}}}}")
    path = tuple(text.split("."))
    if path[0] not in ROOTS:
        if len(path) > 1:
            # Roots are a closed set: a typo such as `paylaod.title` must not read as a variable.
            raise TemplateError(
                f"unknown root {path[0]!r} in {{{{{text}}}}}: write {{{{vars.{text}}}}} for a workflow variable "
                "(roots: payload, vars, steps, trigger, getCredential('name'))"
            )
        path = ("vars", *path)  # bare `{{x}}` is a workflow variable
    return Expression(source=f"{{{{{text}}}}}", path=path)


def has_placeholder(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value and PLACEHOLDER.search(value) is not None


def _step(current: Any, segment: str) -> Any:
    # Only plain containers are walked: no getattr, so no route to Python objects.
    if isinstance(current, Mapping):
        return current.get(segment, _MISSING)
    if isinstance(current, Sequence) and not isinstance(current, str | bytes) and segment.isdigit():
        index = int(segment)
        return current[index] if index < len(current) else _MISSING
    return _MISSING


def _step_view(output: Any) -> dict[str, Any]:
    """What `steps.<id>` exposes: its output, and its error (a failure its node handled with on_error
    stores it in the output; "" after a success)."""
    error = output.get("error", "") if isinstance(output, dict) else ""
    return {"output": output, "error": error}


def _evaluate(expr: Expression, scope: Scope, *, lenient: bool = False) -> Any:
    """The value of one placeholder; a path that is not there raises, or gives MISSING when `lenient`."""
    if expr.credential is not None:
        if scope.get_credential is None:
            raise TemplateError(f"credentials are not available here: {expr.source}")
        try:
            return scope.get_credential(expr.credential)
        except CredentialLookupError as exc:
            raise TemplateError(str(exc)) from None
    root, *rest = expr.path
    current: Any
    if root == "steps":
        current = {node_id: _step_view(output) for node_id, output in scope.steps.items()}
        if rest and rest[0] not in scope.steps:
            if lenient:
                return MISSING
            raise TemplateError(f"missing value for {expr.source}: {rest[0]!r} is not an upstream step of this node")
    else:
        current = scope.payload if root == "payload" else scope.vars if root == "vars" else scope.trigger
    for segment in rest:
        current = _step(current, segment)
        if current is _MISSING:
            if lenient:
                return MISSING
            raise TemplateError(f"missing value for {expr.source}")
    return current


def to_text(value: Any) -> str:
    """How a value reads inside a longer string: strings as is, everything else as compact JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise TemplateError("value is not JSON data") from None


def render_text(text: str, scope: Scope) -> str:
    """Every placeholder converted to text (used inside longer strings and JSON-string bodies)."""
    if not has_placeholder(text):
        return text
    return PLACEHOLDER.sub(lambda m: to_text(_evaluate(parse_expression(m.group(1)), scope)), text)


def render_string(text: str, scope: Scope) -> Any:
    """A string that is exactly one placeholder keeps the value's JSON type; otherwise text."""
    if not has_placeholder(text):
        return text
    whole = PLACEHOLDER.fullmatch(text)
    if whole is not None:
        return _evaluate(parse_expression(whole.group(1)), scope)
    return render_text(text, scope)


def render_operand(text: str, scope: Scope) -> Any:
    """A condition operand: like render_string, but a lone placeholder whose path is not there is MISSING."""
    if not has_placeholder(text):
        return text
    whole = PLACEHOLDER.fullmatch(text)
    if whole is not None:
        return _evaluate(parse_expression(whole.group(1)), scope, lenient=True)
    return render_text(text, scope)


def render_url(text: str, scope: Scope) -> str:
    """A URL: exactly one placeholder is the whole URL; otherwise each value is encoded for its part."""
    if not has_placeholder(text):
        return text
    whole = PLACEHOLDER.fullmatch(text.strip())
    if whole is not None:
        return to_text(_evaluate(parse_expression(whole.group(1)), scope))
    out: list[str] = []
    end = 0
    for match in PLACEHOLDER.finditer(text):
        out.append(text[end : match.start()])
        value = to_text(_evaluate(parse_expression(match.group(1)), scope))
        out.append(encode_for(url_part("".join(out)), value))
        end = match.end()
    out.append(text[end:])
    return "".join(out)


def render_header(text: str, scope: Scope) -> str:
    """A header value as text; a value bringing CR or LF is refused, so it cannot start a new header."""

    def value(match: re.Match[str]) -> str:
        expr = parse_expression(match.group(1))
        result = to_text(_evaluate(expr, scope))
        if "\r" in result or "\n" in result:
            # The message names the placeholder, never the value: it may be a secret.
            raise TemplateError(f"the value of {expr.source} contains a line break (CR/LF), not allowed in a header")
        return result

    return PLACEHOLDER.sub(value, text) if has_placeholder(text) else text


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def render(value: Any, scope: Scope, *, path: str = "", depth: int = 0, as_text: bool = False) -> Any:
    """Resolve placeholders recursively through dicts and lists; errors carry the field path.

    `as_text` converts every string leaf to text (for urls and header values, which must stay strings).
    """
    if depth > _MAX_DEPTH:
        raise TemplateError("config nested too deeply", field=path)
    if isinstance(value, str):
        try:
            return render_text(value, scope) if as_text else render_string(value, scope)
        except TemplateError as exc:
            raise TemplateError(exc.message, field=exc.field or path) from None
    if isinstance(value, Mapping):
        return {k: render(v, scope, path=_join(path, k), depth=depth + 1, as_text=as_text) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [render(v, scope, path=_join(path, i), depth=depth + 1, as_text=as_text) for i, v in enumerate(value)]
    return value


def _render_json_string(text: str, scope: Scope, *, path: str) -> str:
    """A `body` that is JSON text: substitute inside its strings so inserted quotes cannot break the JSON."""
    try:
        document = json.loads(text)
    except ValueError:
        document = _MISSING
    if document is _MISSING or not isinstance(document, dict | list):
        try:
            return render_text(text, scope)
        except TemplateError as exc:
            raise TemplateError(exc.message, field=path) from None

    def walk(node: Any, where: str) -> Any:
        if isinstance(node, str):
            try:
                return render_text(node, scope) if has_placeholder(node) else node
            except TemplateError as exc:
                raise TemplateError(exc.message, field=where) from None
        if isinstance(node, dict):
            return {k: walk(v, _join(where, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, _join(where, i)) for i, v in enumerate(node)]
        return node

    return json.dumps(walk(document, path), ensure_ascii=False)


def render_config(
    config: Mapping[str, Any],
    scope: Scope,
    *,
    skip: frozenset[str] = UNRENDERED_FIELDS,
    json_string_fields: frozenset[str] = frozenset({"body"}),
    url_fields: frozenset[str] = frozenset({"url"}),
    header_fields: frozenset[str] = frozenset({"headers"}),
) -> dict[str, Any]:
    """The node config with every placeholder resolved; `skip` keys are copied untouched."""
    resolved: dict[str, Any] = {}
    for key, value in config.items():
        if key in skip:
            resolved[key] = value
        elif key in json_string_fields and isinstance(value, str) and has_placeholder(value):
            resolved[key] = _render_json_string(value, scope, path=key)
        elif key in url_fields and isinstance(value, str):
            resolved[key] = _at(key, render_url, value, scope)
        elif key in header_fields and isinstance(value, Mapping):
            resolved[key] = {
                name: _at(_join(key, name), render_header, text, scope) if isinstance(text, str) else text
                for name, text in value.items()
            }
        else:
            resolved[key] = render(value, scope, path=key, as_text=key in header_fields)
    return resolved


def _at(where: str, renderer: Callable[[str, Scope], str], text: str, scope: Scope) -> str:
    try:
        return renderer(text, scope)
    except TemplateError as exc:
        raise TemplateError(exc.message, field=where) from None


def iter_expressions(value: Any, *, path: str = "") -> Iterator[tuple[str, str]]:
    """(field, placeholder body) for every placeholder in a config, for checks before a run."""
    if isinstance(value, str):
        for match in PLACEHOLDER.finditer(value):
            yield path, match.group(1)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from iter_expressions(v, path=_join(path, k))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from iter_expressions(v, path=_join(path, i))


def syntax_errors(config: Mapping[str, Any]) -> list[str]:
    """Messages for placeholders that can never resolve (bad syntax), e.g. for the compiler at save time."""
    errors = []
    for where, inner in iter_expressions(config):
        try:
            parse_expression(inner)
        except TemplateError as exc:
            errors.append(f"{exc.message} (field {where})")
    return errors


def credential_names(config: Mapping[str, Any]) -> set[str]:
    """Credential names a config references through getCredential(...)."""
    names = set()
    for _, inner in iter_expressions(config):
        match = _CREDENTIAL.match(inner.strip())
        if match:
            names.add(match.group(1) or match.group(2))
    return names
