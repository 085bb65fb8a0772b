# `make test` and `make demo` each set up what they need: a virtual environment in .venv with ecsops
# installed in editable mode (plus the test tools), rebuilt whenever pyproject.toml changes.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest

demo: $(STAMP)
	cd examples/quickstart && ../../$(BIN)/ecsops apply --yes stack.yaml
	cd examples/quickstart && ../../$(BIN)/ecsops plan --detailed-exitcode stack.yaml

clean:
	rm -rf $(VENV) examples/*/.ecsops
