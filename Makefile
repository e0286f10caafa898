# One command to run the demo, one to run every test (README). Each makes its own virtualenv.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: setup system-deps demo test lint bench

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

system-deps:
	bash scripts/install-system-deps.sh

demo: setup
	$(VENV)/bin/kithkin demo --home demo-home

lint: setup
	$(VENV)/bin/ruff check src tests bench

test: setup system-deps lint
	$(VENV)/bin/pytest -q -p no:cacheprovider
