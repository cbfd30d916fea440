# Minsheng: `make run` starts the whole stack, `make test` runs the suite. Both set up first.
# Python 3.12: see docs/development.md.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: setup run test lint bench bench-full clean

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: set PYTHON=/path/to/python3.12"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,lint]"
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

run: setup
	$(BIN)/minsheng dev

# One test process per core (pytest-xdist); a module's tests stay together, sharing its fixtures.
test: setup
	$(BIN)/pytest -n auto --dist loadscope

# The house rules: ruff (lint and format), mypy, and the layers' import contracts.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: setup
	$(BIN)/python -m bench

bench-full: setup
	$(BIN)/python -m bench --count 100000 --wave 10000

clean:
	rm -rf $(VENV) var .pytest_cache
