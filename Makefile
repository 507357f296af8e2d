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

# The suite runs on SQLite always and on PostgreSQL when PALERMO_TEST_DATABASE_URL is set: the
# two passes side by side (one core each), PostgreSQL's report printed after SQLite's.
pytest: install
	@if [ -n "$$PALERMO_TEST_DATABASE_URL" ]; then \
		mkdir -p .pytest-tmp; \
		echo "== on SQLite, and on PostgreSQL ($$PALERMO_TEST_DATABASE_URL) alongside"; \
		PALERMO_TEST_BACKEND=postgresql $(BIN)/pytest -q -p no:cacheprovider \
			--basetemp=.pytest-tmp/postgresql > .pytest-tmp/postgresql.log 2>&1 & pg=$$!; \
		$(BIN)/pytest -q --basetemp=.pytest-tmp/sqlite; sqlite=$$?; \
		wait $$pg; postgresql=$$?; \
		echo "== on PostgreSQL"; cat .pytest-tmp/postgresql.log; \
		exit $$(( sqlite || postgresql )); \
	else \
		$(BIN)/pytest -q || exit $$?; \
		echo "== PostgreSQL run skipped: PALERMO_TEST_DATABASE_URL is not set"; \
	fi

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .pytest_cache .pytest-tmp .mypy_cache .ruff_cache
