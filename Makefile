# Two commands for a fresh clone: `make demo` and `make test`.

PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STORE ?= var/store
HOST ?= 127.0.0.1
PORT ?= 8000
YASGUI = server/static/node_modules/@zazuko/yasgui/build/yasgui.min.js

.PHONY: help install assets browser demo build serve test lint format bench clean

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/rusmeco: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	@touch $@

install: $(BIN)/rusmeco  ## Create the virtual environment and install the product.

$(YASGUI): server/static/package.json server/static/package-lock.json
	npm ci --prefix server/static --no-audit --no-fund --ignore-scripts
	@touch $@

assets: $(YASGUI)  ## Install the SPARQL editor (YASGUI) from the npm registry.

build: install  ## Build the knowledge base from the bundled data into $(STORE).
	RUSMECO_STORE=$(STORE) $(BIN)/rusmeco build

serve: install assets  ## Serve the knowledge base in $(STORE) on $(HOST):$(PORT).
	RUSMECO_STORE=$(STORE) $(BIN)/rusmeco serve --host $(HOST) --port $(PORT)

demo: build serve  ## Install, build the knowledge base and serve it on localhost.

test: install assets browser  ## Install with test extras and run every test.
	$(BIN)/python -m pytest

browser:  ## As root, install Debian's Chromium for the browser tests (else they skip).
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium fonts-dejavu-core; fi

lint: install  ## Check formatting and lint rules.
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install  ## Format the code.
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install  ## Install the bench extra, run the benchmarks, rewrite BENCHMARKS.md.
	$(BIN)/python -m pip install --quiet -e '.[test,docs,bench]'
	$(BIN)/python -m bench

clean:  ## Remove the virtual environment and the demo store.
	rm -rf $(VENV) var server/static/node_modules
