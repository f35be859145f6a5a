# Two commands for a newcomer: `make run` and `make test`. Everything else is what they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PORT ?= 5000
SHIPPED := surveys/definitions/biotech-2026.yaml
MARGINS := surveys/definitions/margins-nl-adults.csv

.PHONY: run test setup database lint unit clean translations compile-translations

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

# Gettext catalogues: the web app's (domain `messages`) and the questionnaire language's
# (domain `surveys`). `make translations` after changing interface text; then translate the new
# entries in the nl .po files (the test suite fails while one lacks a Dutch text).
PYBABEL := $(BIN)/pybabel
EXTRACT := $(PYBABEL) -q extract --project=Consult --no-wrap --sort-by-file
UPDATE := $(PYBABEL) -q update --no-wrap --ignore-obsolete --ignore-pot-creation-date

setup: $(INSTALLED) compile-translations

translations: $(INSTALLED)
	$(EXTRACT) -F babel.cfg -o consult/translations/messages.pot .
	$(UPDATE) -D messages -i consult/translations/messages.pot -d consult/translations
	$(EXTRACT) -F surveys/babel.cfg -o surveys/translations/surveys.pot surveys
	$(UPDATE) -D surveys -i surveys/translations/surveys.pot -d surveys/translations

compile-translations: $(INSTALLED)
	$(PYBABEL) compile --statistics -d consult/translations -D messages
	$(PYBABEL) compile --statistics -d surveys/translations -D surveys

database: setup
	$(BIN)/consult db upgrade
	$(BIN)/consult surveys load $(SHIPPED) --open
	$(BIN)/consult waves margins biotech-2026 $(MARGINS)

run: database
	$(BIN)/consult serve --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# One test process per core (pytest-xdist): TEST_WORKERS=0 runs them all in this process.
TEST_WORKERS ?= auto
unit: setup
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

test: lint unit

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
