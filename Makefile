# Fabriques — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast test-browser install migrate demo lint audit bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,postgres]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) -m fabriques migrate --no-input -v0

demo: migrate
	$(PY) -m fabriques import-territory --from ../shared/data -v0  # no-op when absent or already imported
	$(PY) -m fabriques seed-demo

# The demo serves with DEBUG on and without the agents' second factor, so that every demo account
# opens at once; production keeps FABRIQUES_REQUIRE_AGENT_MFA on (its default).
run: demo
	@echo "Fabriques : http://$(HOST):$(PORT)/  (démonstration : second facteur des agents désactivé)"
	FABRIQUES_REQUIRE_AGENT_MFA=0 $(PY) -m fabriques runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# Known dependency vulnerabilities (needs PyPI's JSON API) and bandit on our code; bandit reports only
# findings absent from the reviewed baseline (each explained in docs/reliability.md).
audit: install
	$(VENV)/bin/pip-audit --local --progress-spinner off
	$(VENV)/bin/bandit -q -r src -x '*/migrations/*' -b tests/security/bandit-baseline.json

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
