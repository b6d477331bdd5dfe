# Podlab: `make run` serves the platform, `make test` runs every check. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test lint install catalogues browser-deps frontend-deps check-python clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Podlab needs Python 3.11 (found " + sys.version.split()[0] + "): set PYTHON=/path/to/python3.11")'

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock changes; uv resolves nothing, it installs the pinned set.
$(VENV)/.installed: requirements/dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements/dev.lock
	@touch $@

install: $(VENV)/.installed frontend-deps catalogues

frontend-deps: $(VENV)/.installed
	@if [ -f frontend/package-lock.json ]; then \
	  if ! command -v npm >/dev/null; then echo "npm is needed for the page's JavaScript libraries: install Node.js 20+ (https://nodejs.org or your package manager)"; exit 1; fi; \
	  if [ ! -f frontend/node_modules/.package-lock.json ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then \
	    npm ci --prefix frontend --no-audit --no-fund --loglevel=error; fi; $(BIN)/python manage.py vendor_assets; \
	fi

catalogues: $(VENV)/.installed
	@$(BIN)/python manage.py compile_catalogues

# Debian's Chromium drives the browser tests (Playwright's own download cannot work offline).
browser-deps:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed and this is not root: browser tests will be skipped"; fi; \
	fi
	@if ! command -v docker-compose >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null || true; fi

run: install
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_lessons
	PORT=$(PORT) $(BIN)/python manage.py serve

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python tools/check_import_cycles.py

# Browser tests run in their own pytest process: pytest-playwright's event loop breaks later asyncio tests.
# pytest exits 5 when it collected nothing; make treats that as the failure it is.
# Tests run in parallel (pytest-xdist): most of their time is spent waiting for servers, workers and kubectl, so more
# processes than cores pays; `loadgroup` keeps tests sharing a module-scoped server on one process (tests/conftest.py).
TEST_PROCESSES ?= 3
BROWSER_TEST_PROCESSES ?= 2
test: install browser-deps lint
	npm test --prefix frontend --silent
	$(BIN)/python -m pytest -m "not browser" -n $(TEST_PROCESSES) --dist loadgroup --durations=15
	$(BIN)/python -m pytest -m browser -n $(BROWSER_TEST_PROCESSES) --dist loadgroup --durations=10

clean:
	rm -rf $(VENV) staticfiles test-db*.sqlite3* frontend/node_modules locale/*/LC_MESSAGES/*.mo
