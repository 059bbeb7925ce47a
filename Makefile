# Okienko: `make run` serves the demo, `make test` runs every test. See README.md.
SHELL := /bin/bash
HOST ?= 127.0.0.1
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
TEST_VAR_DIR := $(shell mktemp -d -u /tmp/okienko-test.XXXXXX)
DEMO_LOGIN := "Sign in at http://$(HOST):$(PORT)/admin/ with e-mail admin@okienko.local and password okienko-demo"

.PHONY: help uv install run test test-sqlite test-postgres lint format bench clean

help:
	@echo "make run    install, migrate, load the demo once, serve on http://$(HOST):$(PORT)"
	@echo "make test   lint and run the whole suite (SQLite; PostgreSQL+Redis when configured)"
	@echo "make lint   ruff and mypy"
	@echo "make bench  seed tickets and print performance figures as JSON"

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv

install: uv
	$(UV) sync --frozen

run: install
	$(UV) run okienko migrate --verbosity 1
	$(UV) run okienko demo
	@echo $(DEMO_LOGIN)
	$(UV) run okienko serve --host $(HOST) --port $(PORT)

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy okienko

format: install
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

# The whole suite once embedded (SQLite, Huey on SQLite, in-memory channel layer) and once
# scaled (PostgreSQL, with Huey, channel layer and cache on Redis when configured).
test: install lint
	bash scripts/test-preflight
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$OKIENKO_TEST_POSTGRES_URL" ]; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "OKIENKO_TEST_POSTGRES_URL not set: PostgreSQL pass skipped"; fi

test-sqlite: install
	env -u OKIENKO_DATABASE_URL -u OKIENKO_REDIS_URL OKIENKO_VAR_DIR=$(TEST_VAR_DIR)-sqlite \
		$(UV) run pytest

test-postgres: install
	OKIENKO_DATABASE_URL=$$OKIENKO_TEST_POSTGRES_URL OKIENKO_REDIS_URL=$$OKIENKO_TEST_REDIS_URL \
		OKIENKO_VAR_DIR=$(TEST_VAR_DIR)-postgres $(UV) run pytest

bench: install
	$(UV) run python -m bench $(BENCH_ARGS)

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
