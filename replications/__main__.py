"""Command line that the Snakemake rules call: `python -m replications GROUP TASK [options]`.

    python -m replications neal convergence --config '{"seed": 1994, ...}' --out kurtosis=results/neal/k.csv ...

`--config` is the task's configuration as JSON (the rule passes its section of the validated config);
`--in NAME=PATH` and `--out NAME=PATH` name the task's input and output files. Tasks are listed per group in
`replications/<group>/tasks.py` as `TASKS: dict[str, callable | str]`, a string "module:function" naming a
function of `replications.<group>.<module>`, imported only when its task runs (a compute job then never pays for
matplotlib, nor a figure job for jax: about a second each); a task is called as
`task(config, outputs=...)`, or `task(config, inputs=..., outputs=...)` when it reads results.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import time
from pathlib import Path

GROUPS = ("neal", "nngp", "ntk", "meanfield", "mup", "report")


def _named_paths(pairs: list[str]) -> dict[str, Path]:
    named = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not name or not path:
            raise SystemExit(f"expected NAME=PATH, got {pair!r}")
        named[name] = Path(path)
    return named


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m replications", description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=GROUPS)
    parser.add_argument("task")
    parser.add_argument("--config", default="{}", help="the task's configuration, as JSON")
    parser.add_argument("--in", dest="inputs", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--out", dest="outputs", action="append", default=[], metavar="NAME=PATH")
    args = parser.parse_args(argv)

    tasks = importlib.import_module(f"replications.{args.group}.tasks").TASKS
    if args.task not in tasks:
        parser.error(f"unknown task {args.task!r} for group {args.group}; known: {sorted(tasks)}")
    task = tasks[args.task]
    if isinstance(task, str):
        module, _, function = task.partition(":")
        task = getattr(importlib.import_module(f"replications.{args.group}.{module}"), function)
    kwargs = {"outputs": _named_paths(args.outputs)}
    if "inputs" in inspect.signature(task).parameters:
        kwargs["inputs"] = _named_paths(args.inputs)
    start = time.perf_counter()
    print(f"[{args.group}/{args.task}] start", flush=True)
    task(json.loads(args.config), **kwargs)
    print(f"[{args.group}/{args.task}] done in {time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
