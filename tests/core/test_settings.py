"""Production settings: refuse to start without a secret key; `check --deploy` is clean."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.worker import REPO

ENC_KEY = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    child = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOMATEOS_", "DJANGO_"))}
    child.update(DJANGO_SETTINGS_MODULE="backend.config.settings", AUTOMATEOS_DATA_DIR="/tmp/aos-settings-test", **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=child, capture_output=True, text=True)


def test_settings_refuse_production_without_secret_key() -> None:
    result = _manage("check", AUTOMATEOS_DEBUG="false", AUTOMATEOS_SECRET_KEY="", AUTOMATEOS_ENCRYPTION_KEYS=ENC_KEY)
    assert result.returncode != 0
    assert "AUTOMATEOS_SECRET_KEY is not set" in result.stderr


def test_settings_check_deploy_is_clean_with_production_values() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        AUTOMATEOS_DEBUG="false",
        AUTOMATEOS_HTTPS="true",
        AUTOMATEOS_SECRET_KEY="x" * 20 + "a-long-random-production-secret-value-0123456789",
        AUTOMATEOS_ENCRYPTION_KEYS=ENC_KEY,
        AUTOMATEOS_ALLOWED_HOSTS="automate.example.com",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_settings_refuse_production_without_encryption_keys() -> None:
    result = _manage("check", AUTOMATEOS_DEBUG="false", AUTOMATEOS_SECRET_KEY="s" * 50, AUTOMATEOS_ENCRYPTION_KEYS="")
    assert result.returncode != 0
    assert "AUTOMATEOS_ENCRYPTION_KEYS is not set" in result.stderr
