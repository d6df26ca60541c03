# Helpers shared by every rule. Jobs run `python -m replications GROUP TASK ...` (replications/__main__.py).

import json
import os
import shlex
import sys
from pathlib import Path

from replications.core.graph import task_config

# Jobs find the Python that runs Snakemake (the project's .venv) first; under `--sdm conda` the rule's
# environment is activated in front of it.
envvars:
    "PATH",


os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
# On a GPU, JAX then takes memory as it needs it instead of 75 % of the device at start, so several jobs can share
# one GPU (no effect on a CPU). Jobs inherit it, locally and through SLURM (sbatch exports the environment).
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
# Compute jobs share JAX's persistent compilation cache (keyed by program, options and versions: core/perf.py), so a
# rerun, or a job compiling a program another job compiled, loads it instead of compiling it; `make clean` removes it.
os.environ.setdefault("REPLICATIONS_JAX_CACHE", str(Path(RESULTS) / "cache" / "jax"))

# What each job asks a cluster for (SLURM reads them; a local run ignores them all, runtime in minutes). Compute
# jobs: two CPUs (their XLA uses every core it sees), the config's `mem_mb` (estimated peaks are checked against it
# before any job) and `gpus_per_job` GPUs (0: CPU only); figure, table and claim jobs: little.
COMPUTE_RESOURCES = {
    "cpus_per_task": 2,
    "mem_mb": config["mem_mb"],
    "runtime": 12 * 60 if config["profile"] == "paper" else 60,
    "gpu": config["gpus_per_job"],
}
LIGHT_RESOURCES = {"mem_mb": 2000, "runtime": 15}


def section_config(group, section):
    """The JSON config a task of `section` (or WHOLE_GROUP) gets: `core.graph.task_config` of its group's config."""
    return json.dumps(task_config(config[group], section, PROFILE))


def xla_flags(job):
    """The XLA_FLAGS of the compute job named `job` (group_task), unless the run's environment sets XLA_FLAGS (the
    user's flags win, in the job's command: COMPUTE_TASK): the backend optimization level
    `xla_optimization_overrides.level` where the job is in `xla_optimization_overrides.jobs`, else
    `xla_optimization_level` (smoke: 0, toy programs compile twice as fast); null: none (XLA's default). The job's
    params carry them, so changing a level reruns it; the user's flags are not in them, so changing those reruns
    nothing."""
    overrides = config["xla_optimization_overrides"]
    level = overrides["level"] if job in overrides["jobs"] else config["xla_optimization_level"]
    return "" if level is None else f"--xla_backend_optimization_level={level}"


def io_args(inputs, outputs):
    """`--in NAME=PATH ... --out NAME=PATH ...` for named input and output paths."""
    pairs = [("--in", k, v) for k, v in inputs.items()] + [("--out", k, v) for k, v in outputs.items()]
    return " ".join(f"{flag} {shlex.quote(f'{name}={path}')}" for flag, name, path in pairs)
