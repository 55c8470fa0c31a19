# Kouprey: the two commands a newcomer needs are `make demo` and `make test`.
# Python 3.11 is required (pyproject.toml); prefer it by name when several are installed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# uv only installs the pinned requirements.lock faster than pip; pip is the fallback.
UV_VERSION := 0.13.8
export KOUPREY_DATA_DIR ?= $(CURDIR)/var
# The demo's port: `make demo PORT=8080` when 8000 is taken.
PORT ?= 8000

.PHONY: install demo serve test lint check-migrations test-sqlite test-postgres docs messages vendor lock clean

$(BIN)/kouprey: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	if $(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); then \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock && \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . ; \
	else \
	  $(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock && \
	  $(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e . ; \
	fi
	touch $@

install: $(BIN)/kouprey  ## create .venv with every pinned dependency

demo: install  ## set up the embedded database with the demo data and start Kouprey
	$(BIN)/kouprey init
	$(BIN)/kouprey demo --admin-password-file $(KOUPREY_DATA_DIR)/demo-password
	KOUPREY_DEMO=1 KOUPREY_BASELINE_UNTIL=2018-01-31 $(BIN)/kouprey serve --host 127.0.0.1 --port $(PORT)

serve: install  ## start Kouprey on the configured database
	$(BIN)/kouprey serve

# The whole suite. Every step runs even when an earlier one fails, so one run shows every
# problem; the exit status is non-zero if any step failed. The last output on success is
# pytest's summary line (of the PostgreSQL run when it happens, else of the SQLite run).
test: install  ## lint, migrations check, the tests on SQLite and on PostgreSQL
	@failed=0; \
	$(MAKE) --no-print-directory lint || failed=1; \
	$(MAKE) --no-print-directory check-migrations || failed=1; \
	if [ -z "$$KOUPREY_TEST_POSTGRES_URL" ]; then \
	  echo "== KOUPREY_TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped (.ci/run sets it)"; \
	fi; \
	$(MAKE) --no-print-directory test-sqlite || failed=1; \
	if [ -n "$$KOUPREY_TEST_POSTGRES_URL" ]; then \
	  $(MAKE) --no-print-directory test-postgres || failed=1; \
	fi; \
	exit $$failed

lint: install  ## ruff, mypy, bandit (all three run; fails if any fails)
	@failed=0; \
	echo "== ruff check kouprey tests $(wildcard bench)"; \
	$(BIN)/ruff check kouprey tests $(wildcard bench) || failed=1; \
	echo "== mypy kouprey"; \
	$(BIN)/mypy kouprey || failed=1; \
	echo "== bandit -r kouprey"; \
	$(BIN)/bandit -q -c pyproject.toml -r kouprey || failed=1; \
	exit $$failed

check-migrations: install  ## fail when a model changed without a migration
	@echo "== makemigrations --check"
	KOUPREY_DATABASE_URL=sqlite:///$(KOUPREY_DATA_DIR)/migration-check.sqlite3 \
	  $(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: install
	@echo "== pytest on SQLite"
	KOUPREY_DATABASE_URL= $(BIN)/pytest

# Needs KOUPREY_TEST_POSTGRES_URL, a role that may create databases (pytest-django creates
# test_<name>); .ci/run starts a private server and sets it.
test-postgres: install
	@test -n "$$KOUPREY_TEST_POSTGRES_URL" || { echo "KOUPREY_TEST_POSTGRES_URL is not set" >&2; exit 1; }
	@echo "== pytest on PostgreSQL"
	KOUPREY_DATABASE_URL=$$KOUPREY_TEST_POSTGRES_URL $(BIN)/pytest

docs: install  ## regenerate docs/cli.md from the commands' --help
	$(BIN)/python -m kouprey.clidocs > docs/cli.md.tmp && mv docs/cli.md.tmp docs/cli.md

# Needs GNU gettext (apt-get install gettext); the compiled .mo is committed, so running
# Kouprey does not. Strings left without a Khmer translation show in English.
messages: install  ## update the Khmer catalogue from the source, then compile it (docs/translation.md)
	cd kouprey && ../$(BIN)/python ../manage.py makemessages -l km --no-obsolete \
	  --add-location=file --ignore=migrations --ignore=static
	cd kouprey && ../$(BIN)/python ../manage.py compilemessages -l km

# Needs Node.js and npm; the copied files are committed, so running Kouprey does not.
vendor:  ## re-copy the front-end assets (htmx, fonts) pinned in package-lock.json
	npm ci --no-audit --no-fund && npm run vendor

lock:  ## re-pin every dependency after editing pyproject.toml
	$(BIN)/pip install --quiet uv==$(UV_VERSION) && $(BIN)/uv pip compile pyproject.toml \
	  --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var
