"""Figures measured from outside, through the web server: runs posted by API clients, and the run websocket."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx
import psycopg

from bench.engine_figures import fanout_graph, one_http_graph


@dataclass
class LoadResult:
    runs_per_s: float
    latencies_ms: list[float]
    post_ms: list[float]
    failed: int = 0


@dataclass
class _Watcher:
    """One poller for every client: resolves a future when its run's finished_at is stored."""

    dsn: str
    table: str
    waiting: dict[str, asyncio.Future[tuple[str, float]]] = field(default_factory=dict)

    async def loop(self) -> None:
        async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as conn:
            while True:
                if self.waiting:
                    ids = list(self.waiting)
                    sql = f"SELECT id::text, status, finished_at FROM {self.table} WHERE id = ANY(%s::uuid[]) AND finished_at IS NOT NULL"  # noqa: E501
                    rows = await (await conn.execute(sql, (ids,), prepare=True)).fetchall()
                    for run_id, status, finished_at in rows:
                        future = self.waiting.pop(run_id, None)
                        if future is not None and not future.done():
                            future.set_result((status, finished_at.timestamp()))
                await asyncio.sleep(0.004)

    def wait(self, run_id: str) -> asyncio.Future[tuple[str, float]]:
        future: asyncio.Future[tuple[str, float]] = asyncio.get_running_loop().create_future()
        self.waiting[run_id] = future
        return future


async def closed_loop(
    *, base: str, token: str, target_url: str, dsn: str, table: str, clients: int, seconds: float, warmup: float
) -> LoadResult:
    """`clients` clients each post a Start → HTTP run, wait for it to finish, and post the next."""
    body = json.dumps({"graph": one_http_graph(target_url)}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    watcher = _Watcher(dsn=dsn, table=table)
    poller = asyncio.create_task(watcher.loop())
    latencies: list[float] = []
    posts: list[float] = []
    finished_at: list[float] = []
    failed = 0
    begin = time.time()
    measure_from = begin + warmup
    stop_at = measure_from + seconds

    async def client() -> None:
        nonlocal failed
        http = _Connection(base, _post_request(base, "/v1/runs", body, headers))
        try:
            while time.time() < stop_at:
                sent = time.time()
                status_code, content = await http.send()
                posted = time.time()
                if status_code != 201:
                    raise RuntimeError(f"POST /v1/runs answered {status_code}: {content[:300]!r}")
                status, done = await watcher.wait(json.loads(content)["id"])
                if sent >= measure_from and done <= stop_at:
                    latencies.append((done - sent) * 1000)
                    posts.append((posted - sent) * 1000)
                    finished_at.append(done)
                    failed += status != "succeeded"
        finally:
            http.close()

    try:
        await asyncio.gather(*(client() for _ in range(clients)))
    finally:
        poller.cancel()
    return LoadResult(runs_per_s=len(finished_at) / seconds, latencies_ms=latencies, post_ms=posts, failed=failed)


def _post_request(base: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {base}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class _Connection:
    """One keep-alive HTTP/1.1 connection that sends the same encoded request again and again.

    The load generator shares the machine's two cores with the system it measures: through httpx it
    spent about 2.7 ms of CPU per run, a sixth of the whole run's, and that CPU was taken from the web
    server and the workers. This client parses only what the benchmark reads: status, length and body.
    """

    def __init__(self, base: str, request: bytes) -> None:
        host, port = base.rsplit(":", 1)
        self.address = (host, int(port))
        self.request = request
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self) -> tuple[int, bytes]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(*self.address)
        self.writer.write(self.request)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
        status = int(head[9:12])
        fields = dict(line.split(": ", 1) for line in head.split("\r\n")[1:] if ": " in line)
        if "content-length" in fields:
            body = await self.reader.readexactly(int(fields["content-length"]))
        else:
            body = await self._chunked(self.reader)
        if fields.get("connection") == "close":
            self.close()
        return status, body

    @staticmethod
    async def _chunked(reader: asyncio.StreamReader) -> bytes:
        parts = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        await reader.readuntil(b"\r\n")
        return b"".join(parts)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


async def ws_latencies(*, base: str, token: str, target_url: str, runs: int) -> list[float]:
    """ms from a live event's stored ts to this client receiving it, over `runs` runs watched live."""
    from websockets.asyncio.client import connect

    graph = fanout_graph(target_url, 3, 0.15)
    headers = {"Authorization": f"Bearer {token}"}
    samples: list[float] = []
    async with httpx.AsyncClient(timeout=30, trust_env=False) as http:
        for _ in range(runs):
            response = await http.post(
                f"http://{base}/v1/runs", json={"graph": graph}, headers={**headers, "Content-Type": "application/json"}
            )
            run_id = response.json()["id"]
            async with connect(f"ws://{base}/ws/runs/{run_id}/", additional_headers=headers) as socket:
                connected = time.time()
                async for message in socket:
                    received = time.time()
                    event = json.loads(message)
                    if event["type"] == "log":
                        continue  # a log line's ts is when it happened in the node, not when it was stored
                    ts = _epoch(event["ts"])
                    # Backlog (stored before we listened) says nothing about push latency.
                    if ts > connected + 0.002:
                        samples.append((received - ts) * 1000)
    return samples
