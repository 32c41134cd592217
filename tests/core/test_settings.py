"""Production settings: refuse to start without a secret key; `check --deploy` is clean; every variable
the settings and scripts read is documented in .env.example."""

from __future__ import annotations

import os
import re
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


# Reads of a variable by name: `env.int("X", …)` in settings, `os.environ.get("X")` / `os.environ["X"]` in scripts.
_READS = re.compile(r'\benv\.\w+\(\s*"([A-Z][A-Z0-9_]*)"|\bos\.environ(?:\.get\(|\[)\s*"([A-Z][A-Z0-9_]*)"')


def test_settings_every_variable_read_is_documented_in_env_example() -> None:
    sources = [REPO / "backend" / "config" / "settings.py", *sorted((REPO / "scripts").glob("*.py"))]
    read = {name for source in sources for match in _READS.findall(source.read_text()) for name in match if name}
    read.discard("DJANGO_SETTINGS_MODULE")  # Django's own switch, not configuration
    # The scan finds both kinds of reads (an empty result would make the check vacuous).
    assert {"AUTOMATEOS_MAX_REQUEST_BYTES", "DATABASE_URL", "AUTOMATEOS_SHUTDOWN_GRACE_S", "SLACK_WEBHOOK"} <= read
    example = (REPO / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))
    assert sorted(read - documented) == []


def test_celery_configuration_is_every_celery_setting_copied_from_django() -> None:
    from django.conf import settings

    from backend.config.celery import _CelerySettings, app

    copy = _CelerySettings()
    names = {name for name in dir(settings) if name.startswith("CELERY_")}
    assert set(copy) == names and len(copy) == len(names)
    assert copy["CELERY_TASK_ACKS_LATE"] is True
    # What the app reads comes from the copy: the settings the engine's guarantees rest on.
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_ignore_result is True
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert isinstance(app.loader._conf, _CelerySettings)


def test_celery_configuration_warns_of_no_deprecated_setting() -> None:
    from backend.config.celery import app

    assert app.conf.result_backend is None and app.conf.task_serializer == "json"
    assert app.conf.maybe_warn_deprecated_settings() is False
