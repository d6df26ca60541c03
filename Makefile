# Two commands on a fresh machine with Python 3.11: `make figures` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2
SNAKEMAKE := $(BIN)/snakemake --cores $(CORES)

.PHONY: figures smoke test test-cluster lint bench clean

$(BIN)/snakemake: envs/requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r envs/requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

## The whole pipeline, default profile: figures/<group>/*, figures/CLAIMS.md.
figures: $(BIN)/snakemake
	$(SNAKEMAKE)

## The whole pipeline at toy size, into the git-ignored results/smoke/.
smoke: $(BIN)/snakemake
	$(SNAKEMAKE) --workflow-profile workflows/profiles/smoke

lint: $(BIN)/snakemake
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakemake --lint

## Lint, then every test (the smoke pipeline included).
test: lint
	$(BIN)/python -m pytest

## A one-node SLURM cluster on this machine (needs root and apt-get; skips without): the smoke profile through it.
test-cluster: $(BIN)/snakemake
	PYTHON=$(abspath $(BIN))/python bash tests/cluster/run.sh

bench: $(BIN)/snakemake
	$(BIN)/python -m pytest tests/benchmarks/bench_kernels.py tests/benchmarks/bench_sweep.py -s

clean:
	rm -rf results .snakemake
