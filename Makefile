# Two commands on a fresh machine (see README):
#   make demo   installs programmacheck into .venv and scans the bundled sample corpus
#   make test   runs the test suite
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin

.PHONY: demo install test lint wheel-check

demo: install
	$(BIN)/programmacheck scan corpus/samples --out out/samples

install: $(VENV)/.installed

# torch first, pinned: pip then takes the CPU wheel from this machine's disk instead of a CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

test: install
	$(BIN)/python -m pytest

# Formatting, lint rules, types and the layering of the modules (configured in pyproject.toml).
lint: install
	$(BIN)/ruff format --check src tests benchmarks scripts docs
	$(BIN)/ruff check src tests benchmarks scripts docs
	$(BIN)/mypy
	$(BIN)/lint-imports

# Build the wheel, install it in a fresh venv outside the checkout and scan with it.
wheel-check: install
	bash scripts/wheel_check.sh
