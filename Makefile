# One command per job. `make help` lists them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
SHELL := /bin/bash
PORT ?= 8000
.SHELLFLAGS := -eu -o pipefail -c
# pip's machine-wide config names local indexes that may be absent: hide that noise only.
QUIET_PIP := 2>&1 | { grep -v "^WARNING: Location .* is ignored" || true; }

.DEFAULT_GOAL := help
.PHONY: help install system-packages run migrate seed test test-fast lint audit format check-deploy worker benchmark bench clean

help:  ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip $(QUIET_PIP)
	$(PY) -m pip install --quiet -e ".[dev]" $(QUIET_PIP)
	touch $(STAMP)

install: $(STAMP)  ## Create the virtual environment and install everything

migrate: install  ## Apply database migrations (and create the public pages' cache table)
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py createcachetable

seed: migrate  ## Load the demo data (idempotent)
	DEBUG=true $(PY) manage.py seed_demo

run: seed  ## Set up everything and serve at http://127.0.0.1:8000 (PORT=8001 for another port)
	DEBUG=true SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Debian packages the whole suite needs: Chromium (browser tests), poppler-utils (PDF pictures),
# libharfbuzz-subset0 (WeasyPrint embeds fonts with it). Installed when run as root; otherwise
# the one command to run is printed and nothing else happens.
SYSTEM_PACKAGES := chromium poppler-utils libharfbuzz-subset0
system-packages:  ## Install the Debian packages the whole suite needs (as root), or say how
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done | xargs); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing $$missing"; apt-get update -qq; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The tests need Debian packages that are not installed. Run this, then make test again:"; \
	    echo "  sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

test: install system-packages  ## Run the whole test suite (installs the Debian packages it needs)
	DJANGO_SETTINGS_MODULE=tce_portal.test_settings $(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-fast: install  ## The quick loop: every test but the browser and PDF-rendering ones
	$(BIN)/pytest -n 2 -m "not browser and not pdf" $(PYTEST_ARGS)

lint: install  ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

audit: install  ## Security checks: bandit against the reviewed findings, and pip-audit
	$(BIN)/bandit -q -r accounts partnerships reports tce_portal -x "*/migrations/*" -b bandit-baseline.json
	@out=$$($(BIN)/pip-audit --progress-spinner off --skip-editable 2>&1) && status=0 || status=$$?; \
	echo "$$out" | grep -v "could not be audited" || true; \
	skipped=$$(echo "$$out" | grep -c "could not be audited" || true); \
	if [ "$$skipped" -gt 0 ]; then \
	  echo "pip-audit: $$skipped packages could not be looked up (no access to PyPI's vulnerability data from here): they were NOT audited."; \
	fi; \
	exit $$status

format: install  ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: install  ## Django's deployment checks with production-like settings
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=tce.example.org $(PY) manage.py check --deploy --fail-level WARNING

worker: install  ## Run the background task worker (database task back end)
	$(PY) manage.py db_worker

benchmark: seed  ## Time the East Sussex PDF render (ARGS="--runs 20" or "--compendium 2020")
	DEBUG=true $(PY) manage.py benchmark_pdf $(ARGS)

bench: install  ## Benchmark the public pages at 50 and 10,000 reports (BENCH_REPORTS=...; bench/README.md)
	$(PY) bench/run.py

clean:  ## Remove the virtual environment and local data
	rm -rf $(VENV) var
