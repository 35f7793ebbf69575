# Two entry points for a newcomer: `make run` and `make test`. Both set up .venv when it is missing.
# `make test-fast` runs the same checks but leaves out the long proofs (tests marked slow).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
PY_DIRS := src tests $(wildcard bench scripts)
SET ?= stalled-deal
REP ?= Ana

.PHONY: run test test-fast bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/coach start $(SET) --rep $(REP)

define static_checks
$(BIN)/ruff check $(PY_DIRS)
$(BIN)/ruff format --check $(PY_DIRS)
$(BIN)/mypy
endef

test: $(STAMP_TEST)
	$(static_checks)
	$(BIN)/python -m pytest

test-fast: $(STAMP_TEST)
	$(static_checks)
	$(BIN)/python -m pytest -m "not slow"

bench: $(STAMP_TEST)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

screenshots: $(STAMP_TEST)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
