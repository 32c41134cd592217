"""Workflow files: the prototype builder's file, its legacy `definition.steps` documents and export."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.core.errors import ValidationFailed
from backend.core.limits import VAR_NAME_MAX

FILE_VERSION = 1
DEFAULT_NAME = "Untitled"
_TOP_LEVEL = frozenset({"nodes", "edges", "meta", "metadata", "vars"})
_META_KEYS = frozenset({"name", "version", "exportedAt", "description"})
_METADATA_KEYS = ("name", "description", "version", "createdAt", "updatedAt")
_EDGE_KEYS = frozenset({"id", "source", "target", "sourceHandle", "targetHandle", "type", "data"})
# The template language's path segment, so every variable is reachable as {{vars.x}} and {{x}}.
_VAR_NAME = re.compile(rf"[A-Za-z0-9_$-]{{1,{VAR_NAME_MAX}}}")
_LEGACY_HTTP_TYPES = frozenset({"http_request_node", "http"})
_LAYOUT_X, _LAYOUT_DX, _LAYOUT_Y = 40, 220, 60


class WorkflowFileError(ValidationFailed):
    """A workflow file breaks the format; `details["errors"]` lists {path, code, message}."""

    code = "invalid_workflow_file"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        first = "; ".join(e["message"] for e in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"invalid workflow file: {first}{more}", details={"errors": errors[:100]})


@dataclass(frozen=True)
class ImportedWorkflow:
    """What an imported file contributes to a Workflow row."""

    name: str
    description: str
    graph: dict[str, Any]  # normalised builder form: {"nodes": [...], "edges": [...]}
    variables: dict[str, Any] | None  # None: the file has no `vars` (old files)


@dataclass
class _Errors:
    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, path: str, code: str, message: str) -> None:
        self.items.append({"path": path, "code": code, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            raise WorkflowFileError(self.items)


def is_legacy(doc: Any) -> bool:
    return isinstance(doc, Mapping) and "definition" in doc and "nodes" not in doc


def is_builder_file(doc: Any) -> bool:
    return isinstance(doc, Mapping) and "nodes" in doc


def read_import(doc: Any) -> ImportedWorkflow:
    """A builder file or a legacy `definition.steps` document, as the parts of a Workflow."""
    if is_legacy(doc):
        doc = legacy_to_graph(doc)
    if not is_builder_file(doc):
        raise WorkflowFileError(
            [
                {
                    "path": "",
                    "code": "unknown_format",
                    "message": "expected a builder file (nodes, edges) or a legacy file (definition.steps)",
                }
            ]
        )
    return parse_builder_file(doc)


def parse_builder_file(doc: Any) -> ImportedWorkflow:
    """Validate a whole builder file by the prototype builder's file rules and normalise it."""
    errors = _Errors()
    _check_top_level(doc, errors, what="a workflow file", key_kind="top-level key")
    meta = _meta(doc.get("meta"), errors)
    metadata = _metadata(doc.get("metadata"), errors)
    variables = parse_vars(doc["vars"], errors=errors) if "vars" in doc else None
    graph = _graph(doc, errors)
    errors.raise_if_any()
    name = meta.get("name") or metadata.get("name") or DEFAULT_NAME
    description = meta.get("description") or metadata.get("description") or ""
    return ImportedWorkflow(name=name, description=description, graph=graph, variables=variables)


def _check_top_level(doc: Any, errors: _Errors, *, what: str, key_kind: str) -> None:
    """An object whose keys are only those a builder file may have at its top."""
    if not isinstance(doc, Mapping):
        errors.add("", "not_an_object", f"{what} must be a JSON object with `nodes` and `edges`")
        errors.raise_if_any()
    for key in sorted(set(doc) - _TOP_LEVEL, key=str):
        allowed = ", ".join(sorted(_TOP_LEVEL))
        errors.add(str(key), "unknown_field", f"unknown {key_kind} `{key}` (allowed: {allowed})")


def normalize_graph(raw: Any) -> dict[str, Any]:
    """`{nodes, edges}` in builder form from a builder file or the flattened run-request form.

    A `vars`, `meta` or `metadata` beside them is allowed and left out; anything else is rejected.
    """
    errors = _Errors()
    _check_top_level(raw, errors, what="the graph", key_kind="graph key")
    graph = _graph(raw, errors)
    errors.raise_if_any()
    return graph


def parse_vars(value: Any, *, errors: _Errors | None = None, path: str = "vars") -> dict[str, Any]:
    """Workflow variables: an object whose keys are template-safe names and whose values are JSON."""
    own = errors is None
    collector = errors if errors is not None else _Errors()
    if not isinstance(value, Mapping):
        collector.add(path, "wrong_type", "`vars` must be an object of name → JSON value")
    else:
        for key in value:
            if not isinstance(key, str) or not _VAR_NAME.fullmatch(key):
                # The key is quoted only when short: it may be anything, of any length.
                shown = repr(key) if len(str(key)) <= 40 else f"of {len(str(key))} characters"
                collector.add(
                    f"{path}.{str(key)[:40]}",
                    "invalid_name",
                    f"variable name {shown} must be 1-{VAR_NAME_MAX} letters, digits, _, - or $",
                )
    if own:
        collector.raise_if_any()
    return dict(value) if isinstance(value, Mapping) else {}


def _meta(value: Any, errors: _Errors) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors.add("meta", "wrong_type", "`meta` must be an object")
        return {}
    for key in sorted(set(value) - _META_KEYS, key=str):
        errors.add(
            f"meta.{key}",
            "unknown_field",
            f"unknown key `meta.{key}` (allowed: name, version, exportedAt, description)",
        )
    version = value.get("version", FILE_VERSION)
    # `True == 1` in Python; the file format means the JSON number 1.
    if type(version) is not int or version != FILE_VERSION:
        errors.add("meta.version", "unsupported_version", f"`meta.version` must be the number 1, got {version!r}")
    for key in ("name", "description", "exportedAt"):
        if key in value and not isinstance(value[key], str):
            errors.add(f"meta.{key}", "wrong_type", f"`meta.{key}` must be a string")
    exported = value.get("exportedAt")
    if isinstance(exported, str) and not _is_iso(exported):
        errors.add("meta.exportedAt", "invalid_datetime", f"`meta.exportedAt` is not an ISO date-time: {exported!r}")
    return {k: v for k, v in value.items() if k in _META_KEYS and isinstance(v, str)}


def _metadata(value: Any, errors: _Errors) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors.add("metadata", "wrong_type", "`metadata` must be an object")
        return {}
    kept: dict[str, str] = {}
    for key in _METADATA_KEYS:  # other keys of this legacy block are dropped silently
        if key not in value:
            continue
        if isinstance(value[key], str):
            kept[key] = value[key]
        else:
            errors.add(f"metadata.{key}", "wrong_type", f"`metadata.{key}` must be a string")
    return kept


def _graph(raw: Mapping[str, Any], errors: _Errors) -> dict[str, Any]:
    nodes_raw, edges_raw = raw.get("nodes"), raw.get("edges")
    for key, value in (("nodes", nodes_raw), ("edges", edges_raw)):
        if value is None:
            errors.add(key, "required", f"`{key}` is required (a list)")
        elif not isinstance(value, list):
            errors.add(key, "wrong_type", f"`{key}` must be a list")
    nodes_list = nodes_raw if isinstance(nodes_raw, list) else []
    # The run-request form puts config on the node and may omit edge ids; the builder form may not.
    flattened = any(isinstance(n, Mapping) and "data" not in n and "config" in n for n in nodes_list)
    nodes = [_node(n, i, errors) for i, n in enumerate(nodes_list)]
    edges_list = edges_raw if isinstance(edges_raw, list) else []
    edges = [_edge(e, i, errors, id_required=not flattened) for i, e in enumerate(edges_list)]
    return {"nodes": [n for n in nodes if n is not None], "edges": [e for e in edges if e is not None]}


def _node(raw: Any, index: int, errors: _Errors) -> dict[str, Any] | None:
    path = f"nodes[{index}]"
    if not isinstance(raw, Mapping):
        errors.add(path, "wrong_type", f"node {index} must be an object")
        return None
    ok = True
    for key in ("id", "type"):
        if not isinstance(raw.get(key), str) or not raw.get(key):
            errors.add(f"{path}.{key}", "required", f"node {index} needs `{key}` (a non-empty string)")
            ok = False
    position = _position(raw.get("position"), index, path, errors)
    data = _node_data(raw, path, errors)
    if not ok or position is None or data is None:
        return None
    return {"id": raw["id"], "type": raw["type"], "position": position, "data": data}


def _position(value: Any, index: int, path: str, errors: _Errors) -> dict[str, Any] | None:
    if value is None:
        # Run-request nodes have no position: lay them out left to right so the builder can show them.
        return {"x": _LAYOUT_X + _LAYOUT_DX * index, "y": _LAYOUT_Y}
    if not isinstance(value, Mapping) or not all(_is_number(value.get(axis)) for axis in ("x", "y")):
        errors.add(f"{path}.position", "wrong_type", "`position` must be {x: number, y: number}")
        return None
    return {"x": value["x"], "y": value["y"]}


def _node_data(raw: Mapping[str, Any], path: str, errors: _Errors) -> dict[str, Any] | None:
    if "data" in raw:
        data, data_path = raw["data"], f"{path}.data"
        if not isinstance(data, Mapping):
            errors.add(data_path, "wrong_type", "`data` must be an object")
            return None
    else:
        data, data_path = {k: raw[k] for k in ("label", "config") if k in raw}, path
    kept: dict[str, Any] = {}
    if "label" in data:
        if not isinstance(data["label"], str):
            errors.add(f"{data_path}.label", "wrong_type", "`label` must be a string")
            return None
        kept["label"] = data["label"]
    if "config" in data and data["config"] is not None:
        if not isinstance(data["config"], Mapping):
            errors.add(f"{data_path}.config", "wrong_type", "`config` must be an object")
            return None
        kept["config"] = dict(data["config"])
    return kept


def _edge(raw: Any, index: int, errors: _Errors, *, id_required: bool) -> dict[str, Any] | None:
    path = f"edges[{index}]"
    if not isinstance(raw, Mapping):
        errors.add(path, "wrong_type", f"edge {index} must be an object")
        return None
    ok = True
    for key in sorted(set(raw) - _EDGE_KEYS, key=str):
        errors.add(f"{path}.{key}", "unknown_field", f"edge {index}: unknown key `{key}`")
        ok = False
    for key in ("id", "source", "target") if id_required or "id" in raw else ("source", "target"):
        if not isinstance(raw.get(key), str) or not raw.get(key):
            errors.add(f"{path}.{key}", "required", f"edge {index} needs `{key}` (a non-empty string)")
            ok = False
    for key in ("sourceHandle", "targetHandle"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            errors.add(f"{path}.{key}", "wrong_type", f"`{key}` must be a string or null")
            ok = False
    if "type" in raw and not isinstance(raw["type"], str):
        errors.add(f"{path}.type", "wrong_type", "`type` must be a string")
        ok = False
    if "data" in raw and not isinstance(raw["data"], Mapping):
        errors.add(f"{path}.data", "wrong_type", "`data` must be an object")
        ok = False
    if not ok:
        return None
    edge = {"id": raw.get("id") or f"e-{raw['source']}-{raw['target']}"}
    edge.update({k: raw[k] for k in ("source", "target", "sourceHandle", "targetHandle", "type", "data") if k in raw})
    return edge


def legacy_to_graph(doc: Any) -> dict[str, Any]:
    """A builder file from a legacy `{name, definition: {steps}}` document: start → step-1 → step-2 …"""
    errors = _Errors()
    steps = _legacy_steps(doc, errors)
    errors.raise_if_any()
    nodes: list[dict[str, Any]] = [_legacy_node("start", "start", 0, {"label": "Start", "config": {}})]
    for number, step in enumerate(steps, start=1):
        label = step.get("name") or step.get("label")
        data = {"label": label if isinstance(label, str) and label else f"Step {number}", "config": step["config"]}
        nodes.append(_legacy_node(f"step-{number}", "http", number, data))
    edges = [
        {"id": f"e-{a['id']}-{b['id']}", "source": a["id"], "target": b["id"]} for a, b in itertools.pairwise(nodes)
    ]
    name = doc.get("name") if isinstance(doc.get("name"), str) and doc.get("name") else DEFAULT_NAME
    meta: dict[str, Any] = {"name": name, "version": FILE_VERSION}
    if isinstance(doc.get("description"), str) and doc["description"]:
        meta["description"] = doc["description"]
    result: dict[str, Any] = {"nodes": nodes, "edges": edges, "meta": meta, "metadata": {}}
    if "vars" in doc:
        result["vars"] = doc["vars"]
    return result


def _legacy_steps(doc: Any, errors: _Errors) -> list[dict[str, Any]]:
    if not isinstance(doc, Mapping):
        errors.add("", "not_an_object", "a legacy workflow must be a JSON object")
        return []
    definition = doc.get("definition")
    steps = definition.get("steps") if isinstance(definition, Mapping) else None
    if not isinstance(steps, list):
        errors.add("definition.steps", "required", "a legacy workflow needs `definition.steps` (a list)")
        return []
    valid: list[dict[str, Any]] = []
    for index, step in enumerate(steps):
        path, number = f"definition.steps[{index}]", index + 1
        if not isinstance(step, Mapping):
            errors.add(path, "wrong_type", f"step {number} must be an object")
            continue
        kind = step.get("type")
        if kind not in _LEGACY_HTTP_TYPES:
            errors.add(
                f"{path}.type",
                "unknown_step_type",
                f"step {number} has unsupported type {kind!r}; supported: http_request_node",
            )
            continue
        config = step.get("config", {})
        if not isinstance(config, Mapping):
            errors.add(f"{path}.config", "wrong_type", f"step {number}: `config` must be an object")
            continue
        valid.append({**step, "config": dict(config)})
    return valid


def _legacy_node(node_id: str, kind: str, index: int, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": kind,
        "position": {"x": _LAYOUT_X + _LAYOUT_DX * index, "y": _LAYOUT_Y},
        "data": data,
    }


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_iso(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
