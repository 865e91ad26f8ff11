# Everyday commands. `make run` and `make test` work on a fresh clone: the first call creates
# .venv and installs the project into it; later calls reinstall only when pyproject.toml changes.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Optional extras to install beside the dev tools (CI adds `gamma` for the gamma agreement tests).
EXTRAS ?= dev

.PHONY: help install run test test-python test-frontend lint format bench migrate seed screenshots

help:
	@echo "make run      install if needed, migrate, seed demo data, serve http://$(HOST):$(PORT)/ with a Celery worker"
	@echo "make test     the whole test suite (pytest, plus node --test frontend/tests/ when it has tests)"
	@echo "make lint     ruff check + ruff format --check + mypy"
	@echo "make format   ruff format + ruff check --fix"
	@echo "make bench    run every bench/*.py and print its figures"
	@echo "make screenshots  retake docs/screenshots/*.png from a throwaway demo site"
	@echo "make migrate  apply database migrations"
	@echo "make seed     migrate, then load the demo project and users (dev only)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The stamp is newer than pyproject.toml once the install has succeeded.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	touch $@

# Test-only JavaScript (axe-core, injected by the browser tests' accessibility checks), fetched
# from the npm registry into frontend/node_modules/ (not in git) as pinned by package-lock.json.
NODE_STAMP := frontend/node_modules/.installed

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(NODE_STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	PATH="$(abspath $(BIN)):$$PATH" RUN_HOST=$(HOST) RUN_PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev

test: test-python test-frontend

# The whole suite on the configured database (SQLite without DATABASE_URL), browser tests in
# Chromium (found or installed by scripts/ensure-chromium, or one line says what is missing).
# Without DATABASE_URL, a PostgreSQL answering on 127.0.0.1:5432 also runs the tests marked
# postgres/redis in a second pass (Redis on 127.0.0.1:6379 when it answers), so that a
# developer's run exercises the PostgreSQL-only paths too; CI sets DATABASE_URL and runs all.
LOCAL_PG := postgres://postgres@127.0.0.1:5432/annotator
LOCAL_REDIS := redis://127.0.0.1:6379/0
answers = $(BIN)/python -c "import socket,sys; socket.create_connection(('127.0.0.1', $(1)), 1)" 2>/dev/null

test-python: $(STAMP) $(NODE_STAMP)
	@chromium=$$(PYTHON_BIN=$(BIN)/python scripts/ensure-chromium) || exit 1; \
	export CHROMIUM=$$chromium; \
	echo "$(BIN)/python -m pytest $(PYTEST_ARGS)"; \
	$(BIN)/python -m pytest $(PYTEST_ARGS) || exit $$?; \
	if [ -z "$$DATABASE_URL" ] && $(call answers,5432); then \
		export DATABASE_URL=$(LOCAL_PG); \
		if [ -z "$$CELERY_BROKER_URL$$REDIS_URL" ] && $(call answers,6379); then \
			export CELERY_BROKER_URL=$(LOCAL_REDIS); fi; \
		echo "PostgreSQL answers: the postgres/redis tests again on $$DATABASE_URL"; \
		$(BIN)/python -m pytest -m "postgres or redis" $(PYTEST_ARGS); \
	fi

# --test-force-exit and the timeout: a test that leaves a timer running must fail the run, not
# hang it (CI has a time limit).
test-frontend:
	timeout 300 node --test --test-force-exit frontend/tests/

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	@set -e; for f in bench/*.py; do echo "== $$f"; $(BIN)/python "$$f"; done; \
	for f in bench/*.mjs; do echo "== $$f"; node "$$f"; done

# A throwaway demo site of its own (no database needed): docs/screenshots/*.png.
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py
