# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= palermo-data

.PHONY: demo test lint typecheck pytest install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/palermo --data-dir $(DATA_DIR) demo

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

# The suite runs on SQLite always and on PostgreSQL when PALERMO_TEST_DATABASE_URL is set.
pytest: install
	$(BIN)/pytest -q
	@if [ -n "$$PALERMO_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$PALERMO_TEST_DATABASE_URL)"; \
		PALERMO_TEST_BACKEND=postgresql $(BIN)/pytest -q; \
	else \
		echo "== PostgreSQL run skipped: PALERMO_TEST_DATABASE_URL is not set"; \
	fi

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
