# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= palermo-data

.PHONY: demo test lint typecheck pytest install clean messages screenshots fuzz

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
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

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

# Extract the workspace's translatable strings and merge them into the catalogs of Arabic,
# French and Spanish (then translate the new entries; tests/web/test_i18n.py names any missing).
LOCALES := src/palermo/web/locales
messages: install
	$(BIN)/pybabel extract --mapping babel.cfg --no-location --sort-output --omit-header \
		--no-wrap --output-file $(LOCALES)/messages.pot src/palermo
	$(BIN)/pybabel update --input-file $(LOCALES)/messages.pot --output-dir $(LOCALES) \
		--no-wrap --no-fuzzy-matching --ignore-obsolete

# PNGs of the workspace's main pages at 1280×800 for the README (docs/screenshots/): a fresh
# demo world served on a free port, photographed in Debian's Chromium. Not part of `make test`.
screenshots: install
	$(BIN)/python -m scripts.screenshots --out docs/screenshots

clean:
	rm -rf $(VENV) .pytest_cache .pytest-tmp .mypy_cache .ruff_cache

# Long, coverage-guided fuzzing (atheris) of every parser of outside input, FUZZ_TIME seconds
# each; `make test` runs the short form (tests/fuzz). Findings go to .fuzz/TARGET/.
FUZZ_TIME ?= 300
fuzz: install
	$(BIN)/pip install --quiet -e '.[test,fuzz]'
	for target in $$($(BIN)/python -m scripts.fuzz --list); do \
		$(BIN)/python -m scripts.fuzz $$target --time $(FUZZ_TIME) || exit $$?; \
	done
