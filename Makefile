# Two commands for a newcomer: `make run` and `make test`. Everything else is what they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PORT ?= 5000
SHIPPED := surveys/definitions/biotech-2026.yaml
MARGINS := surveys/definitions/margins-nl-adults.csv

.PHONY: run test setup database lint unit clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

setup: $(INSTALLED)

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

unit: setup
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint unit

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
