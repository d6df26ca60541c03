"""Command line that the Snakemake rules call: `python -m replications GROUP TASK [options]`.

    python -m replications neal convergence --config '{"seed": 1994, ...}' --out kurtosis=results/neal/k.csv ...

`--config` is the task's configuration as JSON (the rule passes its section of the validated config);
`--in NAME=PATH` and `--out NAME=PATH` name the task's input and output files by their handles; a compute rule
adds `--perf PATH`, where the job's compile time and counted FLOPs are written (`replications/core/perf.py`), and
its programs then share JAX's persistent compilation cache (the folder in $REPLICATIONS_JAX_CACHE, where set).
Each group's tasks are declared in `replications/<group>/tasks.py` as its GRAPH (`replications/core/graph.py`),
each task a "module:function" string naming a function of `replications.<group>.<module>`, imported only when its
task runs; a task is called as `task(config, outputs=...)`, or `task(config, inputs=..., outputs=...)` when it
reads results. The config (against the schema) and the handles (against the graph) are checked before anything is
computed; a problem is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import sys
import time
from pathlib import Path

from replications import GROUPS
from replications.core.graph import WHOLE_GROUP, Graph
from replications.core.provenance import GROUP_ENV

REPORT = "report"


class UsageError(Exception):
    """A command line the task cannot run with: said in one line."""


def _named_paths(pairs: list[str], flag: str) -> dict[str, Path]:
    named = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not name or not path:
            raise UsageError(f"{flag} expects NAME=PATH, got {pair!r}")
        named[name] = Path(path)
    return named


def _expected(graph: Graph, task: str) -> tuple[str | None, set[str], set[str]]:
    """(config section or None for the whole group, input handles, output handles) of one task of a graph."""
    if task in graph.compute:
        section = graph.compute_section(task)
        return section, set(graph.compute[task].inputs), set(graph.compute[task].outputs)
    if task in graph.figures:
        spec = graph.figures[task]
        return graph.figure_section(task), set(spec.inputs), {"png", "pdf", *spec.extra}
    return WHOLE_GROUP, set(graph.claims), {"claims"}


def _check_names(kind: str, given: dict[str, Path], expected: set[str], task: str) -> None:
    if set(given) != expected:
        unknown, missing = sorted(set(given) - expected), sorted(expected - set(given))
        said = "; ".join(
            part
            for part in (f"unknown {kind} {unknown}" if unknown else "", f"missing {kind} {missing}" if missing else "")
            if part
        )
        raise UsageError(f"{task}: {said} (expected {kind} names: {sorted(expected)})")


def _prepare(args: argparse.Namespace) -> tuple[object, dict]:
    """The task's function and its keyword arguments, every check done."""
    label = f"{args.group} {args.task}"
    try:
        config = json.loads(args.config)
    except json.JSONDecodeError as error:
        raise UsageError(f"{label}: --config is not valid JSON ({error})") from None
    if not isinstance(config, dict):
        raise UsageError(f"{label}: --config must be a JSON object, got {type(config).__name__}")
    inputs, outputs = _named_paths(args.inputs, "--in"), _named_paths(args.outputs, "--out")
    module = importlib.import_module(f"replications.{args.group}.tasks")
    tasks = module.TASKS
    if args.task not in tasks:
        raise UsageError(f"unknown task {args.task!r} for group {args.group}; known: {sorted(tasks)}")
    graph = getattr(module, "GRAPH", None)
    if graph is not None:
        from replications.core.config import task_config_problem

        section, expected_in, expected_out = _expected(graph, args.task)
        problem = task_config_problem(config, args.group, None if section == WHOLE_GROUP else section)
        if problem:
            raise UsageError(f"{label}: bad --config: {problem}")
        _check_names("--out", outputs, expected_out, label)
        _check_names("--in", inputs, expected_in, label)
    task = tasks[args.task]
    if isinstance(task, str):
        module_name, _, function = task.partition(":")
        task = getattr(importlib.import_module(f"replications.{args.group}.{module_name}"), function)
    kwargs = {"config": config, "outputs": outputs}
    if "inputs" in inspect.signature(task).parameters:
        kwargs["inputs"] = inputs
    return task, kwargs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m replications", description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=[*GROUPS, REPORT])
    parser.add_argument("task")
    parser.add_argument("--config", default="{}", help="the task's configuration, as JSON")
    parser.add_argument("--in", dest="inputs", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--out", dest="outputs", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--perf", metavar="PATH", help="a compute job's record: compile time and FLOPs (core/perf.py)")
    args = parser.parse_args(argv)
    try:
        task, kwargs = _prepare(args)
    except UsageError as error:
        print(f"python -m replications: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    if args.group != REPORT:
        os.environ[GROUP_ENV] = args.group  # provenance records this group's code digest
    start = time.perf_counter()
    print(f"[{args.group}/{args.task}] start", flush=True)
    config = kwargs.pop("config")
    from replications.core import perf

    if args.group != REPORT:
        perf.one_cpu_device_per_core()  # the sweeps split their nets over the cores
    if args.perf:
        if os.environ.get(perf.CACHE_ENV):
            perf.enable_compilation_cache(os.environ[perf.CACHE_ENV])
        with perf.recording(args.perf):
            task(config, **kwargs)
    else:
        task(config, **kwargs)
    print(f"[{args.group}/{args.task}] done in {time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
