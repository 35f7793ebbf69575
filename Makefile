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

.PHONY: run install test test-fast bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $@ $(STAMP_RUN)

# After the session, say how to get `coach` itself on the PATH when it is not: its messages name `coach resume`.
run: $(STAMP_RUN)
	@$(BIN)/coach start $(SET) --rep $(REP); status=$$?; \
	command -v coach >/dev/null 2>&1 || echo "coach is not on your PATH yet: run 'make install', or '. $(BIN)/activate' in this shell" >&2; \
	exit $$status

# `coach` on the PATH: with pipx or uv as an isolated tool when either is there, else a link in ~/.local/bin to
# .venv's coach (which then follows this checkout).
install:
	@if command -v pipx >/dev/null 2>&1; then pipx install --force .; \
	elif command -v uv >/dev/null 2>&1; then uv tool install --force .; \
	else $(MAKE) --no-print-directory $(STAMP_RUN) && mkdir -p "$(HOME)/.local/bin" && \
		link="$(HOME)/.local/bin/coach"; ours="$(CURDIR)/$(BIN)/coach"; \
		if [ "$$(readlink "$$link" 2>/dev/null)" = "$$ours" ]; then echo "$$link already links to $$ours"; \
		elif [ -e "$$link" ] || [ -L "$$link" ]; then \
			echo "$$link exists and is not this checkout's coach: left alone (remove it, then run make install again)" >&2; \
			exit 1; \
		else ln -s "$$ours" "$$link" && \
			echo "linked $$link to $$ours (put ~/.local/bin on your PATH if it is not)"; fi; fi
	@echo "then: coach --version; shell completion: coach completion --help"

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
