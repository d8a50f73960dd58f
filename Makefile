# Hangzhou skilled-worker reward portal. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SYSTEM_PACKAGES := fonts-noto-cjk chromium poppler-utils

.DEFAULT_GOAL := help
.PHONY: help run test install system-deps migrate demo lint format bench bench-load prod nginx backup restore-drill clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed ## Create .venv/ and install the pinned dependencies

system-deps: ## Install Debian's CJK fonts, Chromium and poppler when missing (needs root)
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing system packages: $$missing (sudo apt-get install $$missing)"; fi; \
	fi

migrate: install ## Apply database migrations
	mkdir -p var
	$(PY) manage.py migrate --noinput

demo: migrate ## Load the 2022 notice, campaign, units, quotas and demo accounts
	$(PY) manage.py load_demo

run: system-deps demo ## Set up everything and serve the site at http://127.0.0.1:$(PORT)
	@echo "Site: http://127.0.0.1:$(PORT)/   admin: http://127.0.0.1:$(PORT)/admin/"
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py db_worker & \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: system-deps install ## Run the whole suite (lint, migrations check, pytest with browser tests)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install ## ruff lint
	$(VENV)/bin/ruff check .

format: install ## ruff format and autofix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install ## Benchmarks (see bench/README.md); LOAD=1 adds the load test of the crunch
	$(PY) bench/page_cache.py
	$(PY) bench/apply_flow.py
	$(PY) bench/notice_render.py
	$(PY) bench/review_list.py
	$(PY) bench/export_view.py
	@if [ "$(LOAD)" = 1 ]; then $(MAKE) --no-print-directory bench-load; fi

bench-load: install ## Load test with Locust against the `make prod` stack (started if not running)
	$(PY) bench/load/run.py $(LOAD_ARGS)

nginx: ## Install Debian's nginx when missing (needs root)
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing nginx-light"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
	  else echo "nginx is missing: sudo apt-get install nginx-light"; exit 1; fi; \
	fi

prod: system-deps install nginx ## Production stack on this machine: nginx, gunicorn, db_worker (deploy/prod.py)
	$(PY) deploy/prod.py $(PROD_ARGS)

backup: install ## Encrypted backup of the `make prod` stack (database and private files) into var/backups/
	$(PY) deploy/backup.py backup

restore-drill: install ## Restore the newest backup into a new database and folder, then look up and open a copy
	$(PY) deploy/backup.py drill $(DRILL_ARGS)

clean: ## Remove the virtualenv, the local database and uploads
	rm -rf $(VENV) var
