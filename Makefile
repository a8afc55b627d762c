# Jincai — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
XDIST  ?= 2
export JINCAI_DATA_DIR ?= $(CURDIR)/var

-include ops/opensearch/opensearch.mk

.PHONY: run test venv lint messages clean test-intranet test-extranet test-e2e

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

## Start the whole system on the embedded default (SQLite, file broker, local ferries).
run: venv
	$(BIN)/python ops/devstack.py

## The whole suite: each deployment's tests under its own settings, then the browser tests.
test: venv
	$(MAKE) --no-print-directory -k test-intranet test-extranet test-e2e

# Tests run in their own data dir so they never touch the demo's state.
TEST_ENV := JINCAI_DATA_DIR=$(JINCAI_DATA_DIR)/test

test-intranet: venv
	$(TEST_ENV) $(BIN)/python -m pytest --ds=intranet.settings -n $(XDIST) tests/common tests/intranet tests/exchange tests/core_finance tests/search tests/guardrails

test-extranet: venv
	$(TEST_ENV) $(BIN)/python -m pytest --ds=extranet.settings -n $(XDIST) tests/extranet

test-e2e: venv
	$(TEST_ENV) $(BIN)/python -m pytest --ds=intranet.settings tests/e2e

lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## Extract UI strings and compile the catalogues (needs GNU gettext for extraction).
messages: venv
	$(BIN)/python ops/compile_messages.py --extract

clean:
	rm -rf $(JINCAI_DATA_DIR)
