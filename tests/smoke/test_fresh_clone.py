"""`make run` on a fresh clone, requirements.txt alone: up, the quick start succeeds, all stops."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.smoke.conftest import clean_env
from tests.support.readme import quick_start
from tests.support.worker import free_port

pytestmark = [pytest.mark.smoke, pytest.mark.timeout(900)]

_UP_S = 180


class Launched:
    """`make run` in its own process group, its output collected line by line."""

    def __init__(self, clone: Path, venv: Path, port: int) -> None:
        self.port = port
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            ["make", "run", f"VENV={venv}"],
            cwd=clone, env=clean_env(PORT=str(port), CI="true"), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def died(self) -> str:
        """Why a process of the launcher died, in its own words (the launcher's `exited:` line)."""
        said = [line for line in self.lines if " exited" in line or "Error" in line]
        return said[-1] if said else "\n".join(self.lines[-20:])

    def wait_for_line(self, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                found = re.search(pattern, line)
                if found:
                    return found
            if self.proc.poll() is not None:
                pytest.fail(f"make run ended (exit {self.proc.returncode}): {self.died()}")
            if any(" exited" in line for line in self.lines):
                pytest.fail(f"a process of make run died: {self.died()}")
            time.sleep(0.2)
        pytest.fail(f"make run printed no {pattern!r} within {timeout:.0f} s: {self.died()}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        return self.proc.returncode


@pytest.fixture
def launched(fresh_clone: Path, runtime_venv: Path) -> Iterator[Launched]:
    running = Launched(fresh_clone, runtime_venv, free_port())
    try:
        yield running
    finally:
        running.stop()


def test_make_run_on_a_fresh_clone_serves_the_readme_quick_start(launched: Launched, fresh_clone: Path) -> None:
    token = launched.wait_for_line(r"API token:\s+(aos_\S+)", _UP_S).group(1)
    launched.wait_for_line(r"AutomateOS is up: http://127\.0\.0\.1:\d+/", _UP_S)
    base = f"http://127.0.0.1:{launched.port}"
    health = httpx.get(f"{base}/healthz", timeout=5)
    assert health.status_code == 200 and health.json()["worker"] == "ok", health.text
    assert (fresh_clone / ".env").exists()  # written on the first start

    start_cmd, read_cmd = quick_start(launched.port)

    def sh(command: str) -> dict[str, object]:
        done = subprocess.run(["bash", "-c", f"TOKEN={token}\n{command}"], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    started = sh(start_cmd)
    assert started["status"] == "queued", started
    deadline, doc = time.monotonic() + 60, {}
    while time.monotonic() < deadline:
        doc = sh(read_cmd.replace("<id>", str(started["runId"])))
        if doc["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.3)
    assert doc.get("status") == "succeeded", f"{doc}\n{launched.died()}"

    # Ctrl+C reaches make too, which then ends by the signal (-2) once the launcher has stopped.
    assert launched.stop() in (0, -signal.SIGINT), launched.output()[-3000:]
    assert "devserver | worker stopped (exit 0)" in launched.output()
    assert "devserver | beat stopped (exit 0)" in launched.output()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{base}/healthz", timeout=2)
    assert _running_in(fresh_clone) == [], "processes of make run left running"


def _running_in(folder: Path) -> list[str]:
    """Command lines of the processes whose working directory is `folder`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cwd").resolve() == folder.resolve():
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return found
