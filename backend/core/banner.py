"""Start-up notes for `make run`: which development switches are on, in plain words."""

from __future__ import annotations

from typing import Any


def startup_notes(settings: Any) -> list[str]:
    """Lines the launcher prints under its banner; `settings` is the settings module or object."""
    notes: list[str] = []
    if getattr(settings, "DEBUG", False):
        notes.append("debug mode is ON (AUTOMATEOS_DEBUG=true): for local development only")
    engine = getattr(settings, "AUTOMATEOS", {})
    if engine.get("ALLOW_PRIVATE_NETWORKS"):
        notes.append("HTTP nodes may call loopback and private networks (AUTOMATEOS_ALLOW_PRIVATE_NETWORKS=true)")
    dev_user = getattr(settings, "DEV_ORIGIN_USER", "")
    if dev_user:
        origins = ", ".join(getattr(settings, "CORS_ALLOWED_ORIGINS", []))
        notes.append(f"requests without a token from {origins} act as user '{dev_user}' (AUTOMATEOS_DEV_ORIGIN_USER)")
    return notes
