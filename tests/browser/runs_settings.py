"""Settings of the daphne child process in the run-page browser tests: test settings with the run pages routed."""

from __future__ import annotations

from backend.config.settings_test import *  # noqa: F403

ROOT_URLCONF = "tests.web.runs_urlconf"
