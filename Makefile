# Vanguard: the two commands a new machine needs are `make demo` and `make test`.
# Everything runs from the project's own virtualenv (.venv, Python 3.11).

PYTHON      ?= python3.11
VENV        ?= .venv
BIN         := $(VENV)/bin
VG          := $(abspath $(BIN))/vanguard
# Data (SQLite database, uploads, collected static, secret key) stays in ./var
# whatever directory a command runs from.
export VANGUARD_DATA_DIR ?= $(CURDIR)/var
PYTEST_WORKERS ?= 2
# Let Python and pytest keep bytecode in __pycache__: with PYTHONDONTWRITEBYTECODE set, every pytest
# process (each xdist worker, each pass) compiles the project and rewrites every test module's asserts
# again, ~11 s of CPU each.
unexport PYTHONDONTWRITEBYTECODE
# `make test-pg` (part of `make test`): with PG_URL, pytest-django creates and drops
# test_<name> on that server; without, a throwaway cluster is started on a free port
# (scripts/throwaway_postgres.py) and removed after. Example: PG_URL=postgresql://postgres@127.0.0.1:5432/vanguard
PG_URL      ?=
# worksteal: a worker done with its share takes queued tests from one still busy (with the whole demo).
PYTEST_ARGS ?= -q -n $(PYTEST_WORKERS) --dist worksteal -m "not browser and not replica" --durations=25
DEMO_ARGS   ?=

# Apps that keep translations: vanguard/<app>/locale/
LOCALE_APPS := $(patsubst vanguard/%/locale,%,$(wildcard vanguard/*/locale))
APP_DIRS    := $(patsubst vanguard/%/apps.py,%,$(wildcard vanguard/*/apps.py))
STAMP       := $(VENV)/.installed

.PHONY: help demo test test-py test-browser test-pg test-replica lint system-deps venv compilemessages messages \
        migrate serve worker clean

help:
	@echo "make demo            set up everything, build the demo centre, serve http://127.0.0.1:8000"
	@echo "make test            ruff, migrations check, pytest on SQLite and on PostgreSQL, browser tests"
	@echo "make test-py         pytest on SQLite only"
	@echo "make test-pg         pytest on PostgreSQL: PG_URL=..., or a throwaway cluster when unset"
	@echo "make test-replica    the figures room against its own PostgreSQL primary and streaming standby"
	@echo "make lint            ruff check"
	@echo "make messages        refresh every app's zh_Hans .po from the code"
	@echo "make compilemessages compile the .po files to .mo"
	@echo "make serve | worker  run the web server | the background worker"

system-deps:
	@bash scripts/install-system-deps.sh

# The venv is (re)installed when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

venv: $(STAMP)

compilemessages: $(STAMP)
	@for app in $(LOCALE_APPS); do \
	  (cd vanguard/$$app && $(VG) compilemessages --verbosity 0) || exit 1; \
	done
	@echo "compiled messages for: $(LOCALE_APPS)"

messages: $(STAMP)
	@for app in $(APP_DIRS); do \
	  mkdir -p vanguard/$$app/locale; \
	  echo "makemessages: $$app"; \
	  (cd vanguard/$$app && $(VG) makemessages -l zh_Hans --no-obsolete --verbosity 0) || exit 1; \
	done
	@echo "Now fill every empty msgstr and remove '#, fuzzy' flags, then: make compilemessages"

migrate: $(STAMP)
	$(VG) migrate

demo: $(STAMP) compilemessages migrate
	$(VG) demo $(DEMO_ARGS)

serve: $(STAMP) compilemessages migrate
	$(VG) serve

worker: $(STAMP)
	$(VG) worker

lint: $(STAMP)
	$(BIN)/ruff check .

# The migrated SQLite database the SQLite, PostgreSQL (its serve and worker tests) and browser passes
# copy (tests/migrated_db.py): emptied first, so that each `make test` migrates afresh.
test: export VANGUARD_TEST_MIGRATED_DIR = $(VANGUARD_DATA_DIR)/test-migrated
test: lint $(STAMP) compilemessages
	$(VG) makemigrations --check --dry-run
	rm -rf "$$VANGUARD_TEST_MIGRATED_DIR"
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-pg
	@# Side by side: the replica test mostly waits on its servers, the browser tests keep about one
	@# core busy. --output-sync prints each one's output whole when it ends.
	$(MAKE) --no-print-directory -j2 --output-sync=target test-replica test-browser

test-py: $(STAMP) compilemessages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Starts its own primary and streaming standby on loopback (tests/dashboard/test_replica_streaming.py).
test-replica: $(STAMP) compilemessages
	$(BIN)/python -m pytest -q -m replica tests/dashboard --durations=3

test-browser: $(STAMP) compilemessages
	$(BIN)/python -m pytest -q -m browser tests/browser --durations=5

test-pg: $(STAMP) compilemessages
	@if [ -n "$(PG_URL)" ]; then \
	  echo "pytest on PostgreSQL at $(PG_URL)"; \
	  VANGUARD_DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS); \
	else \
	  $(BIN)/python scripts/throwaway_postgres.py -- $(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

clean:
	find vanguard -name '*.mo' -path '*/locale/*' -delete
	rm -rf $(VENV) var/static .ruff_cache
