"""Hostile HTTP targets and private DNS answers, through the whole pipeline with the SSRF guard on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from backend.runs.models import Run, Step
from backend.runs.services import run_start
from backend.runs.states import RUN_TERMINAL
from tests.support.faults import (
    BOMB_EXPANDED_MIB,
    HUGE_BYTES,
    Canary,
    canary_listener,
    hostile_server,
    hosts_entries,
    rss_kib,
)
from tests.support.graphs import edge, http_node, start_node
from tests.support.worker import child_env, running_worker, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.timeout(120)]

# The hostile server lives on 127.0.0.2, the only address the egress allow-list opens; every other
# loopback or private destination stays refused by the guard.
ALLOWED_HOST = "127.0.0.2"
PRIVATE_NAME, LOOPBACK_NAME = "aos-private.test", "aos-loopback.test"


@pytest.fixture
def guarded_worker(owner: Any) -> Iterator[Any]:
    env = {
        "AUTOMATEOS_ALLOW_PRIVATE_NETWORKS": "false",
        "AUTOMATEOS_EGRESS_ALLOW": ALLOWED_HOST,
        "AUTOMATEOS_HTTP_MAX_RESPONSE_BYTES": str(1024 * 1024),
    }
    with running_worker(concurrency=12, extra_env=child_env(env)) as proc:
        yield proc


def _run(owner: Any, nodes: list[dict[str, Any]]) -> tuple[dict[str, Step], float]:
    graph = {"nodes": [start_node(), *nodes], "edges": [edge("start", n["id"]) for n in nodes]}
    began = time.monotonic()
    run = run_start(owner=owner, graph=graph)[0]
    wait_for(lambda: Run.objects.get(pk=run.pk).status in RUN_TERMINAL, timeout=60, interval=0.1)
    return {s.node_id: s for s in Step.objects.filter(run=run)}, time.monotonic() - began


def _show(step: Step) -> str:
    seconds = step.duration_ms / 1000 if step.duration_ms is not None else -1
    return f"{step.status} in {seconds:.1f}s: {step.error or 'ok'}"


def test_hostile_targets_each_end_bounded_with_a_clear_outcome(owner: Any, guarded_worker: Any) -> None:
    with hostile_server(ALLOWED_HOST) as bad, canary_listener("127.0.0.1") as canary:
        url = bad.url
        rss_before, _ = rss_kib(guarded_worker.pid)
        nodes = [
            http_node("hang", f"{url}/hang?name=hang", timeout_s=2, retries=0),
            http_node("trickle", f"{url}/trickle?name=trickle", timeout_s=2, retries=0),
            http_node("slow_headers", f"{url}/slow-headers?name=slow_headers", timeout_s=1, retries=0),
            http_node("huge", f"{url}/huge?name=huge", timeout_s=20, retries=0),
            http_node("loop", f"{url}/loop?name=loop", timeout_s=10, retries=0),
            http_node(
                "to_loopback",
                f"{url}/redirect?name=to_loopback&to=http://127.0.0.1:{canary.port}/",
                retries=0,
            ),
            http_node("to_metadata", f"{url}/redirect?name=to_metadata&to=http://169.254.169.254/latest/", retries=0),
            http_node("rate_short", f"{url}/ratelimit?name=rate_short&after=1", retries=2),
            http_node("rate_long", f"{url}/ratelimit?name=rate_long&after=120", retries=2),
        ]
        steps, elapsed = _run(owner, nodes)
        _, rss_peak = rss_kib(guarded_worker.pid)
        for node in nodes:
            print(f"FIGURE hostile {node['id']}: {_show(steps[node['id']])}")
        sent = bad.bytes_sent.get("huge", 0)
        print(f"FIGURE 100 MB body: worker read a capped prefix; server pushed {sent / 2**20:.1f} MB of 100 MB")
        print(f"FIGURE worker RSS: {rss_before // 1024} MiB before, peak {rss_peak // 1024} MiB")
        print(f"FIGURE loopback canary connections: {canary.accepted}")
        print(f"FIGURE hostile run finished in {elapsed:.1f}s")

        hang, trickle, huge = steps["hang"], steps["trickle"], steps["huge"]
        assert hang.status == "failed" and "timed out" in hang.error and hang.duration_ms < 5000
        assert trickle.status == "failed" and "not complete within 2s" in trickle.error and trickle.duration_ms < 5000
        slow = steps["slow_headers"]
        assert slow.status == "failed" and "1s deadline" in slow.error and "/slow-headers" in slow.error
        assert slow.duration_ms < 2500, "header bytes kept the step alive past its deadline"
        assert huge.status == "succeeded" and huge.output.get("truncated") is True, huge.output.keys()
        assert sent < HUGE_BYTES / 4 and huge.duration_ms < 10000
        assert rss_peak - rss_before < 80 * 1024, "the capped body was buffered, not cut"
        loop = steps["loop"]
        assert loop.status == "failed" and "too many redirects" in loop.error and len(bad.named("loop")) == 6
        assert steps["to_loopback"].status == "failed" and "loopback" in steps["to_loopback"].error
        assert "SSRF guard" in steps["to_loopback"].error and canary.accepted == 0
        assert steps["to_metadata"].status == "failed" and "metadata" in steps["to_metadata"].error
        short = bad.named("rate_short")
        assert steps["rate_short"].status == "succeeded" and len(short) == 2
        assert short[1].started - short[0].started >= 1.0, "Retry-After was not honoured"
        assert steps["rate_long"].status == "failed" and "Retry-After 120s" in steps["rate_long"].error
        assert len(bad.named("rate_long")) == 1


def test_gzip_bomb_is_cut_at_the_cap_without_inflating(owner: Any, guarded_worker: Any) -> None:
    with hostile_server(ALLOWED_HOST) as bad:
        rss_before, _ = rss_kib(guarded_worker.pid)
        steps, _ = _run(owner, [http_node("bomb", f"{bad.url}/gzip-bomb?name=bomb", timeout_s=20, retries=0)])
        _, rss_peak = rss_kib(guarded_worker.pid)
    bomb = steps["bomb"]
    size = bad.bytes_sent.get("bomb", 0)
    shown = f"{size / 2**20:.1f} MiB of gzip inflating to {BOMB_EXPANDED_MIB} MiB, cap 256 KiB"
    print(f"FIGURE gzip bomb: {shown}: {_show(bomb)}")
    print(f"FIGURE gzip bomb worker RSS: {rss_before // 1024} MiB before, peak {rss_peak // 1024} MiB")
    # The engine stores a capped output as a truncated preview: the body read was the 256 KiB cap.
    assert bomb.status == "succeeded" and bomb.output.get("truncated") is True, _show(bomb)
    assert rss_peak - rss_before < 40 * 1024, "the bomb was inflated past the cap"


def test_private_dns_answer_is_refused_before_connecting(owner: Any, guarded_worker: Any) -> None:
    names = {PRIVATE_NAME: "10.255.255.1", LOOPBACK_NAME: "127.0.0.3"}
    with canary_listener(names[LOOPBACK_NAME]) as canary, hosts_entries(names):
        nodes = [
            # 10.255.255.1 is unroutable: a connection attempt would hang until the 5 s timeout.
            http_node("private", f"http://{PRIVATE_NAME}/", timeout_s=5, retries=0),
            http_node("loopback", f"http://{LOOPBACK_NAME}:{canary.port}/", timeout_s=5, retries=0),
        ]
        steps, _ = _run(owner, nodes)
    _report_dns(steps, canary)
    for node_id, address, reason in (("private", "10.255.255.1", "private"), ("loopback", "127.0.0.3", "loopback")):
        step = steps[node_id]
        assert step.status == "failed", _show(step)
        assert f"resolves to {address}" in step.error and reason in step.error and "SSRF guard" in step.error
        assert step.duration_ms < 2000, "a connection was attempted before the refusal"
    assert canary.accepted == 0


def _report_dns(steps: dict[str, Step], canary: Canary) -> None:
    for node_id in ("private", "loopback"):
        print(f"FIGURE private DNS {node_id}: {_show(steps[node_id])}")
    print(f"FIGURE private DNS canary connections: {canary.accepted}")
