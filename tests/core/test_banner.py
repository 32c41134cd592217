"""make run's start-up notes name every development switch that is on."""

from __future__ import annotations

from types import SimpleNamespace

from backend.core.banner import startup_notes


def test_startup_notes_name_debug_private_networks_and_the_development_origin_user() -> None:
    settings = SimpleNamespace(
        DEBUG=True,
        AUTOMATEOS={"ALLOW_PRIVATE_NETWORKS": True},
        DEV_ORIGIN_USER="prototype",
        CORS_ALLOWED_ORIGINS=["http://localhost:3000"],
    )
    notes = startup_notes(settings)
    assert notes[0].startswith("debug mode is ON")
    assert "AUTOMATEOS_ALLOW_PRIVATE_NETWORKS=true" in notes[1]
    assert notes[2] == (
        "requests without a token from http://localhost:3000 act as user 'prototype' (AUTOMATEOS_DEV_ORIGIN_USER)"
    )


def test_startup_notes_are_empty_in_the_production_posture() -> None:
    settings = SimpleNamespace(DEBUG=False, AUTOMATEOS={"ALLOW_PRIVATE_NETWORKS": False}, DEV_ORIGIN_USER="")
    assert startup_notes(settings) == []
