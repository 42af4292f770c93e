# The two commands: `make run` (the app with demo data) and `make test` (every check and test).
# Both create the virtual environment on first use; only Python >= 3.11 is needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: venv run test lint format messages

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py serve_demo --port $(PORT)

test: venv
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n $(PYTEST_WORKERS)

lint: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the catalogues after changing user-visible strings (needs GNU gettext).
messages: venv
	$(PY) manage.py makemessages -l zh_Hans -l en --no-location --ignore=.venv --ignore=var --ignore=static
	$(PY) manage.py compilemessages --ignore=.venv
