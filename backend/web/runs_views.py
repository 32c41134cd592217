"""Run history pages: the user's runs with filters, and one run live (canvas, steps, logs, outputs, timeline)."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from backend.accounts.holders import request_owner, vault_holder
from backend.core.errors import ApplicationError, NotFound
from backend.core.types import Uuid
from backend.runs import documents, selectors
from backend.runs.models import Run
from backend.runs.rerun import run_rerun
from backend.runs.states import RunStatus, RunTrigger
from backend.workflows.selectors import workflow_list
from workers.executors.registry import SPECS, canonical_kind

PAGE_SIZE = 50
# Words for the page; the choices' own labels ("Api", "Failure Hook") are the model's defaults.
_TRIGGER_LABELS: dict[str, str] = {
    RunTrigger.MANUAL: "Manual",
    RunTrigger.API: "API",
    RunTrigger.WEBHOOK: "Webhook",
    RunTrigger.SCHEDULE: "Schedule",
    RunTrigger.FAILURE_HOOK: "Failure hook",
    RunTrigger.RERUN: "Rerun",
}
NODE_W, NODE_H = 168, 54
COL_GAP, ROW_GAP, MARGIN = 64, 26, 24


def format_duration(ms: int | None) -> str:
    """`Nms` under a second, else `X.Ys`; empty for an unknown duration."""
    if ms is None:
        return ""
    if ms < 1000:
        return f"{ms}ms"
    return f"{ms / 1000:.1f}s"


def run_path(run_id: Uuid) -> str:
    return f"/runs/{run_id}/"


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def runs_page(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    if status not in RunStatus.values:
        status = ""
    trigger = request.GET.get("trigger") or ""
    if trigger not in RunTrigger.values:
        trigger = ""
    workflow_id = _uuid_or_none(request.GET.get("workflow"))
    runs = selectors.run_list(
        user=request_owner(request), status=status or None, workflow_id=workflow_id, trigger=trigger or None
    )
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for run in page.object_list:
        summary = documents.run_summary(run)
        summary["duration"] = format_duration(summary["durationMs"])
        summary["started"] = run.started_at or run.created_at
        summary["url"] = run_path(run.pk)
        summary["triggerLabel"] = _TRIGGER_LABELS.get(run.trigger, run.trigger)
        rows.append(summary)
    query = {"status": status, "workflow": str(workflow_id) if workflow_id else "", "trigger": trigger}
    context = {
        "nav": "runs",
        "runs": rows,
        "page": page,
        "statuses": RunStatus.values,
        "workflows": list(workflow_list(user=request_owner(request)).values("id", "name")[:500]),
        "selected_status": status,
        "selected_workflow": query["workflow"],
        "triggers": [(value, _TRIGGER_LABELS.get(value, value)) for value in RunTrigger.values],
        "selected_trigger": trigger,
        "filter_query": "&".join(f"{k}={v}" for k, v in query.items() if v),
        "filtered": bool(status or workflow_id or trigger),
    }
    return render(request, "runs/list.html", context)


def _run_context(request: HttpRequest, run: Run) -> dict[str, Any]:
    doc = documents.run_document(run, selectors.run_steps(run=run), selectors.run_events(run=run))
    # The page draws the graph from `graph_canvas` (ids, labels, positions) and reruns server-side,
    # so the raw graph, whose configs may hold literal header values, never reaches the HTML.
    doc.pop("graph", None)
    return {
        "nav": "runs",
        "run": doc,
        "run_doc": doc,
        "canvas": graph_canvas(run.graph, {s["nodeId"]: s for s in doc["steps"]}),
        "duration": format_duration(doc["durationMs"]),
        "rerun_key": f"rerun_{int(time.time() * 1000)}_{secrets.token_hex(4)}",
        "rerun_error": None,
    }


def _owned_run(request: HttpRequest, run_id: Uuid) -> Run:
    try:
        return selectors.run_get(user=request_owner(request), run_id=run_id)
    except NotFound:
        raise Http404("run not found") from None


@login_required
@require_GET
def run_page(request: HttpRequest, run_id: Uuid) -> HttpResponse:
    return render(request, "runs/detail.html", _run_context(request, _owned_run(request, run_id)))


@login_required
@require_POST
def run_again(request: HttpRequest, run_id: Uuid) -> HttpResponse:
    """Start the run's graph again with its payload; a resubmitted form (same key) gives the same run."""
    run = _owned_run(request, run_id)
    key = (request.POST.get("key") or "")[:255] or None
    try:
        new, _ = run_rerun(
            run=run,
            owner=request_owner(request),
            idempotency_key=key,
            request_id=getattr(request, "request_id", ""),
            vault_holder=vault_holder(request),
        )
    except ApplicationError as exc:
        context = _run_context(request, run)
        context["rerun_error"] = exc.message
        return render(request, "runs/detail.html", context, status=exc.status)
    return HttpResponseRedirect(run_path(new.pk))


def graph_canvas(graph: Any, steps: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Boxes and lines for a read-only SVG of the run's graph: ids, labels, positions, never configs.

    Builder files carry node positions; the flattened run-request form does not, so those graphs
    are laid out in columns by depth. A node with named outputs lists them (its kind's, then any
    other `sourceHandle` an edge leaving it names) and each edge keeps its `sourceHandle`.
    """
    raw_nodes = [n for n in (graph or {}).get("nodes") or [] if isinstance(n, Mapping) and isinstance(n.get("id"), str)]
    ids = {n["id"] for n in raw_nodes}
    edges = [
        {"source": e["source"], "target": e["target"], "sourceHandle": _handle(e)}
        for e in (graph or {}).get("edges") or []
        if isinstance(e, Mapping) and e.get("source") in ids and e.get("target") in ids
    ]
    positions = {n["id"]: _position(n) for n in raw_nodes}
    if any(p is None for p in positions.values()):
        positions = _layered(list(positions), edges)
    nodes = []
    for node in raw_nodes:
        raw_data = node.get("data")
        data: Mapping[str, Any] = raw_data if isinstance(raw_data, Mapping) else {}
        label = data.get("label") or node.get("label") or steps.get(node["id"], {}).get("name") or node["id"]
        x, y = positions[node["id"]] or (0.0, 0.0)
        outputs = _outputs(node, data, [e["sourceHandle"] for e in edges if e["source"] == node["id"]])
        nodes.append(
            {
                "id": node["id"],
                "type": str(node.get("type", "")),
                "label": str(label),
                "x": x,
                "y": y,
                "outputs": outputs,
            }
        )
    if nodes:
        min_x, min_y = min(n["x"] for n in nodes), min(n["y"] for n in nodes)
        for n in nodes:
            n["x"], n["y"] = n["x"] - min_x + MARGIN, n["y"] - min_y + MARGIN
    width = max((n["x"] for n in nodes), default=0) + NODE_W + MARGIN
    height = max((n["y"] for n in nodes), default=0) + NODE_H + MARGIN
    return {"nodes": nodes, "edges": edges, "width": width, "height": height, "nodeWidth": NODE_W, "nodeHeight": NODE_H}


def _handle(edge: Mapping[str, Any]) -> str | None:
    handle = edge.get("sourceHandle")
    return handle if isinstance(handle, str) and handle else None


def _outputs(node: Mapping[str, Any], data: Mapping[str, Any], handles: list[str | None]) -> list[str]:
    """The node's named outputs: its kind's (from its config), then the edges' other handles; each once."""
    names: list[str] = []
    kind = canonical_kind(str(node.get("type", "")))
    config = data.get("config", node.get("config"))
    if kind is not None:
        try:
            names = list(SPECS[kind].output_names(config if isinstance(config, Mapping) else {}))
        except (KeyError, TypeError):
            names = []
    for handle in handles:
        if handle and handle not in names:
            names.append(handle)
    return names


def _position(node: Mapping[str, Any]) -> tuple[float, float] | None:
    pos = node.get("position")
    if isinstance(pos, Mapping):
        x, y = pos.get("x"), pos.get("y")
        if isinstance(x, int | float) and isinstance(y, int | float) and not isinstance(x, bool | str):
            return float(x), float(y)
    return None


def _layered(ids: list[str], edges: list[dict[str, str]]) -> dict[str, tuple[float, float] | None]:
    depth = dict.fromkeys(ids, 0)
    for _ in range(len(ids)):  # longest-path depth; bounded, so a cycle cannot loop forever
        changed = False
        for e in edges:
            if depth[e["target"]] < depth[e["source"]] + 1 <= len(ids):
                depth[e["target"]] = depth[e["source"]] + 1
                changed = True
        if not changed:
            break
    rows: dict[int, int] = {}
    out: dict[str, tuple[float, float] | None] = {}
    for node_id in ids:
        col = depth[node_id]
        row = rows.get(col, 0)
        rows[col] = row + 1
        out[node_id] = (float(col * (NODE_W + COL_GAP)), float(row * (NODE_H + ROW_GAP)))
    return out
