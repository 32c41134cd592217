"""What the benchmark starts: a fresh database and Redis db, the target, the web server, worker processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis

from backend.core.webserver import web_argv

REPO = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get("AUTOMATEOS_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aos_bench")
REDIS_URL = os.environ.get("AUTOMATEOS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
LOG_DIR = Path(tempfile.gettempdir()) / "aos-bench"
# Fixed throwaway keys: production settings refuse to start without them (a fresh clone has no
# .env), and the benchmark stores no credential and serves no one but itself.
_BENCH_KEYS = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
_BENCH_SECRET = "bench-only-secret-key-not-for-production-0123456789abcdef"


def bench_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of the driver and every child: the project's distributed mode, bench stores."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": os.environ.get("AUTOMATEOS_BENCH_SETTINGS") or "backend.config.settings",
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "AUTOMATEOS_ALLOW_PRIVATE_NETWORKS": "true",  # the target listens on 127.0.0.1
            "AUTOMATEOS_ENCRYPTION_KEYS": env.get("AUTOMATEOS_ENCRYPTION_KEYS") or _BENCH_KEYS,
            "AUTOMATEOS_SECRET_KEY": env.get("AUTOMATEOS_SECRET_KEY") or _BENCH_SECRET,
            "AUTOMATEOS_DEBUG": "false",
            "BENCH_RAW_DSN": _dsn(DATABASE_URL),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def _dsn(url: str, dbname: str | None = None) -> str:
    parts = urlsplit(url.replace("postgres://", "postgresql://", 1))
    if dbname is not None:
        parts = parts._replace(path=f"/{dbname}")
    return parts.geturl()


def recreate_database() -> None:
    """Drop and create the bench database, then migrate it with the project's own command."""
    name = urlsplit(DATABASE_URL).path.lstrip("/")
    if not name.startswith("aos_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the bench database name must start with aos_bench")
    with psycopg.connect(_dsn(DATABASE_URL, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=bench_env(), check=True
    )


def flush_redis() -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def _spawn(name: str, cmd: list[str], env: Mapping[str, str]) -> Child:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    return Child(name=name, proc=proc, log=log)


def _wait(child: Child, ready: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.proc.poll() is not None:
            raise RuntimeError(f"{child.name} exited early:\n{child.log.read_text()[-3000:]}")
        if ready():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise RuntimeError(f"{child.name} not ready after {timeout}s:\n{child.log.read_text()[-3000:]}")


def stop(child: Child, timeout: float = 15) -> None:
    from tests.support.worker import stop_process

    stop_process(child.proc, timeout=timeout)


@contextmanager
def running(child_factory: object) -> Iterator[Child]:
    child = child_factory()  # type: ignore[operator]
    try:
        yield child
    finally:
        stop(child)


def start_target(port: int = 0) -> tuple[Child, str]:
    child = _spawn("target", [sys.executable, "-m", "bench.target", str(port)], bench_env())
    _wait(child, lambda: child.log.read_text().startswith("ready "))
    bound = int(child.log.read_text().split()[1])
    return child, f"http://127.0.0.1:{bound}"


def start_worker(
    name: str, *, concurrency: int, pool: str = "threads", app: str = "backend.config.celery", queue: str = ""
) -> Child:
    """A Celery worker as deployed (INFO log level, the project's pool); waits until it is ready."""
    cmd = [
        sys.executable, "-m", "celery", "-A", app, "worker", "--loglevel=INFO", f"--pool={pool}",
        f"--concurrency={concurrency}", "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
        "--without-heartbeat",
    ]  # fmt: skip
    if queue:
        cmd += ["-Q", queue]
    child = _spawn(name, cmd, bench_env())
    _wait(child, lambda: "ready." in child.log.read_text())
    return child


def start_web() -> tuple[Child, str]:
    port = free_port()
    cmd = web_argv(port=port)
    # Django under ASGI runs each request's sync code in a fresh thread: a persistent connection is
    # never reused and piles up until PostgreSQL refuses clients (seen here at 32 clients), which is
    # why Django's docs say to disable persistent connections under ASGI.
    child = _spawn("web", cmd, bench_env({}))

    def up() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    _wait(child, up)
    return child, f"127.0.0.1:{port}"
