# Helpers shared by every group's rules. Jobs run `python -m replications GROUP TASK ...` (replications/__main__.py).

import json
import os
import shlex
import sys
from pathlib import Path

# Jobs find the Python that runs Snakemake (the project's .venv) first; under `--sdm conda` the rule's
# environment is activated in front of it.
envvars:
    "PATH",


os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
# On a GPU, JAX then takes memory as it needs it instead of 75 % of the device at start, so several jobs can share
# one GPU (no effect on a CPU). Jobs inherit it, locally and through SLURM (sbatch exports the environment).
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")

# What each job asks a cluster for (SLURM reads them; a local run ignores mem_mb and runtime, in minutes). Compute
# jobs: the profile's budget and `gpus_per_job` GPUs (0: CPU only); figure, table and claim jobs: little.
COMPUTE_RESOURCES = {
    "mem_mb": 32000 if config["profile"] == "paper" else 8000,
    "runtime": 12 * 60 if config["profile"] == "paper" else 60,
    "gpu": config["gpus_per_job"],
}
LIGHT_RESOURCES = {"mem_mb": 2000, "runtime": 15}


def task_config(group, section):
    """The JSON config a task gets: its section of the config, with the group's seed and the profile."""
    return json.dumps({**config[group][section], "seed": config[group]["seed"], "profile": PROFILE})


def group_config(group):
    """The JSON config of a whole group (for its claims), with the profile."""
    return json.dumps({**config[group], "profile": PROFILE})


def io_args(wildcards, input, output):
    """`--in NAME=PATH ... --out NAME=PATH ...` for the rule's named inputs and outputs."""
    pairs = [("--in", k, v) for k, v in input.items()] + [("--out", k, v) for k, v in output.items()]
    return " ".join(f"{flag} {shlex.quote(f'{name}={path}')}" for flag, name, path in pairs)
