"""Starts real Celery worker and web server processes against the test database for integration tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

REPO = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    """A DATABASE_URL naming the database pytest-django created, for child processes."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "backend.config.settings_test",
            "DATABASE_URL": test_database_url(),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def _start_worker(
    concurrency: int,
    pool: str,
    extra_env: Mapping[str, str] | None,
    app: str = "backend.config.celery",
    queue: str = "",
) -> tuple[subprocess.Popen[bytes], Path]:
    log = Path(tempfile.NamedTemporaryFile(prefix="aos-worker-", suffix=".log", delete=False).name)  # noqa: SIM115
    cmd = [
        sys.executable, "-m", "celery", "-A", app, "worker",
        "--loglevel=INFO", f"--pool={pool}", f"--concurrency={concurrency}",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    if queue:
        cmd += ["-Q", queue]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=child_env(extra_env), stdout=out, stderr=subprocess.STDOUT)
    return proc, log


@contextmanager
def running_worker(
    *,
    concurrency: int = 8,
    pool: str = "threads",
    extra_env: Mapping[str, str] | None = None,
    ready_timeout: float = 30,
    app: str = "backend.config.celery",
    queue: str = "",
) -> Iterator[subprocess.Popen[bytes]]:
    """A `celery worker` child process (the project's app unless told); yields once it reports ready,
    stops it on exit."""
    proc, log = _start_worker(concurrency, pool, extra_env, app, queue)
    proc.log_path = log  # type: ignore[attr-defined]  # for tests that read what the worker printed
    try:
        _wait_ready(proc, log, ready_timeout)
        yield proc
    finally:
        stop_process(proc)


@contextmanager
def supervised_worker(
    *, concurrency: int = 8, pool: str = "threads", extra_env: Mapping[str, str] | None = None
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Like docker's `restart: unless-stopped`: a worker that exits is replaced by a new one.
    Yields the list of processes started so far (the last one is the current)."""
    procs: list[subprocess.Popen[bytes]] = []
    done = threading.Event()
    proc, log = _start_worker(concurrency, pool, extra_env)
    procs.append(proc)
    _wait_ready(proc, log, 30)

    def keep_running() -> None:
        while not done.wait(0.5):
            if procs[-1].poll() is not None:
                procs.append(_start_worker(concurrency, pool, extra_env)[0])

    watcher = threading.Thread(target=keep_running, daemon=True)
    watcher.start()
    try:
        yield procs
    finally:
        done.set()
        watcher.join(timeout=5)
        for each in procs:
            stop_process(each)


def _wait_ready(proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited early:\n{log.read_text()[-3000:]}")
        if "ready." in log.read_text():
            return
        time.sleep(0.1)
    raise RuntimeError(f"worker not ready after {timeout}s:\n{log.read_text()[-3000:]}")


def stop_process(proc: subprocess.Popen[bytes], *, timeout: float = 10) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """Poll `predicate` until it returns something truthy; fail with the last value on timeout."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")


def free_port() -> int:
    """A port nothing listens on right now, for a child server process."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(base_url: str) -> bool:
    """True once the web server at `base_url` answers its own health check (workers not required) with 200."""
    import httpx

    try:
        return httpx.get(f"{base_url}/healthz?scope=web", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def serving_web(
    env: Mapping[str, str], log: Path, *, command: Callable[[int], list[str]] | None = None
) -> Iterator[str]:
    """The web server (backend.core.webserver unless `command` builds another argv for a port) as a
    child process on a free port, its output appended to `log`; yields the base URL once /healthz answers."""
    from backend.core.webserver import web_argv

    port = free_port()
    argv = command(port) if command else web_argv(port=port)
    with log.open("ab") as out:
        proc = subprocess.Popen(argv, cwd=REPO, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for(lambda: proc.poll() is not None or healthy(base), timeout=30)
        except AssertionError:
            raise RuntimeError(f"the web server did not start:\n{log.read_text()[-3000:]}") from None
        if proc.poll() is not None:
            raise RuntimeError(f"the web server exited:\n{log.read_text()[-3000:]}")
        yield base
    finally:
        stop_process(proc)
