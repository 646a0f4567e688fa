# The two commands of the quick start:  make run  ·  make test
# Everything a fresh machine needs is installed from here (Python packages into .venv,
# translations compiled); nothing is expected to be installed by hand.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
export FLASK_APP := wsgi:app

.PHONY: run test setup setup-dev translations extract-messages migrate-check clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed translations

setup-dev: setup $(VENV)/.installed-dev

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d translations >/dev/null

## make run: set up, migrate the SQLite database, load demo data, serve on http://127.0.0.1:$(PORT)
run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile - wsgi:app

## make test: set up with test requirements and run the whole suite (TEST_DATABASE_URL for PostgreSQL)
test: setup-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make extract-messages: refresh translations/messages.pot and the catalogs after changing strings
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance/*.sqlite3*
