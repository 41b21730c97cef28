# Whole Product Map: `make run` serves the demo, `make test` runs every test.
# Everything installs into .venv; a requirements file that changes is installed again.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core, at most four; 0 runs the suite in this process.
TEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help run test lint lint-imports typecheck mypy-baseline fmt install install-dev clean

help:
	@echo "make run    install, migrate, load the demo and serve http://127.0.0.1:$(PORT)/ (web, worker, beat)"
	@echo "make test   install the test tools and run the whole test suite (PYTEST_ARGS='-k x' to narrow,"
	@echo "           TEST_WORKERS=0 for one process)"
	@echo "make lint   ruff, the layering contracts and the circle check, mypy against its baseline"
	@echo "make mypy-baseline   rewrite mypy-baseline.txt from mypy's errors now (it may only shrink)"
	@echo "make fmt    ruff check --fix and ruff format"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed: set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# The stamps record that a requirements file was installed; scripts/run_embedded.sh shares the first.
$(VENV)/.stamp-runtime: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	@touch $@

$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -r requirements-dev.txt
	@touch $(VENV)/.stamp-runtime $@

install: $(VENV)/.stamp-runtime
install-dev: $(VENV)/.stamp-dev

run:
	PORT=$(PORT) PYTHON=$(PYTHON) scripts/run_embedded.sh

# Service tests skip with their reason when PostgreSQL/Redis/Chromium are absent, and
# fail instead under REQUIRE_SERVICES=1. Settings require SECRET_KEY in production mode
# (DATABASE_URL set), so a test-only one is given when none is. pytest's exit 5 (no
# test collected) is a failure like any other. Each test process has a test database, a Redis
# database and a media folder of its own (tests/conftest.py).
test: $(VENV)/.stamp-dev
	@rc=0; SECRET_KEY="$${SECRET_KEY:-insecure-test-only-secret-key}" \
		$(VENV)/bin/pytest -n $(TEST_WORKERS) --maxprocesses=4 $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests, which is a failure" >&2; fi; \
	exit $$rc

lint: $(VENV)/.stamp-dev lint-imports typecheck
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The layering of DESIGN §9 (.importlinter) and no import circle between modules.
lint-imports: $(VENV)/.stamp-dev
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(PY) scripts/import_cycles.py

# mypy with django-stubs: no error beyond mypy-baseline.txt, and the baseline only shrinks.
typecheck: $(VENV)/.stamp-dev
	$(PY) scripts/mypy_baseline.py

mypy-baseline: $(VENV)/.stamp-dev
	$(PY) scripts/mypy_baseline.py --update

fmt: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf staticfiles .pytest_cache .ruff_cache .mypy_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
