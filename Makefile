# leadmodel developer tasks. `make test` is what CI runs (via .ci/run).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

VENV    := .venv
BIN     := $(VENV)/bin
PY      := $(BIN)/python
STAMP   := $(VENV)/.installed
EXTRAS  := all,dev

# `make demo` gets a venv of its own with only what the demo needs (the library, its `cli`
# and `plot` extras): no development tools. `make test` uses .venv with everything.
DEMO_VENV  := .venv-demo
DEMO_STAMP := $(DEMO_VENV)/.installed
DEMO_EXTRAS := cli,plot

# Silence mkdocs-material's end-of-life banner in build logs (it is not a build warning).
export NO_MKDOCS_2_WARNING := 1

# First interpreter on PATH that is Python >= 3.11 (evaluated lazily, only when a venv is made).
PYTHON_CANDIDATES := python3 python3.13 python3.12 python3.11
FIND_PYTHON = $(shell for p in $(PYTHON_CANDIDATES); do \
	  if command -v $$p >/dev/null 2>&1 && \
	     $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	    echo $$p; break; \
	  fi; \
	done)

.PHONY: install test lint typecheck pytest unit docs examples demo bench format docs-serve clean distclean

## install: create .venv and install leadmodel[all,dev] in editable mode
install: $(STAMP)

# make-venv VENV EXTRAS: the venv at VENV with leadmodel[EXTRAS] installed in editable mode
define make-venv
	@py="$(FIND_PYTHON)"; \
	if [ -z "$$py" ]; then \
	  echo "error: Python >= 3.11 is required; none of '$(PYTHON_CANDIDATES)' on PATH qualifies." >&2; \
	  echo "       Install one (e.g. 'apt-get install python3 python3-venv') and retry." >&2; \
	  exit 1; \
	fi; \
	if [ ! -x "$(1)/bin/python" ]; then \
	  echo ">>> creating $(1) with $$py ($$($$py --version))"; \
	  $$py -m venv $(1); \
	fi
	$(1)/bin/python -m pip install --quiet --upgrade pip
	@# uv is much faster than pip; fall back to pip if uv cannot be installed or fails to resolve.
	@if $(1)/bin/python -m pip install --quiet uv && \
	    $(1)/bin/uv pip install --python $(1)/bin/python -e '.[$(2)]'; then \
	  echo ">>> installed with uv"; \
	else \
	  echo ">>> uv unavailable or failed; falling back to pip" >&2; \
	  $(1)/bin/python -m pip install -e '.[$(2)]'; \
	fi
	touch $@
endef

$(STAMP): pyproject.toml
	$(call make-venv,$(VENV),$(EXTRAS))

$(DEMO_STAMP): pyproject.toml
	$(call make-venv,$(DEMO_VENV),$(DEMO_EXTRAS))
	@# uv was the installer, not a need of the demo: keep its venv small
	$(DEMO_VENV)/bin/python -m pip uninstall --quiet --yes uv

## test: everything CI checks, stopping at the first failure
test: lint typecheck pytest docs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict src tests examples/service examples/*.py

# Collects tests/ (including tests/e2e/test_examples.py, which runs examples/), doctests in
# src/leadmodel modules, and doctests in docs/*.md and README.md (see [tool.pytest.ini_options]).
pytest: $(STAMP)
	$(BIN)/pytest

## unit: only tests/unit (pure domain and serde: no databases, no subprocesses), 20 examples a
## property: the quick loop while editing; `make test` runs everything with the full profile
unit: $(STAMP)
	$(BIN)/pytest tests/unit --hypothesis-profile=leadmodel-quick

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

## examples: run only the example scripts (already part of `make test` via pytest)
examples: $(STAMP)
	$(BIN)/pytest tests/e2e/test_examples.py

## demo: the main job at a realistic size on embedded SQLite, in a venv of its own (.venv-demo)
demo: $(DEMO_STAMP)
	$(DEMO_VENV)/bin/leadmodel demo

bench: $(STAMP)
	$(PY) benchmarks/run.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs-serve: $(STAMP)
	$(BIN)/mkdocs serve

## clean: remove build outputs and tool caches (keeps .venv)
clean:
	rm -rf site dist build .mypy_cache .ruff_cache .pytest_cache .hypothesis .benchmarks
	find . \( -path ./$(VENV) -o -path ./$(DEMO_VENV) \) -prune -o -name '__pycache__' -type d -exec rm -rf {} +
	find . \( -path ./$(VENV) -o -path ./$(DEMO_VENV) \) -prune -o -name '*.egg-info' -type d -exec rm -rf {} +

## distclean: clean, and remove the virtualenv too
distclean: clean
	rm -rf $(VENV) $(DEMO_VENV)
