"""Fresh-clone fixtures: the repository as a clone has it, and a venv from requirements.txt alone."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "automateos"
# What a newcomer's shell would not have: every variable that points the app somewhere.
_PROJECT_VARS = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PORT", "VIRTUAL_ENV")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _PROJECT_VARS and not k.startswith("AUTOMATEOS_")}
    env.update(extra)
    return env


def runtime_venv_path() -> Path:
    """Cached by the requirements' hash: a change to requirements.txt gets a venv of its own."""
    digest = hashlib.sha256((REPO / "requirements.txt").read_bytes()).hexdigest()[:16]
    return CACHE / f"runtime-venv-{digest}"


@pytest.fixture(scope="session")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tracked and not-ignored files only: no .venv, no .env, no var/ data."""
    root = tmp_path_factory.mktemp("clone") / "automateos"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    assert not (root / ".venv").exists() and not (root / ".env").exists() and not (root / "var").exists()
    return root


@pytest.fixture(scope="session")
def runtime_venv(fresh_clone: Path) -> Iterator[Path]:
    """A venv built by the Makefile's own recipe from requirements.txt alone, then `pip check`ed."""
    venv = runtime_venv_path()
    if not (venv / ".stamp-run").exists():
        shutil.rmtree(venv, ignore_errors=True)  # a half-built one from an interrupted run
        venv.parent.mkdir(parents=True, exist_ok=True)
        built = subprocess.run(
            ["make", "venv", f"VENV={venv}"],
            cwd=fresh_clone, env=clean_env(), capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    checked = subprocess.run([venv / "bin" / "python", "-m", "pip", "check"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    yield venv
