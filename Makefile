# The portal's commands. Quick start: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6.1 needs Python 3.12+. PYTHON=... overrides; otherwise the first that really runs and is
# new enough of: python3.13, python3.12, python3, then pyenv's installed versions (newest first).
# A candidate is run, not just looked up: a pyenv shim exists even when its version is not active.
define find_python
candidates="$(PYTHON)"; \
[ -n "$$candidates" ] || candidates="python3.13 python3.12 python3 \
    $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV)"; \
for candidate in $$candidates; do \
  if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v "$$candidate"; exit 0; \
  fi; \
done; exit 1
endef

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@py=$$($(find_python)) || { \
	  echo "ERROR: Python 3.12 or newer is needed (Django 6.1 requires it), and none was found."; \
	  echo "Looked for: $${PYTHON:-python3.13, python3.12, python3 and ~/.pyenv/versions/3.12+}."; \
	  echo "Install Python 3.12+ or run: make run PYTHON=/path/to/python3.12"; exit 1; }; \
	echo "Creating $(VENV) with $$py ($$($$py --version))"; \
	"$$py" -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changed: a second `make run` starts at once.
$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned requirements

migrate: install ## Apply database migrations, then load the CAR-T content (therapy_info/content/)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input
	@# Creates what is missing, updates what editors have not changed, never overwrites their edits.
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_content

run: migrate ## Serve the portal on http://127.0.0.1:8000 (SQLite unless DATABASE_URL is set)
	@echo ""
	@echo "  The portal:  http://$(HOST):$(PORT)/"
	@echo "  The admin:   http://$(HOST):$(PORT)/$${ADMIN_URL:-admin/}"
	@echo "  No administrator exists until you create one:  make superuser"
	@echo "  A back-office account in a role:  make user ROLE=coordinator EMAIL=you@example.org"
	@echo "  Emails are sent by the task worker started alongside and printed here (console)."
	@echo ""
	@# The task worker runs in the background and stops with the server (Ctrl+C stops both).
	@# Email links (SITE_URL, unless set) point to the address served here (portal/settings.py).
	export SERVED_URL=http://$(HOST):$(PORT); \
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py task_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

superuser: migrate ## Create an administrator account (asks for a password; there is no default)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py createsuperuser

.PHONY: user
user: migrate ## Create a staff account in a role: make user ROLE=coordinator|lead|content_editor EMAIL=…
	@[ -n "$(ROLE)" ] && [ -n "$(EMAIL)" ] || { echo "Usage: make user ROLE=coordinator EMAIL=you@example.org"; exit 1; }
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py create_staff_user --role "$(ROLE)" --email "$(EMAIL)"

serve: migrate ## Serve with gunicorn and production-like settings (DEBUG off) on 127.0.0.1
	@# Plain http on loopback: no redirect to https (a TLS proxy does that in production).
	@export SECRET_KEY=$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}; \
	export SERVED_URL=http://$(HOST):$(PORT); \
	export SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false}; \
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0 && \
	$(BIN)/gunicorn portal.wsgi:application --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} \
	  --access-logfile - --error-logfile -

test: install ## Run the whole test suite (SQLite unless DATABASE_URL is set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-browser: install ## Run only the real-browser journeys (Debian's Chromium)
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: install ## ruff lint and format check, migrations check, Django's system checks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=true $(BIN)/python manage.py check --fail-level WARNING

format: install ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

scan: install ## Mozilla HTTP Observatory scan of production settings over TLS on 127.0.0.1 (root)
	bash scripts/scan.sh

lighthouse: install ## Lighthouse scores (phone) of the public pages under production settings; PAGES="/en/ …"
	PAGES="$(PAGES)" bash scripts/lighthouse.sh

bench: install ## Requests/s, p50, p99 of the main pages vs a bare view (gunicorn, wrk; DATABASE_URL), admin list and matching CPU ms
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

burst: install ## 1,000 submissions on PostgreSQL: nothing lost, each email once, with mail down and a worker killed
	$(BIN)/python scripts/burst.py $(BURST_ARGS)

.PHONY: messages
messages: install ## Update the translation catalogs (locale/) from the code and compile them
	@# Extracting needs GNU gettext (apt-get install gettext), a developer's tool only; compiling is
	@# pure Python (polib) and the compiled .mo files are committed, so running needs neither.
	@if command -v xgettext >/dev/null; then \
	  DEBUG=true $(BIN)/python manage.py makemessages -l zh_Hans -l ru -l ar --no-obsolete \
	    --add-location=file --ignore=.venv --ignore=scripts --ignore=tests --ignore=staticfiles \
	    --ignore=test-artifacts; \
	else echo "xgettext not found: compiling the catalogs as they are (apt-get install gettext to extract)"; fi
	DEBUG=true $(BIN)/python manage.py compile_catalogs

ci: ## What CI runs: .ci/run
	bash .ci/run

clean: ## Remove the virtualenv, the SQLite database and collected static files
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles

.PHONY: help install migrate run superuser serve test test-browser lint format scan lighthouse bench burst ci clean
