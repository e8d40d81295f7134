# Beteiligungskarte: `make run` serves the portal, `make test` runs the whole suite.
# Both install what is missing (Debian packages, the virtualenv, npm assets), start the
# private PostGIS cluster under var/ (unless DATABASE_URL names another), migrate and
# load the demo data. A second run skips what is already done.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=
LOAD_ARGS ?=

PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)

.PHONY: help run test bench load stop setup system-deps db migrate demo-data check lint format messages makemessages requirements clean-db

help:
	@echo "make run     set everything up and serve on http://$(HOST):$(PORT)"
	@echo "make test    set everything up and run the whole test suite"
	@echo "make bench   set everything up, load 1,000,000 synthetic reports and benchmark (BENCH_ARGS=...)"
	@echo "make load    set everything up and run the locust load test on loopback (LOAD_ARGS=...)"
	@echo "make stop    stop the private PostgreSQL cluster"
	@echo "make lint    ruff and mypy"

run: setup demo-data
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(MANAGE) runserver $(HOST):$(PORT)

test: setup demo-data lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The benchmark has a database of its own; BENCH_ARGS passes options, e.g. BENCH_ARGS="--rows 20000 --seconds 3".
bench: export BK_PG_DATABASE := beteiligungskarte_bench
bench: setup demo-data
	$(PY) bench/run.py --command "make bench$(if $(BENCH_ARGS), BENCH_ARGS=\"$(BENCH_ARGS)\")" $(BENCH_ARGS)

# The load test has a database of its own too; LOAD_ARGS passes options, e.g. LOAD_ARGS="--users 40 --seconds 60".
load: export BK_PG_DATABASE := beteiligungskarte_load
load: setup demo-data
	$(PY) bench/load.py --command "make load$(if $(LOAD_ARGS), LOAD_ARGS=\"$(LOAD_ARGS)\")" $(LOAD_ARGS)

stop:
	scripts/pg.sh stop

setup: system-deps $(VENV)/.installed node_modules/.installed locale/.compiled db migrate

system-deps:
	@scripts/system-deps.sh

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

locale/.compiled: $(PO_FILES) $(VENV)/.installed
	$(MANAGE) compilemessages --ignore '.venv' --ignore 'node_modules' --ignore 'var' -v 0
	@touch $@

db:
	@scripts/pg.sh start

migrate:
	$(MANAGE) migrate --noinput -v 0

demo-data:
	$(MANAGE) load_demo_data

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Collect the German message ids of code and templates into the English catalogue.
makemessages:
	$(MANAGE) makemessages --locale en --no-obsolete --add-location file --ignore 'node_modules/*' --ignore '.venv/*' --ignore 'var/*'

requirements:
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links --allow-unsafe -o requirements.txt requirements.in

clean-db: stop
	rm -rf var/pgdata var/run
