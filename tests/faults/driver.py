"""Drives a throwaway deployment from a child process: `python -m tests.faults.driver start|status`."""

from __future__ import annotations

import json
import sys
from typing import Any


def _graph(url: str, name: str, delay: float) -> dict[str, Any]:
    nodes = [{"id": "start", "type": "start", "config": {}}]
    nodes += [
        {"id": n, "type": "http", "config": {"method": "GET", "url": f"{url}/step?name={name}-{n}&delay={delay}"}}
        for n in "abc"
    ]
    edges = [{"id": f"e{i}", "source": s, "target": t} for i, (s, t) in enumerate(zip("sab", "abc", strict=True))]
    edges[0]["source"] = "start"
    return {"nodes": nodes, "edges": edges}


def _delayed(url: str, name: str, seconds: float) -> dict[str, Any]:
    wait = {"id": "wait", "type": "delay", "config": {"seconds": seconds}}
    after = {"id": "after", "type": "http", "config": {"method": "GET", "url": f"{url}/step?name={name}"}}
    edges = [{"id": "e1", "source": "start", "target": "wait"}, {"id": "e2", "source": "wait", "target": "after"}]
    return {"nodes": [{"id": "start", "type": "start", "config": {}}, wait, after], "edges": edges}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from backend.accounts.services import user_get_or_create
    from backend.runs.models import Run, Step
    from backend.runs.services import run_start

    command = argv[0]
    if command in ("start", "start-delayed"):
        url, prefix, count, delay = argv[1], argv[2], int(argv[3]), float(argv[4])
        owner, _ = user_get_or_create(username="faults")
        build = _delayed if command == "start-delayed" else _graph
        ids = [str(run_start(owner=owner, graph=build(url, f"{prefix}{i}", delay))[0].pk) for i in range(count)]
        print(json.dumps(ids))
    elif command == "status":
        steps: dict[str, dict[str, Any]] = {}
        for run_id, node_id, status, attempt in Step.objects.values_list("run_id", "node_id", "status", "attempt"):
            steps.setdefault(str(run_id), {})[node_id] = [status, attempt]
        runs = {
            str(pk): {"status": s, "steps": steps.get(str(pk), {})} for pk, s in Run.objects.values_list("pk", "status")
        }
        print(json.dumps(runs))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
