# participation: `make run` serves the demo, `make test` runs every test. Both set up from scratch.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := participation

.PHONY: run test test-db test-browser setup db demo translations i18n-update lint bench clean

run: setup db demo
	$(BIN)/flask --debug run --host 127.0.0.1 --port 5000

test: setup db
	$(BIN)/pytest

# The database tests only (no browser): CI runs them again with TEST_DATABASE_URL on PostgreSQL.
test-db: setup
	$(BIN)/pytest -m "not browser"

test-browser: setup
	$(BIN)/pytest -m browser

setup: $(VENV)/.installed translations

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,postgres]'
	touch $@

# Compiled catalogues (.mo) are build output; the .po files are committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations --statistics

db: $(VENV)/.installed
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo --if-empty

# After changing user-facing strings: extract, merge into every catalogue, fill English.
i18n-update: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_ngettext:1,2 --no-location --sort-output -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python tools/fill_english.py translations/en/LC_MESSAGES/messages.po
	rm -f messages.pot

lint: $(VENV)/.installed
	$(BIN)/ruff check participation tests tools bench

# Every bench/*.py but the helpers (bench/_*.py), each with its BENCH_ARGS_<name>. Here the
# metrics bench generates 200,000 events (make bench BENCH_ARGS_metrics= for the full million);
# one bench alone: make bench BENCHES=load BENCH_ARGS_load="--seconds 5".
BENCHES ?= $(basename $(notdir $(filter-out bench/_%,$(wildcard bench/*.py))))
BENCH_ARGS_metrics ?= --events 200000
bench: $(VENV)/.installed
	@$(foreach name,$(BENCHES),echo "== bench/$(name).py $(BENCH_ARGS_$(name))"; \
	  $(BIN)/python bench/$(name).py $(BENCH_ARGS_$(name));) true

clean:
	rm -rf $(VENV) instance/participation.sqlite3* .pytest_cache
