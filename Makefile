# The two commands: `make run` (the app with demo data) and `make test` (every check and test).
# Both create the virtual environment on first use; only Python >= 3.11 is needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
PYTEST_WORKERS ?= 2
# What mypy checks in `make test` (pyproject.toml [tool.mypy]): the writes, the reads and the
# modules that hold one rule each; a pattern that matches nothing yet is dropped.
# (common/admin_services.py is the admin's mixin, not a service: django-stubs cannot type it.)
TYPED = $(filter-out common/admin_services.py,$(wildcard */services.py */selectors.py \
	*/*_services.py */*_selectors.py */scope.py */routing.py */deadlines.py */review.py */locks.py)) \
	activities/dashboard.py common/figures.py evaluations/scoring.py \
	notifications/issue14.py

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
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(PY) manage.py serve_demo --port $(PORT)

test: venv
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy $(TYPED)
	$(PY) -m pytest -n $(PYTEST_WORKERS)

lint: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the catalogues after changing user-visible strings (needs GNU gettext).
messages: venv
	$(PY) manage.py makemessages -l zh_Hans -l en --no-location --ignore=.venv --ignore=.venv-fuzz --ignore=var --ignore=static
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.venv-fuzz

# Issue 4's city-scale benchmark: builds the set with seed_bench (5,000 units, 1,000,000
# activities) unless it is there, serves it with gunicorn, loads each page at concurrency 4 for
# 15 s and prints one JSON line per page. Needs DATABASE_URL to PostgreSQL, in a database of its
# own (e.g. postgres://postgres@127.0.0.1:5432/chuangxian_bench; created if missing).
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--duration 30". README, "Benchmarks".
.PHONY: bench
bench: venv
	$(PY) bench/run.py $(BENCH_ARGS)

# Issue 5's delivery benchmark: 10,000 pending reminders e-mailed by two Celery workers through
# Redis to an SMTP sink on loopback. Needs DATABASE_URL (PostgreSQL; the bench works in its own
# database chuangxian_bench_reminders on that server) and REDIS_URL. README, "Benchmarks".
.PHONY: bench-reminders
bench-reminders: venv
	@$(PY) bench/reminders.py

# Issue 17's soak: the production stack (nginx TLS → gunicorn → PgBouncer → PostgreSQL, Redis, two
# Celery workers, beat) started on loopback ports of its own — never the machine's shared
# PostgreSQL or Redis — driven for SOAK_SECONDS (default 300) with faults injected; one JSON line,
# exit 1 when a bar is missed. Needs Debian's postgresql, redis-server, pgbouncer, nginx, openssl.
# deploy/README.md, "Proof: make soak".
SOAK_SECONDS ?= 300
.PHONY: soak test-pgbouncer
soak: venv
	SOAK_SECONDS=$(SOAK_SECONDS) $(PY) bench/soak.py

# The export and review tests against PostgreSQL behind PgBouncer (transaction pooling).
test-pgbouncer: venv
	$(PY) bench/pgbouncer_tests.py

# Issue 16's near-duplicate lookup: 1,000,000 random pHashes plus planted near-duplicates in a
# database of its own on DATABASE_URL's server (chuangxian_bench_evidence, created if missing;
# BENCH_ARGS="--database NAME" for another); prints one JSON line. README, "Benchmarks".
.PHONY: bench-evidence
bench-evidence: venv
	@$(PY) bench/evidence.py $(BENCH_ARGS)

# Issue 15: Schemathesis against the demo's API with an admin's and a staff member's token, every
# check on (.ci/schemathesis; its own virtual environment .venv-fuzz). README, "API".
.PHONY: fuzz-api
fuzz-api: venv
	.ci/schemathesis
