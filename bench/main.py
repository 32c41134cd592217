"""`make bench`: start the stack on dedicated stores, measure every figure, print and save the table."""

from __future__ import annotations

import asyncio
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from bench import services
from bench.report import Figure, render_markdown, render_table, write_results

QUICK = os.environ.get("AUTOMATEOS_BENCH_QUICK", "").lower() in ("1", "true", "yes")
SWEEP = tuple(int(c) for c in os.environ.get("AUTOMATEOS_BENCH_SWEEP", "16,64,128").split(","))


class Plan:
    """How long and how often, per mode: quick stays under 3 minutes, full under 15."""

    reps = 3 if QUICK else 5
    load_reps = 2 if QUICK else 3
    load_seconds = 3.0 if QUICK else 8.0
    ws_runs = 8 if QUICK else 25
    http_width = 200 if QUICK else 500
    rss_runs = 1_000


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> dict[str, Any]:
    def out(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
        except OSError:
            return ""

    model = next((ln.split(":", 1)[1].strip() for ln in out(["lscpu"]).splitlines() if ln.startswith("Model name")), "")
    mem = next((ln.split()[1] for ln in open("/proc/meminfo") if ln.startswith("MemTotal")), "0")  # noqa: SIM115
    return {
        "cpu": model,
        "nproc": int(out(["nproc"]).strip() or 0),
        "mem_gib": round(int(mem) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "commit": out(["git", "rev-parse", "--short", "HEAD"]).strip(),
    }


def setup_django() -> tuple[Any, str]:
    os.environ.update(services.bench_env())
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from backend.accounts.services import token_create

    user = get_user_model().objects.create_user(username="bench", password="bench-only-" + os.urandom(8).hex())
    _, raw = token_create(user=user, name="bench")
    return user, raw


def main() -> int:
    started = time.monotonic()
    log(f"mode: {'quick' if QUICK else 'full'}; database {services.DATABASE_URL}, redis {services.REDIS_URL}")
    services.recreate_database()
    services.flush_redis()
    user, token = setup_django()
    from django.conf import settings

    from backend.runs.models import Run
    from bench.raw_tasks import prepare_table

    prepare_table(services.bench_env()["BENCH_RAW_DSN"])
    concurrency = int(settings.CELERY_WORKER_CONCURRENCY)
    pool = str(settings.CELERY_WORKER_POOL)
    figures: list[Figure] = []
    errors: list[str] = []

    def phase(name: str, measure: Callable[[], list[Figure]]) -> None:
        try:
            figures.extend(measure())
        except Exception as exc:  # one broken phase must not hide the others' figures
            log(f"{name} FAILED: {type(exc).__name__}: {str(exc)[:500]}")
            errors.append(f"{name}: {type(exc).__name__}: {str(exc)[:500]}")

    from bench import engine_figures as ef

    with ExitStack() as stack:
        target, url = services.start_target()
        stack.callback(services.stop, target)
        phase("compile", measure_compile)
        worker1 = start_worker(stack, "w1", concurrency)
        phase("rss", lambda: measure_rss(user, url, worker1))
        raw = services.start_worker("raw", concurrency=concurrency, app="bench.raw_tasks", queue="bench_raw")
        stack.callback(services.stop, raw)
        log("chain: 50 HTTP nodes vs a raw Celery chain of 50")
        phase("chain", lambda: ef.chain_figures(user, url, Plan.reps))
        web, base = services.start_web()
        stack.callback(services.stop, web)
        dsn, table = services.bench_env()["BENCH_RAW_DSN"], Run._meta.db_table
        phase("load-1", lambda: measure_load(base, token, url, dsn, table, workers=1))
        phase("ws", lambda: measure_ws(base, token, url))
        start_worker(stack, "w2", concurrency)
        phase("load-2", lambda: measure_load(base, token, url, dsn, table, workers=2))
        raw2 = services.start_worker("raw2", concurrency=concurrency, app="bench.raw_tasks", queue="bench_raw")
        stack.callback(services.stop, raw2)
        log(f"HTTP node throughput: {Plan.http_width} parallel nodes, 2 workers; raw Celery bursts, 2 workers")
        phase("http", lambda: ef.http_throughput_figures(user, url, Plan.reps, Plan.http_width, workers=2))
    with ExitStack() as stack:
        target, url = services.start_target()
        stack.callback(services.stop, target)
        for level in sorted({*SWEEP, concurrency}):
            phase(f"fanout-c{level}", lambda level=level: measure_fanout(user, url, level, concurrency, pool))  # type: ignore[misc]
    figures = order(figures)
    meta = {"mode": "quick" if QUICK else "full", "machine": machine(), "worker_pool": pool,
            "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
            "worker_concurrency_default": concurrency, "elapsed_s": round(time.monotonic() - started, 1),
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "errors": errors,
            "settings": os.environ.get("DJANGO_SETTINGS_MODULE", "")}  # fmt: skip
    path = write_results(figures, meta)
    print()
    print(render_table(figures))
    print(f"\n{meta['machine']['cpu']}, {meta['machine']['nproc']} CPUs, {meta['machine']['mem_gib']} GiB; "
          f"{meta['mode']} mode in {meta['elapsed_s']} s; load average at the end "
          f"{meta['load_average_1_5_15']}; written to {path}")  # fmt: skip
    for error in errors:
        print(f"ERROR in {error}")
    return 1 if errors else 0


def measure_ws(base: str, token: str, url: str) -> list[Figure]:
    log("websocket latency")
    ws = asyncio.run(_ws(base, token, url))
    return [
        Figure("ws_latency_ms", "ms", ws, target="p95 ≤ 50", met=_p95(ws) <= 50,
               note="event ts stored → websocket client receives it (live events only)")
    ]  # fmt: skip


def start_worker(stack: ExitStack, name: str, concurrency: int) -> services.Child:
    child = services.start_worker(name, concurrency=concurrency)
    stack.callback(services.stop, child)
    return child


def _p95(samples: list[float]) -> float:
    from bench.report import percentile

    return percentile(samples, 95)


async def _ws(base: str, token: str, url: str) -> list[float]:
    from bench.api_figures import ws_latencies

    await ws_latencies(base=base, token=token, target_url=url, runs=1)
    return await ws_latencies(base=base, token=token, target_url=url, runs=Plan.ws_runs)


def measure_compile() -> list[Figure]:
    from bench.engine_figures import compile_figures

    log("compile_graph: 1,000 and 10,000 nodes")
    return compile_figures(Plan.reps)


def measure_rss(user: Any, url: str, worker: services.Child) -> list[Figure]:
    from bench.engine_figures import one_http_graph, submit_and_wait

    time.sleep(1.0)
    idle = worker.rss_mb()
    graph = one_http_graph(url)
    log(f"worker RSS: idle {idle:.1f} MB; running {Plan.rss_runs} runs")
    submit_and_wait(user, graph, 100)
    warm = worker.rss_mb()
    submit_and_wait(user, graph, Plan.rss_runs - 100)
    after = worker.rss_mb()
    growth_bound = 16.0
    return [
        Figure("worker_rss_mb_idle", "MB", [idle], note="one worker process, threads pool, after start"),
        Figure(
            "worker_rss_mb_after_1000_runs", "MB", [after], floor="after 100 runs", floor_value=warm,
            target=f"growth 100→1,000 runs ≤ {growth_bound:g} MB", met=after - warm <= growth_bound,
            extra={"after_100_runs": round(warm, 1), "growth_100_to_1000": round(after - warm, 1)},
        ),
    ]  # fmt: skip


def measure_load(base: str, token: str, url: str, dsn: str, table: str, *, workers: int) -> list[Figure]:
    from bench.api_figures import closed_loop

    figures = []
    for clients in (1, 8, 32):
        log(f"load: {clients} API clients, {workers} worker process(es)")
        rates, latencies, posts = [], [], []
        for _ in range(Plan.load_reps):
            result = asyncio.run(
                closed_loop(base=base, token=token, target_url=url, dsn=dsn, table=table, clients=clients,
                            seconds=Plan.load_seconds, warmup=0.5)
            )  # fmt: skip
            if result.failed:
                raise RuntimeError(f"{result.failed} benchmark runs failed")
            rates.append(result.runs_per_s)
            latencies += result.latencies_ms
            posts += result.post_ms
        tag = f"w{workers}_c{clients}"
        rate = Figure(f"runs_per_s_{tag}", "runs/s", rates, note=f"Start → HTTP via POST /v1/runs, {clients} clients")
        if workers == 2:
            rate.target, rate.met = "≥ 150", rate.median >= 150
        figures += [rate, Figure(f"run_latency_ms_{tag}", "ms", latencies, note="POST sent → run finished_at")]
        if workers == 1 and clients == 1:
            figures.append(Figure("api_post_run_ms", "ms", posts, note="POST /v1/runs round trip, one client"))
    return figures


def measure_fanout(user: Any, url: str, level: int, default: int, pool: str) -> list[Figure]:
    from bench.engine_figures import fanout_samples

    log(f"fan-out: 100 × 200 ms nodes + join, one worker, {pool} pool, concurrency {level}")
    with ExitStack() as stack:
        start_worker(stack, f"fan{level}", level)
        samples = fanout_samples(user, url, Plan.reps)
    name = "fanout_100_s" if level == default else f"fanout_100_s_c{level}"
    return [
        Figure(name, "s", samples, target="≤ 1.5", met=_median(samples) <= 1.5,
               note=f"1 worker, {pool} pool, concurrency {level}", extra={"concurrency": level})
    ]  # fmt: skip


def _median(samples: list[float]) -> float:
    import statistics

    return statistics.median(samples)


ORDER: list[Callable[[str], bool]] = [
    lambda n: n == "node_overhead_ms", lambda n: n == "celery_hop_ms", lambda n: n == "httpx_call_ms",
    lambda n: n.startswith("runs_per_s_w2"), lambda n: n.startswith("run_latency_ms_w2"),
    lambda n: n.startswith("runs_per_s_w1"), lambda n: n.startswith("run_latency_ms_w1"),
    lambda n: n == "api_post_run_ms", lambda n: n.startswith("http_node"), lambda n: n.startswith("raw_httpx"),
    lambda n: n.startswith("raw_celery"), lambda n: n.startswith("ws_"), lambda n: n.startswith("fanout"),
    lambda n: n.startswith("compile"), lambda n: n.startswith("worker_rss"),
]  # fmt: skip


def order(figures: list[Figure]) -> list[Figure]:
    def key(f: Figure) -> int:
        return next((i for i, test in enumerate(ORDER) if test(f.name)), len(ORDER))

    return sorted(figures, key=key)


def markdown_from_results() -> None:
    """`python -m bench --markdown`: the last results.json as a Markdown table (for the README)."""
    import json

    from bench.report import RESULTS

    doc = json.loads(RESULTS.read_text())
    figures = []
    for name, data in doc["figures"].items():
        fields = {k: data[k] for k in ("unit", "samples", "floor", "floor_value", "target", "met", "note", "extra")}
        figures.append(Figure(name=name, **fields))
    print(render_markdown(figures))
    m = doc["meta"]["machine"]
    print(f"\n{m['cpu']}, {m['nproc']} CPUs, {m['mem_gib']} GiB, Python {m['python']}; {doc['meta']['mode']} mode")


if __name__ == "__main__":
    sys.exit(main())
