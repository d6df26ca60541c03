# Two commands on a fresh machine with Python 3.11: `make figures` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2
SNAKEMAKE := $(BIN)/snakemake --cores $(CORES)

.PHONY: figures smoke report test test-cluster lint bench bench-nt clean conda-env

# The venv, from the pinned lock. Python 3.11 is checked first; a failed build removes the half-built venv.
$(BIN)/snakemake: envs/requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
	  echo "needs Python 3.11: $(PYTHON) is $$($(PYTHON) --version 2>&1); install python3.11 or run make PYTHON=/path/to/python3.11" >&2; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV) && \
	$(BIN)/python -m pip install --quiet --upgrade pip && \
	$(BIN)/python -m pip install --quiet -r envs/requirements.lock && \
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . && \
	touch $@ || { rm -rf $(VENV); echo "building $(VENV) failed: removed it" >&2; exit 1; }

## The whole pipeline, default profile: figures/<group>/*, figures/CLAIMS.md.
figures: $(BIN)/snakemake
	$(SNAKEMAKE)

## The whole pipeline at toy size, into the git-ignored results/smoke/.
smoke: $(BIN)/snakemake
	$(SNAKEMAKE) --workflow-profile workflows/profiles/smoke

## The HTML report (report.html) of the default profile's run: workflow, every figure with its caption, the claims
## and the benchmarks.
report: $(BIN)/snakemake
	$(SNAKEMAKE) --report report.html

lint: $(BIN)/snakemake
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakemake --lint

## Lint, then every test (the smoke pipeline included), in $(CORES) pytest-xdist workers, a test file each at a time,
## in collection order (tests/conftest.py puts the files that run Snakemake first): one worker runs the smoke pipeline
## while the other takes the unit tests, most of which keep only one core busy (XLA compiles on one thread).
test: lint
	$(BIN)/python -m pytest -n $(CORES) --dist loadfile --no-loadscope-reorder

## A one-node SLURM cluster on this machine (needs root and apt-get; skips without): the smoke profile through it.
test-cluster: $(BIN)/snakemake
	PYTHON=$(abspath $(BIN))/python bash tests/cluster/run.sh

## The kernel and sweep benchmarks (and the kernels against neural-tangents where bench-nt built .venv-nt), then the
## default profile's last run job by job (results/<group>/benchmarks/:
## wall, CPU use, compile time, FLOPs and rate against this machine's GEMM rate).
bench: $(BIN)/snakemake
	$(BIN)/python -m pytest -s tests/benchmarks/bench_kernels.py tests/benchmarks/bench_sweep.py \
	  tests/benchmarks/bench_neural_tangents.py
	$(BIN)/python -c 'from replications.report.benchmarks import print_last_run; print_last_run("results")'

## neural-tangents' own environment (2.6 GB: jax 0.4.30, tensorflow), for bench-nt only. The marker file is the
## target (bin/python links to the system's interpreter, whose date make would read), touched once pip succeeded.
.venv-nt/.installed: envs/neural-tangents.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
	  echo "needs Python 3.11 (the lock's): $(PYTHON) is $$($(PYTHON) --version 2>&1)" >&2; exit 1; }
	rm -rf .venv-nt && $(PYTHON) -m venv .venv-nt && \
	.venv-nt/bin/python -m pip install --quiet -r envs/neural-tangents.lock && \
	touch $@ || { rm -rf .venv-nt; echo "building .venv-nt failed: removed it" >&2; exit 1; }

## The kernel library against neural-tangents 0.6.5 on this machine, in one run: times and agreement.
bench-nt: $(BIN)/snakemake .venv-nt/.installed
	NEURAL_TANGENTS_PYTHON=$(abspath .venv-nt)/bin/python $(BIN)/python -m pytest tests/benchmarks/bench_neural_tangents.py -s

## envs/replications.yaml (for `snakemake --sdm conda`) from the lock: tests/test_envs.py checks they agree.
conda-env:
	{ sed -n '1,/^      # pins/p' envs/replications.yaml; sed 's/^/      - /' envs/requirements.lock; } > envs/replications.yaml.tmp
	mv envs/replications.yaml.tmp envs/replications.yaml

## Results of the default and smoke profiles, and Snakemake's state; never results/paper/ (hours of GPU time).
clean:
	find results -mindepth 1 -maxdepth 1 ! -name paper -exec rm -rf {} + 2>/dev/null || true
	rm -rf .snakemake
