# djtranscribe: `make run` serves the app, `make test` runs the tests, `make bench` measures it.
# Each sets everything up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-postgres lint install install-dev migrate worker bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

## Set up, migrate (quietly), show the settings' warnings once, offer to create an admin user (first
## run, in a terminal), then serve the app on http://$(HOST):$(PORT) with the background worker
## beside it and print one box: the URL, how to log in, what is still missing. Ctrl-C stops both and
## exits 0 (scripts/run.py takes the terminal's Ctrl-C away from make, which would report an interrupt).
# Local development: DEBUG on unless DEBUG itself is set (environment or .env). Servers started any
# other way (gunicorn, manage.py) run with DEBUG off.
run worker migrate: export DJTRANSCRIBE_DEBUG_DEFAULT = true
# Without BASE_URL set, the app's own address follows PORT (make run PORT=8011).
run worker migrate: export DJTRANSCRIBE_DEFAULT_BASE_URL = http://$(HOST):$(PORT)
run: install
	@$(PY) manage.py migrate --noinput --skip-checks -v0
	@$(PY) manage.py collectstatic --noinput -v0
	@$(PY) manage.py first_run_setup
	@$(PY) manage.py schedule_retention --skip-checks -v0
	@HOST=$(HOST) PORT=$(PORT) PY=$(PY) exec $(PY) scripts/run.py

worker: migrate
	$(PY) manage.py schedule_retention
	$(PY) manage.py db_worker --queue-name '*' --no-reload

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install-dev
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

## The same tests against a throwaway PostgreSQL server (installed from Debian when missing).
test-postgres: install-dev
	bash scripts/with-postgres.sh $(MAKE) --no-print-directory test

## Benchmarks on loopback only (gunicorn, fakes of Twilio and AssemblyAI, moto's S3, 100,000 transcripts):
## prints one table and rewrites bench/RESULTS.md. Bounded: a few minutes. BENCH_ARGS=--quick for a smoke run.
## install-dev: the archive's part runs moto's S3 server (a test dependency).
bench: install-dev
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles test-artifacts bench/out
