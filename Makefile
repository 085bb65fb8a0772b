# `make demo`, `make check` and `make test` each set up what they need in .venv, from the lock file
# (constraints.txt): the demo installs only what ecsops needs to run, the tests add their tools. Nothing is
# installed that the lock does not pin, the build backend included, so a new release upstream changes
# nothing here until `make lock` is run on purpose.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
LOCK   := constraints.txt
UV     := uv==0.13.9
# PIP_CONSTRAINT (not -c) so that pip's isolated build environment is pinned too.
PIP    := PIP_CONSTRAINT=$(abspath $(LOCK)) $(BIN)/python -m pip install --quiet --disable-pip-version-check
PYTEST := $(BIN)/python -m pytest -n auto

.PHONY: demo check test lock clean verify-cloud

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.test: pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP) -e '.[test]'
	touch $@ $(VENV)/.runtime

demo: $(VENV)/.runtime
	cd examples/quickstart && ../../$(BIN)/ecsops apply --yes --backend emulator stack.yaml
	cd examples/quickstart && ../../$(BIN)/ecsops plan --detailed-exitcode --backend emulator stack.yaml

# Everything but the slow reliability trials (tests marked `slow`), type checks and import layers
# included: the loop to run while working.
check: $(VENV)/.test
	$(PYTEST) -m "not slow"

# Everything: what CI runs.
test: $(VENV)/.test
	$(PYTEST)

# The shape tests against a real account instead of the emulator (what they need and create: tests/support/verify.py).
verify-cloud: $(VENV)/.test
	ECSOPS_VERIFY_CLOUD=1 $(BIN)/python -m pytest -p tests.support.verify -rP tests/emulator/test_shapes.py

# Refreshes the lock to the newest releases the ranges in pyproject.toml allow (for Python 3.10 and newer).
# Commit the result on its own, after `make test` passes on it.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check '$(UV)'
	printf 'setuptools>=68\nwheel\n' | $(BIN)/python -m uv pip compile --quiet pyproject.toml - --extra test \
		--universal --python-version 3.10 --upgrade --custom-compile-command 'make lock' -o $(LOCK)

clean:
	rm -rf $(VENV) .mypy_cache examples/*/.ecsops
