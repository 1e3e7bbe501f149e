# CX Align: `make run` serves the demo; `make test` runs the whole suite. Both set up .venv.
# `make dev` serves it with Django's debug pages and code reloading instead.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock requirements-dev.lock | cksum | cut -d' ' -f1)

# The test environment: PostgreSQL and Redis on this machine, production-like settings.
TEST_ENV := \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cxalign} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/15} \
	SECRET_KEY=test-only-secret-key-not-for-production-$$RANDOM$$RANDOM \
	DEBUG=false SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false \
	STATIC_MANIFEST=false DJANGO_ALLOW_ASYNC_UNSAFE=true CXALIGN_VAR_DIR=$(CURDIR)/var/test

# What `check --deploy` sees: the services mode's production settings with a real secret.
DEPLOY_ENV := DEBUG=false ALLOWED_HOSTS=cxalign.example.com \
	DATABASE_URL=postgres://cxalign@db.invalid:5432/cxalign \
	SECRET_KEY=deploy-check-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')

.PHONY: install run dev demo-data test pytest lint check chromium pdf-libs bench worker beat clean

$(STAMP): requirements.lock requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock -r requirements-dev.lock
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

# Where `make run` and `make dev` listen.
BIND ?= 127.0.0.1:8000

demo-data: install pdf-libs
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	@echo ""
	@echo "  CX Align runs at http://$(BIND)"
	@echo "  Demo logins (password cxalign-demo): admin, exec, cxlead, manager, member, viewer"
	@echo "  in northwind; outsider in globex. exec and cxlead also belong to globex."
	@echo ""

# The product on the embedded default: gunicorn, whitenoise serving the collected static files
# (hashed names, compressed, cached for a year), the branded error pages. One process with
# threads: the embedded mode keeps its cache (import progress, rate limits) in memory.
run: demo-data
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/gunicorn cxalign.wsgi:application --bind $(BIND) --worker-class gthread \
		--workers 1 --threads 8 --timeout 120 --access-logfile -

# For working on the code: Django's debug pages, static files straight from the source, reloads.
dev: demo-data
	DEBUG=true $(BIN)/python manage.py runserver $(BIND)

chromium:
	@command -v chromium >/dev/null || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core) >/dev/null \
		|| { echo "ERROR: chromium is missing and could not be installed (apt-get install -y chromium)"; exit 1; }; }

# The libraries WeasyPrint renders the planning brief's PDF with (no browser, no network).
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libs:
	@dpkg-query -W -f='$${Status}\n' $(PDF_LIBS) 2>/dev/null | grep -c "ok installed" | grep -qx 4 || { \
		echo "Installing the PDF libraries WeasyPrint needs..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(PDF_LIBS)) >/dev/null \
		|| { echo "ERROR: could not install $(PDF_LIBS) (apt-get install -y $(PDF_LIBS))"; exit 1; }; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	env -u DATABASE_URL -u REDIS_URL -u DEBUG -u SECRET_KEY CXALIGN_VAR_DIR=$(CURDIR)/var/check \
		$(BIN)/python manage.py makemigrations --check --dry-run
	env $(DEPLOY_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	@# The production static pipeline (hashed names, compression) must build.
	env -u DATABASE_URL $(DEPLOY_ENV) CXALIGN_VAR_DIR=$(CURDIR)/var/check \
		$(BIN)/python manage.py collectstatic --noinput -v0

test: install chromium pdf-libs lint check pytest

# Test processes (pytest-xdist, one per core, each with its own database, Redis database and
# var directory: tests/xdist_env.py); PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

# The suite alone (no lint), e.g. `make pytest PYTEST_ARGS="tests/orgs -x"`.
pytest: install pdf-libs
	@env $(TEST_ENV) $(BIN)/python scripts/check_services.py
	env $(TEST_ENV) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script --scale small || exit 1; done

worker: install
	$(BIN)/celery -A cxalign worker --loglevel=INFO

beat: install
	$(BIN)/celery -A cxalign beat --loglevel=INFO --schedule var/celerybeat-schedule

clean:
	rm -rf var/test var/staticfiles .pytest_cache
