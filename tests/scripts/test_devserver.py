"""The `make run` launcher: backoff, the dead child's error line said once, children reading `.env` afresh."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


def _devserver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("devserver", REPO / "scripts" / "devserver.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


devserver = _devserver()


def test_last_error_line_finds_the_exception_under_a_traceback() -> None:
    lines = [
        "Traceback (most recent call last):",
        '  File "kombu/transport/redis.py", line 12, in <module>',
        "    from packaging.version import Version",
        "ModuleNotFoundError: No module named 'packaging'",
        "",
    ]
    assert devserver.last_error_line(lines) == "ModuleNotFoundError: No module named 'packaging'"


def test_last_error_line_reads_celery_critical_lines_and_falls_back_to_the_last_line() -> None:
    celery = ["... CRITICAL celery.worker Unrecoverable error: FileNotFoundError(2, 'No such file')"]
    assert devserver.last_error_line(celery) == "FileNotFoundError(2, 'No such file')"
    assert devserver.last_error_line(["starting", "port 8000 is taken", ""]) == "port 8000 is taken"


def test_next_backoff_doubles_to_a_ceiling_and_resets_after_a_stable_run() -> None:
    delays, delay = [], 0.0
    for _ in range(8):
        delay = devserver.next_backoff(delay, 0.5)
        delays.append(delay)
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    assert devserver.next_backoff(30.0, devserver.STABLE_S + 1) == 1.0


def test_child_env_does_not_carry_values_the_launcher_loaded_from_env_file(monkeypatch: pytest.MonkeyPatch) -> None:
    # What importing the settings does with `.env`: values land in the launcher's os.environ.
    monkeypatch.setenv("AUTOMATEOS_ENCRYPTION_KEYS", "k1:stale-key-loaded-at-launch")
    env = devserver.Supervisor([])._child_env()
    assert env.get("AUTOMATEOS_ENCRYPTION_KEYS") == devserver.BASE_ENV.get("AUTOMATEOS_ENCRYPTION_KEYS")
    assert env["PYTHONUNBUFFERED"] == "1"


_DRIVER = """
import sys
sys.path.insert(0, {repo!r})
import importlib.util
spec = importlib.util.spec_from_file_location("devserver", {path!r})
d = importlib.util.module_from_spec(spec); spec.loader.exec_module(d)
crash = [sys.executable, "-c", "import sys; raise ModuleNotFoundError(\\"No module named 'packaging'\\")"]
sys.exit(d.Supervisor([d.Child("worker", crash, "", restartable=True)]).run())
"""


def test_supervisor_restarts_a_crashing_child_with_growing_delay_and_says_its_error_once(tmp_path: Path) -> None:
    driver = tmp_path / "driver.py"
    driver.write_text(_DRIVER.format(repo=str(REPO), path=str(REPO / "scripts" / "devserver.py")))
    env = {**os.environ, "AUTOMATEOS_DATA_DIR": str(tmp_path / "data"), "AUTOMATEOS_DEBUG": "true"}
    (tmp_path / "data").mkdir()
    proc = subprocess.Popen(
        [sys.executable, str(driver)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    time.sleep(8)
    status = (tmp_path / "data" / "supervisor.json").read_text()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    starts = out.count("started worker")
    assert 3 <= starts <= 5, out  # 1 + 2 + 4 s of backoff in 8 s, not a restart a second
    assert out.count("worker exited: ModuleNotFoundError: No module named 'packaging'; restarting in 1 s") == 1, out
    assert "worker exited again with code 1 (same error); restarting in 2 s" in out
    assert "restarting in 4 s" in out
    assert "packaging" in status and "exited: ModuleNotFoundError" in status
    assert not (tmp_path / "data" / "supervisor.json").exists()  # removed when the launcher stops
    assert proc.returncode == 0


def test_serve_children_include_one_restartable_beat_on_the_database_scheduler() -> None:
    children = {child.name: child for child in devserver.serve_children(devserver._settings(), 8123)}
    assert list(children) == ["web", "worker", "reaper", "beat"]
    beat = children["beat"]
    assert beat.restartable and beat.argv[1:6] == ["-m", "celery", "-A", "backend.config.celery", "beat"]
    assert beat.argv[-2:] == ["-S", "django_celery_beat.schedulers:DatabaseScheduler"]
