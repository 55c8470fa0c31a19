# Kouprey: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export KOUPREY_DATA_DIR ?= $(CURDIR)/var

.PHONY: install demo test test-sqlite test-postgres lint check-migrations docs lock clean serve vendor

$(BIN)/kouprey: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(BIN)/kouprey

install: $(BIN)/kouprey  ## create .venv with every pinned dependency

demo: install  ## set up the embedded database with the demo data and start Kouprey
	$(BIN)/kouprey init
	$(BIN)/kouprey demo --admin-password-file $(KOUPREY_DATA_DIR)/demo-password
	KOUPREY_DEMO=1 $(BIN)/kouprey serve --host 127.0.0.1 --port 8000

serve: install
	$(BIN)/kouprey serve

test: install lint check-migrations test-sqlite test-postgres  ## the whole suite

test-sqlite:
	KOUPREY_DATABASE_URL= $(BIN)/pytest

# Runs when KOUPREY_TEST_POSTGRES_URL names a server (.ci/run starts one); skipped otherwise.
test-postgres:
	@if [ -n "$$KOUPREY_TEST_POSTGRES_URL" ]; then \
	  echo "== the suite again on PostgreSQL"; \
	  KOUPREY_DATABASE_URL=$$KOUPREY_TEST_POSTGRES_URL $(BIN)/pytest; \
	else echo "KOUPREY_TEST_POSTGRES_URL is not set: the PostgreSQL run is skipped (CI sets it)."; fi

lint: install
	$(BIN)/ruff check kouprey tests bench
	$(BIN)/mypy kouprey
	$(BIN)/bandit -q -c pyproject.toml -r kouprey

check-migrations: install
	KOUPREY_DATABASE_URL=sqlite:///$(KOUPREY_DATA_DIR)/migration-check.sqlite3 \
	  $(BIN)/python manage.py makemigrations --check --dry-run

docs: install  ## regenerate docs/cli.md from the commands' --help
	$(BIN)/python -m kouprey.clidocs > docs/cli.md

lock:  ## re-pin every dependency after editing pyproject.toml
	$(BIN)/pip install --quiet uv && $(BIN)/uv pip compile pyproject.toml --extra dev \
	  --python-version 3.11 -o requirements.lock

vendor:  ## re-copy htmx and the fonts from npm (versions in package.json) into kouprey/web/static
	npm ci --no-audit --no-fund && npm run vendor

clean:
	rm -rf $(VENV) var
