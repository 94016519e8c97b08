# Fabriques — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast test-browser test-neutral install migrate demo lint audit bench bench-100k clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,postgres]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) -m fabriques migrate --no-input -v0

demo: migrate
	$(PY) -m fabriques import-territory -v0  # the reference data shipped in src/fabriques/territory/reference (skipped once imported)
	$(PY) -m fabriques seed-demo

# The demo serves with DEBUG on and without the agents' second factor, so that every demo account
# opens at once; production keeps FABRIQUES_REQUIRE_AGENT_MFA on (its default). DEBUG is off unless asked:
# `make demo` and `make run` ask for it (and their prerequisites inherit it); a value already set is kept.
demo run: export FABRIQUES_DEBUG ?= 1
run: demo
	@echo "Fabriques : http://$(HOST):$(PORT)/  (démonstration : second facteur des agents désactivé)"
	FABRIQUES_REQUIRE_AGENT_MFA=0 $(PY) -m fabriques serve $(HOST):$(PORT)  # web server + job worker, stopped together

# Two workers (pytest-xdist) for the 2-core machine; each test file stays on one worker so that its module fixtures
# and shared rows are built once; the longest files first (tests/conftest.py), in that order (no xdist reorder).
# PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= 2
PYTEST_XDIST = $(if $(filter 0,$(PYTEST_WORKERS)),-p no:xdist,-n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder)

test: install
	$(PY) -m pytest $(PYTEST_XDIST) --durations=25 $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest $(PYTEST_XDIST) -m "not browser" $(PYTEST_ARGS)

# The browser tests again under the neutral theme (deployers that are not State sites: no DSFR asset).
# The main journeys' browser tests again under the neutral theme (a région or a network running its own call).
NEUTRAL_JOURNEYS = tests/e2e/test_public_journey.py tests/e2e/test_newcomer_and_public_pages.py \
	tests/dossiers/test_e2e_journey.py tests/dossiers/test_e2e_autosave.py tests/instruction/test_e2e_instruction.py \
	tests/committee_flow/test_e2e_committee.py tests/theme/test_neutral_theme.py
test-neutral: install
	FABRIQUES_THEME=neutral $(PY) -m pytest $(PYTEST_XDIST) -m browser $(NEUTRAL_JOURNEYS) $(PYTEST_ARGS)

# ruff, then the import contracts of pyproject.toml (the apps' layers; docs/architecture.md, « Couches »).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

# Known dependency vulnerabilities (needs PyPI's JSON API) and bandit on our code; bandit reports only
# findings absent from the reviewed baseline (each explained in docs/reliability.md).
audit: install
	$(VENV)/bin/pip-audit --local --progress-spinner off
	$(VENV)/bin/bandit -q -r src -x '*/migrations/*' -b tests/security/bandit-baseline.json

# Performance figures of docs/benchmarks.md (sections Générateur, Charge, Comparaison avec pretalx): throwaway
# bases under /tmp, PostgreSQL on $(BENCH_PG); takes ~30 min on 2 cores. Other teams' scripts: see their sections.
BENCH_PG ?= postgres://postgres@/fabriques_perf?host=/tmp&port=54329
BENCH_N ?= 20000
# The peer (pretalx) is installed in a virtualenv of its own, in a throwaway folder (never the project's).
PEER_VENV ?= /tmp/fabriques-peer-venv
bench: install
	$(VENV)/bin/pip install --quiet -e ".[bench,postgres]"
	$(PY) bench/generate.py --dossiers $(BENCH_N) --seed 1 --fresh --var-dir /tmp/fabriques-perf-sqlite \
		--sessions-out /tmp/fabriques-perf-sqlite/sessions.json
	$(PY) bench/generate.py --dossiers $(BENCH_N) --seed 1 --fresh --var-dir /tmp/fabriques-perf-pg \
		--database-url "$(BENCH_PG)" --sessions-out /tmp/fabriques-perf-pg/sessions.json
	for scenario in "agents --users 4" "rush --users 50" "deposit --users 50" "click --users 50" "deposit --users 4 --proof"; do \
		$(PY) bench/load.py --scenario $$scenario --duration 45 --var-dir /tmp/fabriques-perf-sqlite || exit 1; \
		$(PY) bench/load.py --scenario $$scenario --duration 45 --var-dir /tmp/fabriques-perf-pg \
			--database-url "$(BENCH_PG)" || exit 1; done
	$(PY) bench/load.py --scenario rush --users 50 --duration 45 --servers 2 --var-dir /tmp/fabriques-perf-pg \
		--database-url "$(BENCH_PG)"
	$(PY) bench/load.py --scenario agents --users 4 --duration 45 --servers 2 --var-dir /tmp/fabriques-perf-pg \
		--database-url "$(BENCH_PG)"
	$(PY) bench/load.py --scenario rush --users 20 --duration 40 --servers 2 --round-robin \
		--var-dir /tmp/fabriques-perf-pg --database-url "$(BENCH_PG)"
	$(PY) bench/profile_page.py --var-dir /tmp/fabriques-perf-sqlite --as admin "/instruction/?sort=-score"
	$(PY) bench/generate.py --dossiers 5000 --drafts 50 --seed 1 --fresh --var-dir /tmp/fabriques-perf-5k
	test -x $(PEER_VENV)/bin/python || { python3.11 -m venv $(PEER_VENV) && $(PEER_VENV)/bin/pip install -q pretalx; }
	rm -rf /tmp/pretalx-data && $(PEER_VENV)/bin/python bench/peers/pretalx_seed.py seed --proposals 5000
	mkdir -p /tmp/pretalx-cwd && cd /tmp/pretalx-cwd && PRETALX_DATA_DIR=/tmp/pretalx-data PRETALX_DEBUG=False \
		$(PEER_VENV)/bin/python -m pretalx rebuild
	PEER_PYTHON=$(PEER_VENV)/bin/python $(PY) bench/peers/compare.py --var-dir /tmp/fabriques-perf-5k --rounds 3 --repeat 5

# Issue 21's figures at 100,000 dossiers on PostgreSQL (docs/benchmarks.md, « 100,000 dossiers »): the base takes
# ~15 min to generate on 2 cores, then each measure prints wall time, this process's CPU and the database's CPU.
BENCH_PG_100K ?= postgres://postgres@/fabriques_perf100k?host=/tmp&port=54329
BENCH_ENV = FABRIQUES_DEBUG=0 FABRIQUES_SECRET_KEY=bench-only-secret-key-not-for-production-0123456789
bench-100k: install
	$(VENV)/bin/pip install --quiet -e ".[bench,postgres]"
	$(PY) bench/generate.py --dossiers 100000 --seed 1 --fresh --var-dir /tmp/fabriques-perf-100k \
		--database-url "$(BENCH_PG_100K)" --sessions-out /tmp/fabriques-perf-100k/sessions.json
	$(PY) bench/instruction_dashboard.py --var-dir /tmp/fabriques-perf-100k --database-url "$(BENCH_PG_100K)" --every --requests 8
	$(PY) bench/instruction_dashboard.py --var-dir /tmp/fabriques-perf-100k --database-url "$(BENCH_PG_100K)" --all --columns default --requests 3
	$(PY) bench/profile_page.py --var-dir /tmp/fabriques-perf-100k --database-url "$(BENCH_PG_100K)" --as evaluator --repeat 7 \
		"/evaluation/affectations/{assignment}/grille/"
	$(PY) bench/profile_page.py --var-dir /tmp/fabriques-perf-100k --database-url "$(BENCH_PG_100K)" --as admin --repeat 7 \
		"/comite/ami-tiers-lieux-2019/bench-close/"
	$(PY) bench/profile_page.py --var-dir /tmp/fabriques-perf-100k --database-url "$(BENCH_PG_100K)" --as admin --repeat 7 \
		"/comite/ami-tiers-lieux-2019/bench-close/decisions/"
	$(BENCH_ENV) $(PY) bench/dataout_bench.py --measure csv --wave bench-close --var-dir /tmp/fabriques-perf-100k \
		--database-url "$(BENCH_PG_100K)"
	$(PY) bench/committee_allocation.py --candidates 10000 --repeat 3

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
