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
