"""Figures measured from the driver process through the engine's services (no web server in the way)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

import httpx

from bench.report import Figure
from tests.support.graphs import edge, http_node, start_node

CHAIN_LENGTH = 50
FANOUT_WIDTH = 100
FANOUT_DELAY_S = 0.2


# --- graphs ---------------------------------------------------------------------------------------


def chain_graph(url: str, length: int = CHAIN_LENGTH) -> dict[str, Any]:
    ids = [f"h{i}" for i in range(1, length + 1)]
    nodes = [start_node(), *(http_node(i, f"{url}/chain") for i in ids)]
    edges = [edge(a, b) for a, b in zip(["start", *ids], ids, strict=False)]
    return {"nodes": nodes, "edges": edges}


def fanout_graph(url: str, width: int, delay_s: float, *, join: bool = True) -> dict[str, Any]:
    ids = [f"w{i}" for i in range(width)]
    query = f"?delay={delay_s}" if delay_s else ""
    nodes = [start_node(), *(http_node(i, f"{url}/wide{query}") for i in ids)]
    edges = [edge("start", i) for i in ids]
    if join:
        nodes.append(http_node("join", f"{url}/join"))
        edges += [edge(i, "join") for i in ids]
    return {"nodes": nodes, "edges": edges}


def one_http_graph(url: str) -> dict[str, Any]:
    return {"nodes": [start_node(), http_node("call", f"{url}/one")], "edges": [edge("start", "call")]}


def compile_input(size: int) -> dict[str, Any]:
    """A DAG of `size` nodes: a start, then HTTP nodes each fed by one or two earlier nodes."""
    nodes = [start_node("n0")]
    edges = []
    for i in range(1, size):
        nodes.append(http_node(f"n{i}", f"https://api.example.test/items/{i}", method="POST", body='{"x": 1}'))
        edges.append(edge(f"n{(i - 1) // 2}", f"n{i}"))
        if i % 3 == 0 and i > 1:
            edges.append(edge(f"n{i - 1}", f"n{i}"))
    return {"nodes": nodes, "edges": edges}


# --- runs through the services ----------------------------------------------------------------------


def start(owner: Any, graph: dict[str, Any]) -> Any:
    from backend.runs.services import run_start

    run, _ = run_start(owner=owner, graph=graph)
    return run.pk


def wait_finished(run_ids: Sequence[Any], timeout: float = 120, interval: float = 0.05) -> dict[Any, Any]:
    """{run id: (status, finished_at)} once all are finished; polls one indexed query.

    Timings come from the finished_at the worker stored, not from when the poll saw it, so polling
    more often buys no precision: at 10 ms the driver's polls took 0.5-0.8 ms of CPU per node of a
    500-wide fan-out from the two cores it shares with what it measures (50 ms: 0.14-0.35 ms).
    """
    from backend.runs.models import Run

    pending = set(run_ids)
    done: dict[Any, Any] = {}
    deadline = time.monotonic() + timeout
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(pending)} runs not finished after {timeout}s")
        rows = Run.objects.filter(pk__in=list(pending), finished_at__isnull=False).values_list(
            "pk", "status", "finished_at"
        )
        for pk, status, finished_at in rows:
            done[pk] = (status, finished_at)
            pending.discard(pk)
        if pending:
            time.sleep(interval)
    failed = [pk for pk, (status, _) in done.items() if status != "succeeded"]
    if failed:
        raise RuntimeError(f"{len(failed)} runs did not succeed, e.g. {failed[0]}")
    return done


def timed_run(owner: Any, graph: dict[str, Any], timeout: float = 120) -> float:
    """Seconds from before run_start to the run's finished_at (stored by the worker)."""
    t0 = time.time()
    run_id = start(owner, graph)
    _, finished_at = wait_finished([run_id], timeout=timeout)[run_id]
    return float(finished_at.timestamp() - t0)


# --- floors -----------------------------------------------------------------------------------------


def httpx_call_ms(url: str, calls: int) -> float:
    """Median ms of one keep-alive GET from a plain httpx client in this process."""
    samples = []
    with httpx.Client(trust_env=False) as client:
        client.get(f"{url}/warm").read()
        for _ in range(calls):
            t = time.perf_counter()
            client.get(f"{url}/floor").read()
            samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return samples[len(samples) // 2]


def raw_httpx_req_per_s(url: str, calls: int) -> float:
    with httpx.Client(trust_env=False) as client:
        client.get(f"{url}/warm").read()
        t = time.perf_counter()
        for _ in range(calls):
            client.get(f"{url}/floor").read()
        return calls / (time.perf_counter() - t)


def raw_celery_burst_per_s(url: str, count: int, timeout: float = 120) -> float:
    """Tasks/s of `count` raw Celery tasks pushed in one LPUSH, as the engine pushes a fan-out, from
    the push to the last one's end; each does one keep-alive GET when `url` is set, nothing otherwise."""
    import redis

    from backend.runs.task_message import encode
    from bench.raw_tasks import QUEUE, app

    token = uuid.uuid4().hex
    args = [url, token, count]
    messages = [encode(task="bench_raw.burst", args=args, queue=QUEUE, reply_to="") for _ in range(count)]
    t0 = time.time()
    redis.Redis.from_url(app.conf.broker_url).lpush(QUEUE, *messages)
    return count / (_raw_reported_at(token, timeout, "burst") - t0)


def raw_chain_s(url: str, length: int = CHAIN_LENGTH, timeout: float = 60) -> float:
    """Seconds from sending a raw Celery chain of `length` hops to its last hop's end."""
    from celery import chain

    from bench.raw_tasks import hop

    token = uuid.uuid4().hex
    links = [hop.si(f"{url}/raw", token, i == length - 1) for i in range(length)]
    t0 = time.time()
    chain(*links).apply_async()
    return _raw_reported_at(token, timeout, "chain") - t0


def _raw_reported_at(token: str, timeout: float, what: str) -> float:
    """The time the floor app's last task reported for `token` (bench/raw_tasks.report)."""
    import redis

    from bench.raw_tasks import app

    reply = redis.Redis.from_url(app.conf.broker_url).blpop([f"bench:raw:{token}"], timeout=timeout)
    if reply is None:
        raise TimeoutError(f"the raw {what} did not finish")
    return float(reply[1])


# --- figures ------------------------------------------------------------------------------------------


def chain_figures(owner: Any, url: str, reps: int) -> list[Figure]:
    """node_overhead_ms vs celery_hop_ms, interleaved so both see the same machine state."""
    timed_run(owner, chain_graph(url, 3))
    raw_chain_s(url, 3)
    overheads, hops, calls = [], [], []
    for _ in range(reps):
        call_ms = httpx_call_ms(url, 200)
        engine_s = timed_run(owner, chain_graph(url))
        raw_s = raw_chain_s(url)
        calls.append(call_ms)
        overheads.append((engine_s * 1000 - CHAIN_LENGTH * call_ms) / CHAIN_LENGTH)
        hops.append((raw_s * 1000 - CHAIN_LENGTH * call_ms) / CHAIN_LENGTH)
    hop = Figure("celery_hop_ms", "ms", hops, note="raw Celery chain of 50: UPDATE + httpx per task, minus httpx")
    node = Figure(
        "node_overhead_ms", "ms", overheads, floor="celery_hop_ms", floor_value=hop.median, target="ratio ≤ 2.0",
        note="50-node HTTP chain: (run time − 50 × httpx call) / 50",
    )  # fmt: skip
    node.met = node.ratio is not None and node.ratio <= 2.0
    call = Figure("httpx_call_ms", "ms", calls, note="one keep-alive GET from a plain httpx client")
    return [node, hop, call]


def http_throughput_figures(owner: Any, url: str, reps: int, width: int, workers: int) -> list[Figure]:
    """The HTTP node rate of a wide run, against a plain httpx loop and against raw Celery tasks on
    as many worker processes (the ceiling that keeping every node its own Celery task sets)."""
    timed_run(owner, fanout_graph(url, 10, 0, join=False))
    raw_celery_burst_per_s("", 10)
    node_rates, raw_rates, celery_http, celery_noop = [], [], [], []
    for _ in range(reps):
        raw_rates.append(raw_httpx_req_per_s(url, 1000))
        node_rates.append(width / timed_run(owner, fanout_graph(url, width, 0, join=False)))
        celery_http.append(raw_celery_burst_per_s(f"{url}/burst", width))
        celery_noop.append(raw_celery_burst_per_s("", width))
    raw = Figure("raw_httpx_req_per_s", "req/s", raw_rates, note="plain httpx loop, one keep-alive connection")
    node = Figure(
        "http_node_req_per_s", "req/s", node_rates, floor="raw_httpx_req_per_s", floor_value=raw.median,
        target="ratio ≥ 0.5", note=f"one run of {width} parallel HTTP nodes, {workers} worker processes",
    )  # fmt: skip
    node.met = node.ratio is not None and node.ratio >= 0.5
    shared = f"{width} raw Celery tasks pushed at once, {workers} worker processes of the same pool"
    return [
        node,
        raw,
        Figure("raw_celery_http_req_per_s", "req/s", celery_http, floor="raw_httpx_req_per_s",
               floor_value=raw.median, note=f"{shared}, one keep-alive GET each"),
        Figure("raw_celery_noop_per_s", "tasks/s", celery_noop, floor="raw_httpx_req_per_s",
               floor_value=raw.median, note=f"{shared}, doing nothing"),
    ]  # fmt: skip


def fanout_samples(owner: Any, url: str, reps: int) -> list[float]:
    timed_run(owner, fanout_graph(url, 10, 0), timeout=60)
    return [timed_run(owner, fanout_graph(url, FANOUT_WIDTH, FANOUT_DELAY_S), timeout=60) for _ in range(reps)]


def compile_figures(reps: int) -> list[Figure]:
    from backend.workflows.graph import compile_graph

    figures = []
    for size in (1_000, 10_000):
        graph = compile_input(size)
        compile_graph(graph)
        samples = []
        for _ in range(reps):
            t = time.perf_counter()
            compile_graph(graph)
            samples.append((time.perf_counter() - t) * 1000)
        figure = Figure(f"compile_ms_{size}", "ms", samples, note=f"compile_graph, {size:,} nodes")
        if size == 10_000:
            figure.target, figure.met = "≤ 500", figure.median <= 500
        figures.append(figure)
    return figures


def submit_and_wait(owner: Any, graph: dict[str, Any], count: int, window: int = 64) -> None:
    """`count` runs through run_start, at most `window` unfinished at once."""
    from backend.runs.models import Run

    sent: list[Any] = []
    while len(sent) < count:
        while len(sent) < count:
            unfinished = Run.objects.filter(pk__in=sent[-window * 2 :], finished_at__isnull=True).count()
            if unfinished >= window:
                break
            sent += [start(owner, graph) for _ in range(min(16, count - len(sent)))]
        time.sleep(0.01)
    wait_finished(sent, timeout=300)
