# Two commands matter: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

# bench-realtime needs a Redis at 127.0.0.1:6379 (or ARGS="--redis URL").
.PHONY: soak bench bench-realtime install demo serve test lint format typecheck schema bench-sim bench-cache bench-limits bench-sync clean

install: $(STAMP)

$(STAMP): pyproject.toml simulators/pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]' -e ./simulators
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mgw demo $(ARGS)

serve: $(STAMP)
	$(BIN)/mgw serve $(ARGS)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

schema: $(STAMP)
	$(BIN)/mgw schema export

# Two processes by default (CI has two cores; most tests wait on subprocesses and sockets);
# TEST_WORKERS=0 runs in this one. tests/conftest.py keeps each file on one worker.
TEST_WORKERS ?= 2

test: lint typecheck $(STAMP)
	$(BIN)/mgw schema check
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup $(ARGS)

# Every benchmark of issue 11, ours against the peer (Hive Gateway, installed by npm on first
# use), and BENCHMARKS.md written from them; under 20 minutes (ARGS=--quick: a few).
bench: $(STAMP)
	@command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
	@command -v redis-server >/dev/null || apt-get install -y redis-server || (apt-get update && apt-get install -y redis-server)
	$(BIN)/python bench/run.py $(ARGS)

bench-sim: $(STAMP)
	@command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
	$(BIN)/python bench/simulators.py $(ARGS)

bench-cache: $(STAMP)
	$(BIN)/python bench/cache.py $(ARGS)

bench-limits: $(STAMP)
	$(BIN)/python bench/limits.py $(ARGS)

bench-sync: $(STAMP)
	$(BIN)/python bench/sync.py $(ARGS)

bench-realtime: $(STAMP)
	cd bench && ../$(BIN)/python realtime.py $(ARGS)

# Minutes, outside `make test`: needs redis-server and PostgreSQL at 127.0.0.1:5432 (db `test`).
soak: $(STAMP)
	@command -v redis-server >/dev/null || apt-get install -y redis-server || (apt-get update && apt-get install -y redis-server)
	$(BIN)/python -m soak.run $(ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
