"""Fault-injection helpers: hostile HTTP servers, throwaway PostgreSQL/Redis, the reaper, /etc/hosts."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.support.worker import REPO, stop_process

# Shrunk liveness timings (seconds) shared by the workers and the reaper of the fault tests.
SHRUNK_TIMINGS = {
    "AUTOMATEOS_STEP_STALE_S": "2",
    "AUTOMATEOS_HEARTBEAT_INTERVAL_S": "0.3",
    "AUTOMATEOS_REAPER_INTERVAL_S": "0.5",
    "AUTOMATEOS_QUEUED_REPUBLISH_S": "3",
    "AUTOMATEOS_STEP_MAX_ATTEMPTS": "5",
}
PG_BIN = Path("/usr/lib/postgresql/15/bin")


# --- hostile HTTP server ---------------------------------------------------------------------------


@dataclass
class Hit:
    path: str
    query: dict[str, str]
    started: float
    ended: float = 0.0


@dataclass
class Hostile:
    """What the hostile server saw: every request, and bytes pushed before a client cut a stream."""

    url: str
    hits: list[Hit] = field(default_factory=list)
    bytes_sent: dict[str, int] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)

    def named(self, name: str) -> list[Hit]:
        return [h for h in self.hits if h.query.get("name") == name]


HUGE_BYTES = 100 * 1024 * 1024
_CHUNK = b"x" * 65536
BOMB_EXPANDED_MIB = 1024


def gzip_bomb(expanded_mib: int = BOMB_EXPANDED_MIB) -> bytes:
    """A valid gzip body of about 1 KiB per MiB it inflates to (1 GiB of "x" -> ~1 MiB), built in
    well under a second: after a full flush the compressor's output for the next MiB of the same
    bytes is the same block again, so one block is repeated instead of compressing the whole GiB."""
    mib = b"x" * (1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(expanded_mib):
        crc = zlib.crc32(mib, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (expanded_mib << 20) & 0xFFFFFFFF)
    return header + block * expanded_mib + packer.flush() + trailer


_BOMB: list[bytes] = []


def _hostile_handler(server: Hostile) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
            hit = Hit(parsed.path, query, time.monotonic())
            server.hits.append(hit)
            try:
                getattr(self, "_" + parsed.path.strip("/").replace("-", "_"), self._ok)(query)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client hung up: exactly what a capped or timed-out read should do
            finally:
                hit.ended = time.monotonic()

        def _send(self, status: int, body: bytes = b"{}", headers: Mapping[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _ok(self, query: dict[str, str]) -> None:
            self._send(200, b'{"ok": true}')

        def _hang(self, query: dict[str, str]) -> None:
            server.release.wait(60)  # never answers (until the server shuts down)
            self.close_connection = True

        def _trickle(self, query: dict[str, str]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(100000):
                if server.release.wait(0.2):
                    break
                self.wfile.write(b".")
                self.wfile.flush()
            self.close_connection = True

        def _huge(self, query: dict[str, str]) -> None:
            name = query.get("name", "huge")
            server.bytes_sent[name] = 0
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(HUGE_BYTES))
            self.end_headers()
            self.close_connection = True
            while server.bytes_sent[name] < HUGE_BYTES:
                self.wfile.write(_CHUNK)
                server.bytes_sent[name] += len(_CHUNK)

        def _slow_headers(self, query: dict[str, str]) -> None:
            # A status line, then one header line every 0.4 s, never the blank line that ends them.
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self.wfile.flush()
            for n in range(1000):
                if server.release.wait(0.4):
                    break
                self.wfile.write(b"X-Slow-%d: still coming\r\n" % n)
                self.wfile.flush()
            self.close_connection = True

        def _gzip_bomb(self, query: dict[str, str]) -> None:
            if not _BOMB:
                _BOMB.append(gzip_bomb())
            body = _BOMB[0]
            server.bytes_sent[query.get("name", "gzip_bomb")] = len(body)
            self.close_connection = True  # a client that has its capped prefix hangs up mid-body
            self._send(200, body, {"Content-Encoding": "gzip"})

        def _loop(self, query: dict[str, str]) -> None:
            hop = int(query.get("hop", 0)) + 1
            self._send(302, b"", {"Location": f"/loop?name={query.get('name', '')}&hop={hop}"})

        def _redirect(self, query: dict[str, str]) -> None:
            self._send(302, b"", {"Location": query["to"]})

        def _ratelimit(self, query: dict[str, str]) -> None:
            # The first request for a name is told to come back later; later ones succeed.
            if len(server.named(query.get("name", ""))) == 1:
                self._send(429, b'{"error": "slow down"}', {"Retry-After": query.get("after", "1")})
            else:
                self._send(200, b'{"ok": true}')

    return Handler


@contextmanager
def hostile_server(host: str = "127.0.0.1") -> Iterator[Hostile]:
    """A threaded server on `host`: /hang, /trickle, /slow-headers, /huge, /gzip-bomb, /loop,
    /redirect?to=, /ratelimit?after=."""
    server = Hostile(url="")
    httpd = ThreadingHTTPServer((host, 0), _hostile_handler(server))
    httpd.daemon_threads = True
    server.url = f"http://{host}:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Canary:
    """A bare TCP listener counting connections: proof that nothing tried to reach it."""

    host: str
    port: int
    accepted: int = 0


@contextmanager
def canary_listener(host: str = "127.0.0.1") -> Iterator[Canary]:
    sock = socket.socket()
    sock.bind((host, 0))
    sock.listen(16)
    sock.settimeout(0.2)
    canary = Canary(host, sock.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            canary.accepted += 1
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield canary
    finally:
        stop.set()
        thread.join(2)
        sock.close()


# --- /etc/hosts ------------------------------------------------------------------------------------


@contextmanager
def hosts_entries(entries: Mapping[str, str], hosts_file: Path = Path("/etc/hosts")) -> Iterator[None]:
    """Add `address name` lines for the duration; removes exactly those lines afterwards."""
    lines = [f"{address} {name}  # aos-faults" for name, address in entries.items()]
    original = hosts_file.read_text()
    hosts_file.write_text(original.rstrip("\n") + "\n" + "\n".join(lines) + "\n")
    try:
        yield
    finally:
        current = hosts_file.read_text().splitlines()
        hosts_file.write_text("\n".join(line for line in current if line not in lines) + "\n")


# --- processes -------------------------------------------------------------------------------------


@contextmanager
def running_reaper(env: Mapping[str, str]) -> Iterator[Path]:
    """`manage.py run_reaper` as a child process; yields the path of its log."""
    log = tempfile.NamedTemporaryFile(prefix="aos-reaper-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "run_reaper"], cwd=REPO, env=dict(env), stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield Path(log.name)
    finally:
        stop_process(proc)
        log.close()


def reaper_totals(log: Path) -> dict[str, int]:
    """Sum the SweepReport fields the reaper printed (`reaper: SweepReport(requeued=1, ...)`)."""
    totals: dict[str, int] = {}
    for line in log.read_text().splitlines():
        if "SweepReport(" not in line:
            continue
        inner = line.split("SweepReport(", 1)[1].rstrip(")")
        for part in inner.split(","):
            key, _, value = part.strip().partition("=")
            if value.strip().isdigit():
                totals[key] = totals.get(key, 0) + int(value)
    return totals


def rss_kib(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) of a process in KiB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields.get("VmHWM", fields["VmRSS"]).split()[0])


# --- throwaway servers -----------------------------------------------------------------------------


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_port(port: int, *, up: bool, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _port_open(port) == up:
            return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} still {'closed' if up else 'open'} after {timeout}s")


class ThrowawayPostgres:
    """A private PostgreSQL cluster (trust auth, no fsync) in a temp dir, run as the postgres user."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="aos-faults-pg-"))
        self.data = self.root / "data"
        shutil.chown(self.root, "postgres", "postgres")

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self.root / "server.log")
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        self._as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), name)
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        with suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class ThrowawayRedis:
    """A private redis-server without persistence: a restart loses every message, the worst case."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, up=True)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)  # a crash, not a clean shutdown
            self.proc.wait(10)
        _wait_port(self.port, up=False)


def manage(env: Mapping[str, str], *args: str, timeout: float = 120) -> str:
    """Run `manage.py <args>` with `env`; return its stdout, raising with the output on failure."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=dict(env), capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def base_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": "backend.config.settings_test", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def settle(predicate: Any, *, timeout: float, interval: float = 0.2) -> bool:
    """Poll `predicate` until true or `timeout`; False instead of an error, so a test can count what is lost."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
