# Qunshang on a fresh machine: `make demo` or `make test` (each installs into .venv first).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
EXAMPLES := $(wildcard examples/*/pyproject.toml)
STAMP := $(VENV)/.qunshang-installed
# `make test` runs the suite on SQLite, then on this PostgreSQL database (dropped and recreated);
# when no server answers there, the database tests of the second run skip and say why.
PG_TEST_DATABASE ?= postgres://postgres@127.0.0.1:5432/qunshang_test
# e.g. `make test PYTEST_ARGS=tests/core/test_cli.py`
PYTEST_ARGS ?=

.PHONY: install demo test

install: $(STAMP)

# Reinstalls when the packaging or an example plugin changes; new modules need no reinstall (editable).
$(STAMP): pyproject.toml setup.py $(EXAMPLES)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing Qunshang and the example plugins into $(VENV)…"
	$(PIP) install -e ".[test,redis]"
	$(foreach project,$(dir $(EXAMPLES)),$(PIP) install -e $(project) &&) true
	@touch $@

demo: $(STAMP)
	$(BIN)/qunshang demo

# Slow tests (wheel build, servers in subprocesses) use no test database: the second run skips them.
test: $(STAMP)
	@echo "== tests on SQLite =="
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@echo "== tests on PostgreSQL ($(PG_TEST_DATABASE)) =="
	QUNSHANG_TEST_DATABASE=$(PG_TEST_DATABASE) $(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)
