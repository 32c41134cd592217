"""AUTOMATEOS_ENV=production: the settings refuse debug mode and open private networks, with clear words."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE = {
    "AUTOMATEOS_SECRET_KEY": "production-like-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "AUTOMATEOS_ENCRYPTION_KEYS": "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "AUTOMATEOS_DEBUG": "false",
    "AUTOMATEOS_ALLOW_PRIVATE_NETWORKS": "false",
}


def _import_settings(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOMATEOS_", "DJANGO_SETTINGS"))}
    env.update(BASE, **overrides)
    code = (
        "import backend.config.settings as s; "
        "print('ENV', s.ENVIRONMENT, s.DEBUG, s.AUTOMATEOS['ALLOW_PRIVATE_NETWORKS'])"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_production_switch_refuses_debug() -> None:
    result = _import_settings(AUTOMATEOS_ENV="production", AUTOMATEOS_DEBUG="true")
    assert result.returncode != 0
    assert "ImproperlyConfigured: AUTOMATEOS_DEBUG=true is refused with AUTOMATEOS_ENV=production" in result.stderr


def test_production_switch_refuses_private_networks() -> None:
    result = _import_settings(AUTOMATEOS_ENV="production", AUTOMATEOS_ALLOW_PRIVATE_NETWORKS="true")
    assert result.returncode != 0
    assert "AUTOMATEOS_ALLOW_PRIVATE_NETWORKS=true is refused with AUTOMATEOS_ENV=production" in result.stderr
    assert "AUTOMATEOS_EGRESS_ALLOW" in result.stderr


def test_production_switch_accepts_a_production_posture() -> None:
    result = _import_settings(AUTOMATEOS_ENV="Production")
    assert result.returncode == 0, result.stderr
    assert "ENV production False False" in result.stdout


@pytest.mark.parametrize(("debug", "private"), [("true", "true"), ("false", "true")])
def test_production_switch_off_keeps_development_conveniences(debug: str, private: str) -> None:
    result = _import_settings(
        AUTOMATEOS_ENV="development", AUTOMATEOS_DEBUG=debug, AUTOMATEOS_ALLOW_PRIVATE_NETWORKS=private
    )
    assert result.returncode == 0, result.stderr
    assert f"ENV development {debug == 'true'} True" in result.stdout


def test_production_switch_rejects_an_unknown_value() -> None:
    result = _import_settings(AUTOMATEOS_ENV="prod")
    assert result.returncode != 0
    assert "AUTOMATEOS_ENV must be `development` or `production`, not 'prod'" in result.stderr
