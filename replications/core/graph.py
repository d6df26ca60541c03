"""A group's pipeline graph, declared once in Python: compute tasks and the files they write, figures and the
results they read, the results its claims read. `workflows/groups.smk` emits every group's rules from it and
`python -m replications` finds each task's function in it.

Every results file has one handle (its name without the suffix, by convention), used identically everywhere: as
the compute task's `outputs[handle]`, as a figure's and the claims' `inputs[handle]`, and in the rules. Figures
write `png` and `pdf` (and any `extra` outputs, such as a table's `md`) under figures/<group>/.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The config a task gets: a section of the group's config (by name), or the whole group's section.
WHOLE_GROUP = "*"
# A task's function: "module:function" in the group's package, imported only when the task runs (a compute job
# never pays for matplotlib, nor a figure job for jax), or the function itself.
TaskFunction = str | Callable[..., None]


def task_config(group_config: Mapping[str, Any], section: str, profile: str) -> dict[str, Any]:
    """The config a task of `section` gets (the workflow passes it as JSON): that section of the group's config with
    the group's seed and the profile, or (WHOLE_GROUP) the group's whole config with the profile."""
    if section == WHOLE_GROUP:
        return {**group_config, "profile": profile}
    return {**group_config[section], "seed": group_config["seed"], "profile": profile}


@dataclass(frozen=True)
class Compute:
    """A compute task: `function(config, outputs=...)` (or with `inputs=...` when it reads other results).

    `outputs` maps each handle to its file under results/<group>/ (a `str.format` template of the group's config
    section, e.g. "data/mnist1d_n{data[mnist1d_samples]}.npz"); `inputs` are handles of other compute tasks'
    outputs; `config` is the section of the group's config the task gets (None: the one named after the task;
    WHOLE_GROUP: the group's whole section);
    `memory_mb`, given that config, estimates the job's peak memory (checked against its `mem_mb` before any job);
    `flops` ("module:function" in the group's package, imported only when called: `Graph.counted_flops`), given
    that config, counts the FLOPs the job's training programs will count in its perf record, without running it.
    """

    function: TaskFunction
    outputs: Mapping[str, str]
    inputs: tuple[str, ...] = ()
    config: str | None = None
    memory_mb: Callable[[Mapping[str, Any]], float] | None = None
    flops: str | None = None


@dataclass(frozen=True)
class Figure:
    """A figure (or table) drawn from results: `function(config, inputs=..., outputs=...)`.

    `inputs` are handles of compute outputs; `config` is the section it gets (None: the section of the task that
    writes its first input; WHOLE_GROUP: the group's whole section); `extra` maps
    more output handles to files under figures/<group>/ beside `<name>.png` and `<name>.pdf`.
    """

    function: TaskFunction
    inputs: tuple[str, ...]
    config: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Graph:
    """One group's graph. `title` is its category in the HTML report; `claims` the handles its claims read (the
    claims job also waits for every figure); `data_problems(config)` lists (key, problem) pairs of the data files
    the group's config needs (missing or damaged), checked when the DAG is built."""

    group: str
    title: str
    compute: Mapping[str, Compute]
    figures: Mapping[str, Figure]
    claims: tuple[str, ...]
    claims_function: TaskFunction = "claims:write"
    data_problems: Callable[[Mapping[str, Any]], list[tuple[str, str]]] | None = None

    def __post_init__(self) -> None:
        outputs = self.outputs()
        for task, compute in self.compute.items():
            for handle in compute.inputs:
                if handle not in outputs:
                    raise ValueError(f"{self.group}.{task}: input {handle!r} is no compute task's output")
        for figure, spec in self.figures.items():
            for handle in spec.inputs:
                if handle not in outputs:
                    raise ValueError(f"{self.group}.{figure}: input {handle!r} is no compute task's output")
        for handle in self.claims:
            if handle not in outputs:
                raise ValueError(f"{self.group}.claims: input {handle!r} is no compute task's output")
        names = [*self.compute, *self.figures, "claims"]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.group}: a task name is used twice in {names}")

    def outputs(self) -> dict[str, str]:
        """Every compute output: handle -> file template under results/<group>/ (one handle per file)."""
        found: dict[str, str] = {}
        for task, compute in self.compute.items():
            for handle, file in compute.outputs.items():
                if handle in found or file in found.values():
                    raise ValueError(f"{self.group}.{task}: output {handle!r} ({file}) declared twice")
                found[handle] = file
        return found

    def producer(self, handle: str) -> str:
        """The compute task that writes `handle`."""
        return next(task for task, compute in self.compute.items() if handle in compute.outputs)

    def compute_section(self, task: str) -> str:
        """The config section (or WHOLE_GROUP) a compute task gets."""
        section = self.compute[task].config
        return task if section is None else section

    def figure_section(self, figure: str) -> str:
        """The config section (or WHOLE_GROUP) a figure gets."""
        spec = self.figures[figure]
        return self.compute_section(self.producer(spec.inputs[0])) if spec.config is None else spec.config

    def counted_flops(self, group_config: Mapping[str, Any], profile: str) -> dict[str, float]:
        """task -> the FLOPs it would count (`Compute.flops`) under the group's config `group_config`, for every
        compute task that counts FLOPs."""
        counted = {}
        for task, compute in self.compute.items():
            if compute.flops is None:
                continue
            module, _, function = compute.flops.partition(":")
            count = getattr(importlib.import_module(f"replications.{self.group}.{module}"), function)
            counted[task] = float(count(task_config(group_config, self.compute_section(task), profile)))
        return counted

    def problems(self, config: Mapping[str, Any], mem_mb: float) -> list[str]:
        """One line for each problem of the group's config (its section) that stops the pipeline before any job:
        data files missing or damaged, and compute jobs whose estimated memory exceeds `mem_mb`."""
        lines = [f"{key}: {problem}" for key, problem in (self.data_problems(config) if self.data_problems else [])]
        for task, compute in self.compute.items():
            if compute.memory_mb is None:
                continue
            estimate = compute.memory_mb(config)
            if estimate > mem_mb:
                lines.append(
                    f"{self.group}_{task}: estimated peak memory {estimate:,.0f} MB exceeds the job's mem_mb = "
                    f"{mem_mb:,.0f}: lower the sizes in {self.group} or raise mem_mb (--config mem_mb=...)"
                )
        return lines

    def tasks(self) -> dict[str, TaskFunction]:
        """Every task `python -m replications GROUP TASK` runs: compute, figures, claims."""
        return {
            **{task: compute.function for task, compute in self.compute.items()},
            **{figure: spec.function for figure, spec in self.figures.items()},
            "claims": self.claims_function,
        }
