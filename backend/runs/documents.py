"""The run document of the prototype's API, shaped from rows."""

from __future__ import annotations

from typing import Any

from backend.core.timefmt import elapsed_ms, iso_ms
from backend.runs.models import Run, RunEvent, Step
from workers.executors.masking import mask_headers


def step_document(step: Step, *, with_output: bool = False) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": step.pk,
        "nodeId": step.node_id,
        "name": step.label or step.node_id,
        "kind": step.kind,
        "status": step.status,
        "attempt": step.attempt,
        "durationMs": step.duration_ms,
        "startedAt": iso_ms(step.started_at),
        "finishedAt": iso_ms(step.finished_at),
        "error": step.error or None,
    }
    if with_output:
        doc["output"] = step.output
    return doc


def event_document(event: RunEvent) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "seq": event.seq,
        "ts": iso_ms(event.ts),
        "level": event.level,
        "type": event.type,
        "msg": event.message,
    }
    if event.node_id:
        doc["nodeId"] = event.node_id
    if event.data:
        doc["data"] = event.data
    return doc


def run_summary(run: Run) -> dict[str, Any]:
    duration = None
    if run.started_at and run.finished_at:
        duration = elapsed_ms(run.started_at, run.finished_at)
    return {
        "id": str(run.pk),
        "runId": str(run.pk),
        "status": run.status,
        "workflowId": str(run.workflow_id) if run.workflow_id else None,
        "workflowName": run.workflow.name if run.workflow_id and run.workflow else None,
        "workflowVersion": run.workflow_version,
        "trigger": run.trigger,
        "requestId": run.request_id or None,
        "error": run.error or None,
        "createdAt": iso_ms(run.created_at),
        # Engine writes are guarded UPDATEs that leave auto_now alone: the latest known change wins.
        "updatedAt": iso_ms(max(t for t in (run.updated_at, run.started_at, run.finished_at) if t is not None)),
        "startedAt": iso_ms(run.started_at),
        "finishedAt": iso_ms(run.finished_at),
        "durationMs": duration,
    }


def masked_graph(graph: dict[str, Any]) -> dict[str, Any]:
    """The graph with sensitive header values masked: a token typed straight into a
    node's headers instead of a credential must not come back out of the API."""
    nodes = []
    for node in graph.get("nodes", []) if isinstance(graph.get("nodes"), list) else []:
        if not isinstance(node, dict):
            continue
        node = dict(node)
        if isinstance(node.get("data"), dict) and isinstance(node["data"].get("config"), dict):
            node["data"] = {**node["data"], "config": _masked_config(node["data"]["config"])}
        if isinstance(node.get("config"), dict):
            node["config"] = _masked_config(node["config"])
        nodes.append(node)
    return {**graph, "nodes": nodes}


def _masked_config(config: dict[str, Any]) -> dict[str, Any]:
    headers = config.get("headers")
    if not isinstance(headers, dict):
        return config
    return {**config, "headers": mask_headers({str(k): str(v) for k, v in headers.items()})}


def run_document(run: Run, steps: list[Step], events: list[RunEvent], *, with_outputs: bool = True) -> dict[str, Any]:
    return {
        **run_summary(run),
        "payload": run.payload,
        # What the run was started with (credential names only, never values): lets "Run again"
        # and the read-only run canvas work from the document alone.
        "graph": masked_graph(run.graph),
        "steps": [step_document(s, with_output=with_outputs) for s in steps],
        "logs": [event_document(e) for e in events],
        "lastSeq": events[-1].seq if events else 0,
    }
