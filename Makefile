# accesoins — two commands on a fresh machine: `make run`, `make test`.
# Every target is idempotent: stamps record what is already installed or built.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
ACCESOINS := $(VENV)/bin/accesoins
export ACCESOINS_DB ?= var/accesoins.duckdb
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install build run test bench lint clean browser

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

# Build the territory, the demonstration offer and everything computed from them (skips what is current).
build: install
	$(ACCESOINS) build

run: build
	$(ACCESOINS) serve --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest

bench: build
	$(PY) bench/engine.py

lint: install
	$(VENV)/bin/ruff check src tests bench

clean:
	rm -rf var .pytest_cache
