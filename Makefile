# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format bench clean seed

$(BIN)/ccm: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(BIN)/ccm

run: $(BIN)/ccm
	$(BIN)/ccm attendance lima

lint: $(BIN)/ccm
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

format: $(BIN)/ccm
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

bench: $(BIN)/ccm
	$(BIN)/python bench/run_all.py

# Rebuild data/ from data/research and data/curated (the test suite checks it is up to date).
seed: $(BIN)/ccm
	$(BIN)/python tools/build_seed.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
