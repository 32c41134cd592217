# AutomateOS developer commands. `make run` starts everything locally; `make test` runs every check.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV ?= .venv
PY := $(VENV)/bin/python
# python3.11 when present (the supported version), else whatever python3 is (checked below).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check -q
BENCH_QUICK := $(if $(filter 1 true yes,$(QUICK)),AUTOMATEOS_BENCH_QUICK=1 ,)

.PHONY: help run worker test test-faults bench live-check lint fmt migrate clean services venv dev \
        _ruff _format _mypy _imports _pytest _js _browser _smoke

help: ## list the targets
	@grep -hE '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# --- environment ----------------------------------------------------------------------------------

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -U pip

# Stamp files: reinstall only when a requirements file changed since the last install.
$(VENV)/.stamp-run: requirements.txt | $(PY)
	$(PIP_INSTALL) -r requirements.txt
	@touch $@

$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP_INSTALL) -r requirements-dev.txt
	@touch $@ $(VENV)/.stamp-run

venv: $(VENV)/.stamp-run
dev: $(VENV)/.stamp-dev

services: ## start (installing if needed) PostgreSQL, Redis and Chromium for the tests
	bash scripts/ensure_services.sh

# --- running ----------------------------------------------------------------------------------------

run: $(VENV)/.stamp-run ## web server + one worker on 127.0.0.1:$PORT (default 8000); Ctrl+C stops all
	$(PY) scripts/devserver.py prepare --fresh
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap_admin
	exec $(PY) scripts/devserver.py serve

worker: $(VENV)/.stamp-run ## one more Celery worker with the same settings (adds capacity)
	$(PY) scripts/devserver.py prepare
	exec $(PY) scripts/devserver.py worker

migrate: $(VENV)/.stamp-run ## apply database migrations
	$(PY) scripts/devserver.py prepare
	$(PY) manage.py migrate --noinput

live-check: $(VENV)/.stamp-run ## run both starter workflows against the real Slack and Notion (env vars)
	$(PY) scripts/devserver.py prepare
	$(PY) scripts/live_check.py

# --- checks -----------------------------------------------------------------------------------------

# `-k` keeps going after a failed step so one run shows every problem; the exit code is still non-zero.
test: $(VENV)/.stamp-dev services ## lint, types, Python tests, JS tests, browser tests (against PostgreSQL + Redis)
	$(MAKE) -k _ruff _format _mypy _imports _pytest _js _browser _smoke

test-faults: $(VENV)/.stamp-dev services ## fault-injection tests (pytest -m faults)
	$(PY) -m pytest -m faults -s || { rc=$$?; if [ $$rc -eq 5 ]; then echo "test-faults: no fault tests collected yet"; else exit $$rc; fi; }

bench: $(VENV)/.stamp-dev services ## benchmarks (QUICK=1 for the short mode); writes bench/results.json
	@if [ -f bench/__main__.py ]; then \
		echo "$(BENCH_QUICK)$(PY) -m bench"; $(BENCH_QUICK)$(PY) -m bench; \
	else echo "bench: bench/__main__.py not there yet; nothing to run"; fi

lint: $(VENV)/.stamp-dev ## ruff check, ruff format --check, mypy
	$(MAKE) -k _ruff _format _mypy _imports

fmt: $(VENV)/.stamp-dev ## format and auto-fix
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

_ruff:
	$(PY) -m ruff check .
_format:
	$(PY) -m ruff format --check .
_mypy:
	$(PY) -m mypy backend workers
# The architecture contracts in .importlinter (what may import what).
_imports:
	$(VENV)/bin/lint-imports
# The main group must collect tests (exit 5 fails); browser and fault groups are optional.
_pytest:
	$(PY) -m pytest -m "not browser and not faults and not smoke"
# A copy of the repository as a clone has it, on a venv from requirements.txt alone (cached under
# ~/.cache/automateos by the file's hash): `make run`, the README's quick start, the deploy entry points.
_smoke:
	$(PY) -m pytest -m smoke
_js:
	@if [ -d tests/js ]; then echo "node --test tests/js"; node --test tests/js; else echo "js: no tests/js folder; skipped"; fi
# Sync Playwright cannot share a process with the async Channels tests: a pytest run of its own.
_browser:
	@if [ -d tests/browser ]; then \
		echo "DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m browser"; \
		DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m browser || { rc=$$?; [ $$rc -eq 5 ] || exit $$rc; echo "browser: no browser tests collected"; }; \
	else echo "browser: no tests/browser folder; skipped"; fi

clean: ## remove caches and stale broker messages (keeps .venv, .env and the database)
	rm -rf .mypy_cache .ruff_cache .pytest_cache test-results
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	rm -rf var/broker
