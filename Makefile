# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium
PGBOUNCER := /usr/sbin/pgbouncer

.PHONY: run test lint install browser pgbouncer clean bench bench-scale10 soak screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the admin on the demo data at http://127.0.0.1:8000/admin (SQLite ./admin.db).
run: $(STAMP)
	$(BIN)/admin-app db upgrade
	$(BIN)/admin-app demo
	$(BIN)/admin-app serve

## Lint, type-check and run the whole test suite (SQLite, PostgreSQL, MariaDB,
## PostgreSQL through PgBouncer, chromium), on two processes, a test module
## each at a time (its browser is shared).
test: $(STAMP) lint browser pgbouncer
	$(BIN)/python -m pytest -n 2 --dist loadfile

## Debian's chromium for the browser tests (Playwright drives it; nothing is downloaded).
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "note: no $(CHROMIUM) and no root to install it: browser tests will skip (CI=true fails them)"; \
	  fi; \
	fi

## Debian's PgBouncer: the tests start their own in front of PostgreSQL (tests/pgbouncer.py).
pgbouncer:
	@if [ ! -x $(PGBOUNCER) ] && ! command -v pgbouncer >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer; \
	  else \
	    echo "note: no $(PGBOUNCER) and no root to install it: PgBouncer tests will skip (CI=true fails them)"; \
	  fi; \
	fi

## The benchmark against plain sqladmin at scale 1 on SQLite, then PostgreSQL
## (benchmarks/README.md); results in benchmarks/results/. Needs PostgreSQL at
## 127.0.0.1:5432; a few minutes each. bench-scale10: PostgreSQL at scale 10.
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run --db sqlite --scale 1
	$(BIN)/python -m benchmarks.run --db postgresql --scale 1

bench-scale10: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run --db postgresql --scale 10 --runs 5

## Many workers, one database: 40 clients for 60 s against `admin-app serve
## --workers 4`, one worker killed at 25 s, then the saves, deletes, audit trail
## and locks checked (benchmarks/README.md); PostgreSQL, then MariaDB at
## 127.0.0.1:3306. Both run; it exits non-zero when a check of either fails.
SOAK := --seconds 60 --clients 40 --workers 4

soak: $(STAMP)
	$(BIN)/python -m benchmarks.soak --db postgresql $(SOAK); status=$$?; \
	$(BIN)/python -m benchmarks.soak --db mariadb $(SOAK) && exit $$status

## Every page kind of the demo, light and dark, wide and narrow, into
## docs/screenshots/ (tools/screenshots.py). Run it after changing templates or styles.
screenshots: $(STAMP) browser
	$(BIN)/python tools/screenshots.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy admin_app

clean:
	rm -rf $(VENV) dist build *.egg-info .pytest_cache .mypy_cache .ruff_cache
