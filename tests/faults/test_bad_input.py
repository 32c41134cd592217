"""Bad input at scale: random graphs, configs and templates raise only the documented error types."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.core.errors import ValidationFailed
from backend.workflows.graph import GraphError, compile_graph
from workers.templates import (
    CredentialLookupError,
    Scope,
    TemplateError,
    credential_names,
    render_config,
    render_text,
    syntax_errors,
)

pytestmark = [pytest.mark.faults, pytest.mark.timeout(120)]
PROFILE = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
COUNTS: dict[str, int] = {}

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
node_ids = st.sampled_from(["start", "a", "b", "c", "d", "", "a-b", "ü"]) | st.integers(0, 3) | st.none()
kinds = st.sampled_from(["start", "http", "http_request_node", "HTTP", "nope", ""]) | st.none() | st.integers()
urls = st.sampled_from(["http://x.test/", "https://{{payload.host}}/p", "ftp://x", "", "http://", "{{a}}", "x"])
http_configs = st.fixed_dictionaries(
    {"url": urls},
    optional={
        "method": st.sampled_from(["GET", "POST", "get", "TRACE", 1]),
        "headers": st.dictionaries(st.text(max_size=6), st.text(max_size=6) | st.integers(), max_size=3),
        "body": st.text(max_size=20) | st.none() | st.integers(),
        "json_body": json_values,
        "timeout_s": st.floats(allow_nan=True) | st.integers(-5, 1000) | st.text(max_size=3),
        "retries": st.integers(-2, 20) | st.none(),
        "auth": st.none() | st.fixed_dictionaries({"credentialName": st.text(max_size=5)}) | json_values,
        "extra": json_values,
    },
)
configs = http_configs | json_values
nodes = st.fixed_dictionaries(
    {"id": node_ids, "type": kinds},
    optional={"config": configs, "label": st.text(max_size=5) | st.integers(), "data": json_values},
)
edges = st.fixed_dictionaries(
    {"source": node_ids, "target": node_ids}, optional={"id": st.text(max_size=4) | st.integers()}
)


@st.composite
def plausible_graphs(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly valid graphs (unique ids, good configs) with random edges: cycles, joins, self-loops."""
    count = draw(st.integers(1, 8))
    ids = [f"n{i}" for i in range(count)]
    built = [{"id": "n0", "type": "start", "config": {}}]
    built += [{"id": i, "type": "http", "config": {"url": f"http://x.test/{i}"}} for i in ids[1:]]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=12))
    return {"nodes": built, "edges": [{"source": a, "target": b} for a, b in pairs]}


graphs = plausible_graphs() | st.fixed_dictionaries(
    {"nodes": st.lists(nodes, max_size=7) | json_values, "edges": st.lists(edges, max_size=9) | json_values}
)


def _note(outcome: str) -> None:
    COUNTS[outcome] = COUNTS.get(outcome, 0) + 1


@PROFILE
@given(raw=graphs | json_values)
def test_compiler_raises_only_graph_errors(raw: Any) -> None:
    try:
        plan = compile_graph(raw)
    except GraphError as exc:
        assert exc.errors and all({"path", "code", "message"} <= set(e) for e in exc.errors)
        _note("graph: GraphError")
        return
    except ValidationFailed:
        _note("graph: ValidationFailed")
        return
    _note("graph: compiled")
    position = {node["id"]: i for i, node in enumerate(plan["nodes"])}
    assert len(position) == len(plan["nodes"])
    for node in plan["nodes"]:
        assert all(position[dep] < position[node["id"]] for dep in node["deps"])


fragments = st.sampled_from(
    ["{{", "}}", "{", "}", "payload", "vars", "steps", ".", "a", "b", "0", "7", "-", "$", " ", "\n", "x y",
     "getCredential('k')", 'getCredential("missing")', "getCredential(k)", "output", "__class__", "'", '"']
)  # fmt: skip
paths = st.lists(
    st.sampled_from(["payload", "vars", "steps", "a", "b", "0", "a-b", "output", "x"]), min_size=1, max_size=4
)
placeholders = paths.map(lambda parts: "{{ " + ".".join(parts) + " }}")
template_text = st.lists(placeholders | fragments | st.text(max_size=3), max_size=12).map("".join)
template_configs = st.dictionaries(
    st.sampled_from(["url", "body", "headers", "json_body", "auth", "note"]),
    template_text | st.lists(template_text, max_size=3) | st.dictionaries(st.text(max_size=3), template_text),
    max_size=5,
)


def _credential(name: str) -> str:
    if name == "k":
        return "s3cret"
    raise CredentialLookupError(f"no credential named {name!r}")


scopes = st.builds(
    Scope,
    payload=st.dictionaries(st.sampled_from(["a", "b", "0"]), json_values, max_size=3),
    vars=st.dictionaries(st.sampled_from(["a", "b", "x"]), json_values, max_size=3),
    steps=st.dictionaries(st.sampled_from(["a", "b", "a-b"]), json_values, max_size=3),
    get_credential=st.sampled_from([None, _credential]),
)


@PROFILE
@given(config=template_configs, scope=scopes)
def test_template_engine_raises_only_template_errors(config: dict[str, Any], scope: Scope) -> None:
    syntax_errors(config)
    credential_names(config)
    try:
        resolved = render_config(config, scope)
    except TemplateError as exc:
        assert exc.message
        _note("template: TemplateError")
        return
    _note("template: rendered")
    assert set(resolved) == set(config)


@PROFILE
@given(text=template_text, scope=scopes)
def test_render_text_yields_text_or_template_error(text: str, scope: Scope) -> None:
    try:
        rendered = render_text(text, scope)
    except TemplateError:
        _note("text: TemplateError")
        return
    _note("text: rendered")
    assert isinstance(rendered, str)


def test_bad_input_report() -> None:
    """Runs last in this module: prints how the random inputs were handled."""
    total = sum(COUNTS.values())
    print(f"FIGURE bad input: {total} random inputs, outcomes {dict(sorted(COUNTS.items()))}, other exceptions 0")
