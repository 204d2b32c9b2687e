# Everyday commands. Each creates .venv and installs what it needs on first use, so a fresh
# clone needs only `make run` or `make test` (Python 3.11+ and, for tests, Debian's chromium).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
CHROMIUM := /usr/bin/chromium

.PHONY: run test fuzz lint bench screenshots chromium wrk install install-dev clean

# Stamps: reinstall only when pyproject.toml changes.
$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# WORKERS=N serves from N processes; they share the database (migrations run once, under a lock).
run: $(VENV)/.installed
	mkdir -p data
	$(PY) -m uvicorn app.main:create_app --factory --host $(HOST) --port $(PORT) --workers $(WORKERS)

# Browser tests drive Debian's chromium (Playwright cannot download its own browsers here).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
		else \
			echo "Browser tests need $(CHROMIUM): run 'sudo apt-get install chromium'" >&2; \
			exit 1; \
		fi; \
	fi

# bench/load.py drives the server with wrk, from Debian's package.
wrk:
	@if ! command -v wrk >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; \
		else \
			echo "The load benchmark needs wrk: run 'sudo apt-get install wrk'" >&2; \
			exit 1; \
		fi; \
	fi

test: $(VENV)/.installed-dev chromium
	$(PY) -m app check-content
	$(PY) -m pytest

# Property tests with fresh random examples (make test repeats the same ones every run).
fuzz: $(VENV)/.installed-dev
	MC_HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q -p no:cacheprovider \
		tests/mathcore/test_roundtrip.py tests/mathcore/test_fuzz.py \
		tests/mathcore/test_derivative_fuzz.py tests/web/test_endpoint_fuzz.py

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy --strict app

# bench/widgets.py drives Chromium with Playwright, a dev extra. Each script drives the app
# from one address, so the per-address rate limits are off (MC_RATE_LIMIT=0) for all of them.
bench: $(VENV)/.installed-dev chromium wrk
	@set -e; found=0; for script in bench/[!_]*.py; do \
		[ -e "$$script" ] || continue; found=1; \
		echo "== $$script"; MC_RATE_LIMIT=0 $(PY) "$$script"; \
	done; [ $$found = 1 ] || echo "No bench/*.py scripts yet."

# Writes docs/screenshots/*.png (used by the README) from the browser tests.
screenshots: $(VENV)/.installed-dev chromium
	MC_SCREENSHOT_DIR=docs/screenshots $(PY) -m pytest tests/e2e

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
