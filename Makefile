# The two commands of the quick start:  make run  ·  make test
# Everything a fresh machine needs is installed from here (Python packages into .venv,
# translations compiled); nothing is expected to be installed by hand.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
JOBS_EVERY ?= 60
export FLASK_APP := wsgi:app

.PHONY: run test setup setup-dev translations messages clean bench-setup bench-profile-setup

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt 2>&1 | { grep -v '^WARNING: Location' || true; }
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt 2>&1 | { grep -v '^WARNING: Location' || true; }
	touch $@

setup: $(VENV)/.installed translations

setup-dev: setup $(VENV)/.installed-dev

translations: $(VENV)/.installed
	$(BIN)/python scripts/i18n.py compile

## make run: set up, migrate the SQLite database, load demo data, serve on http://127.0.0.1:$(PORT),
## and run the background jobs every $(JOBS_EVERY) s beside the server (scripts/run_demo.py: both stop
## together on Ctrl-C, when make is killed, or when gunicorn exits)
run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	exec $(BIN)/python scripts/run_demo.py --every $(JOBS_EVERY) --jobs "$(BIN)/flask jobs run-due" -- \
		$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile - wsgi:app

## make test: set up with test requirements and run the whole suite (TEST_DATABASE_URL for PostgreSQL)
test: setup-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench-setup: what the benchmarks need (the dev venv: gunicorn, psycopg, httpx); see bench/README.md
bench-setup: setup-dev

## make bench-profile-setup: a separate venv (.venv-bench) with the dev requirements plus pyinstrument and
## py-spy, for `.venv-bench/bin/python -m bench.profile <path> --pyinstrument` (bench/README.md, Profiling)
BENCH_VENV ?= .venv-bench
bench-profile-setup: translations
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -r requirements-bench.txt 2>&1 | { grep -v '^WARNING: Location' || true; }

## make messages: add new strings to every catalog; then translate the empty zh_CN entries
messages: $(VENV)/.installed
	$(BIN)/python scripts/i18n.py update
	$(BIN)/python scripts/i18n.py check || true

clean:
	rm -rf $(VENV) instance/*.sqlite3*
