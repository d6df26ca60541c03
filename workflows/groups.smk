# Every group's rules, emitted from its one declaration (GRAPH in replications/<group>/tasks.py): one compute rule
# per task (results/<group>/), one figure rule per figure (figures/<group>/, with its report caption
# workflows/report/<group>/<figure>.rst), the claims rule, and the group's target rule `snakemake <group>`.
# Each compute and figure job's params carry the digest of the code it runs (core and the group's package), so
# editing that code reruns it.

import importlib

from replications.core.config import ConfigError
from replications.core.graph import WHOLE_GROUP
from replications.core.provenance import code_digest

GRAPHS = {group: importlib.import_module(f"replications.{group}.tasks").GRAPH for group in GROUPS}
GROUP_TARGETS = {}  # group -> the files `snakemake <group>` makes

# Before any job: jobs named in xla_optimization_overrides that do not exist, the data files each group needs (missing
# or damaged) and every compute job's estimated memory.
COMPUTE_JOBS = {f"{group}_{task}" for group, graph in GRAPHS.items() for task in graph.compute}
if workflow.is_main_process and (
    problems := [
        f"xla_optimization_overrides: {job} is not a compute job (one of {', '.join(sorted(COMPUTE_JOBS))})"
        for job in config["xla_optimization_overrides"]["jobs"]
        if job not in COMPUTE_JOBS
    ]
    + [line for group, graph in GRAPHS.items() for line in graph.problems(config[group], config["mem_mb"])]
):
    raise ConfigError("\n".join(problems))
PYTHON_TASK = "python -m replications {params.group} {params.task} --config {params.config:q} {params.io} > {log} 2>&1"
# A compute job also records its compile time and FLOPs beside its benchmark file, and budgets its programs' memory
# by the mem_mb it asked for (replications/core/perf.py).
# Its XLA_FLAGS are the run's environment's where set, else its own (`xla_flags`: the profile's optimization level, or
# the job's override).
COMPUTE_TASK = (
    'XLA_FLAGS="${{XLA_FLAGS-{params.xla_flags}}}" REPLICATIONS_MEM_MB={resources.mem_mb} '
    "python -m replications {params.group} {params.task} --config {params.config:q} {params.io} "
    "--perf {params.perf:q} > {log} 2>&1"
)


def results_paths(group):
    """Every compute output of a group: handle -> path under results/<group>/ (templates filled from its config)."""
    return {
        handle: f"{RESULTS}/{group}/{file.format(**config[group])}"
        for handle, file in GRAPHS[group].outputs().items()
    }


def figure_paths(group, figure):
    """A figure's outputs: png, pdf and its extras under figures/<group>/."""
    extra = GRAPHS[group].figures[figure].extra
    return {
        "png": f"{FIGURES}/{group}/{figure}.png",
        "pdf": f"{FIGURES}/{group}/{figure}.pdf",
        **{handle: f"{FIGURES}/{group}/{file}" for handle, file in extra.items()},
    }


for group, graph in GRAPHS.items():
    group_results = results_paths(group)
    group_code = code_digest(group)

    for task, compute in graph.compute.items():
        task_inputs = {handle: group_results[handle] for handle in compute.inputs}
        task_outputs = {handle: group_results[handle] for handle in compute.outputs}

        rule:
            name:
                f"{group}_{task}"
            input:
                **task_inputs,
            output:
                **task_outputs,
            # Each job's XLA and BLAS still use every core of the machine (and so compute the same numbers anywhere),
            # but a job keeps about one core busy on average (compiling is single-threaded; BENCHMARKS.md's CPU
            # use): one thread in Snakemake's accounting lets two run side by side. On SLURM a job still gets two
            # CPUs (cpus_per_task).
            threads: 1
            params:
                group=group,
                task=task,
                config=section_config(group, graph.compute_section(task)),
                code=group_code,
                io=io_args(task_inputs, task_outputs),
                perf=f"{RESULTS}/{group}/benchmarks/{task}.perf.json",
                xla_flags=xla_flags(f"{group}_{task}"),
            resources:
                **COMPUTE_RESOURCES,
            conda:
                "../envs/replications.yaml"
            log:
                f"{RESULTS}/{group}/logs/{task}.log",
            benchmark:
                f"{RESULTS}/{group}/benchmarks/{task}.tsv"
            shell:
                COMPUTE_TASK

    for figure, spec in graph.figures.items():
        figure_inputs = {handle: group_results[handle] for handle in spec.inputs}
        figure_outputs = figure_paths(group, figure)

        rule:
            name:
                f"{group}_{figure}"
            input:
                **figure_inputs,
            output:
                png=report(
                    figure_outputs["png"], caption=f"report/{group}/{figure}.rst", category=graph.title
                ),
                **{handle: path for handle, path in figure_outputs.items() if handle != "png"},
            params:
                group=group,
                task=figure,
                config=section_config(group, graph.figure_section(figure)),
                code=group_code,
                io=io_args(figure_inputs, figure_outputs),
            resources:
                **LIGHT_RESOURCES,
            conda:
                "../envs/replications.yaml"
            log:
                f"{RESULTS}/{group}/logs/{figure}.log",
            shell:
                PYTHON_TASK

    claims_inputs = {handle: group_results[handle] for handle in graph.claims}
    claims_outputs = {"claims": f"{FIGURES}/{group}/claims.json"}
    figure_pngs = [figure_paths(group, figure)["png"] for figure in graph.figures]

    rule:
        name:
            f"{group}_claims"
        input:
            **claims_inputs,
            figures=figure_pngs,  # the claims name their figures: judged after every one is drawn
        output:
            **claims_outputs,
        params:
            group=group,
            task="claims",
            config=section_config(group, WHOLE_GROUP),
            code=group_code,
            io=io_args(claims_inputs, claims_outputs),
        resources:
            **LIGHT_RESOURCES,
        conda:
            "../envs/replications.yaml"
        log:
            f"{RESULTS}/{group}/logs/claims.log",
        shell:
            PYTHON_TASK

    # `snakemake <group>`: its claims and figures, and every results file, so that a missing one reruns its job
    # and everything drawn from it even where a committed figure is newer than nothing (a fresh clone).
    GROUP_TARGETS[group] = [claims_outputs["claims"], *figure_pngs, *group_results.values()]

    rule:
        name:
            group
        input:
            GROUP_TARGETS[group],
        localrule: True
