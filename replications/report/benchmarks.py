"""figures/BENCHMARKS.md: the wall time, CPU time, CPU use, compile time, FLOPs, FLOP rate and peak memory of every
compute job of the last run, against the machine's GEMM rate measured by the table's job.

    python -m replications report benchmarks --config '{"profile": "default", "benchmark_dirs": {"neal": ...}}' \
        --in neal=figures/neal/claims.json ... --out table=figures/BENCHMARKS.md

Every compute rule writes Snakemake's `benchmark:` file `results/<group>/benchmarks/<task>.tsv`: a header and one
row per run of the job (several with `repeat`), with columns s (wall seconds), h:m:s, max_rss, max_vms, max_uss,
max_pss (MB), io_in, io_out (MB), mean_load (CPU %) and cpu_time (seconds), and more with
`--benchmark-extended`; columns are read by name and a value Snakemake could not measure ("NA") stays empty. Repeats
are averaged (times) or maximized (memory). A group's subtotal and the grand total add the jobs' times as if they
ran one after another, and take the largest peak. The machine is described as the report job sees it: on a cluster,
the node that ran the report.

Beside each benchmark file a compute job writes `<task>.perf.json` (`replications/core/perf.py`): its process's CPU
seconds (exact, where Snakemake's benchmark samples them and misses the end of a job; the table prefers them), the
seconds JAX spent tracing, lowering and compiling, and the FLOPs its training programs counted (null where none did).
With repeats, the record is the last run's. The table
reads each job's CPU use as CPU time / (wall time x the machine's usable cores), its FLOP rate as counted FLOPs /
wall time (compile time and the job's other work included), and that rate as a fraction of the float32 GEMM rate
that the table's job measures on the same machine (`perf.gemm_rate`); and, per core, counted FLOPs / CPU time as a
fraction of one core's share of that rate: where two jobs share the machine, each one's rate over wall time is at
most about half the machine's, however well it uses the cores it gets.

The `paper` profile, estimated for one GPU from a run of the `default` profile (a smoke run's toy programs say nothing
of the paper's rates): each job that counts FLOPs also counts, from the `paper` profile's config alone
(`Compute.flops`, nothing run), the FLOPs it would count there; its time there is
estimated as those FLOPs at the job's measured fraction of the GEMM rate (its FLOPs over its wall time less its
compile time, over this machine's GEMM rate) times the device's GEMM rate: the rate model assumes a job keeps its
fraction of the machine's matrix-product rate on the device. Until a GPU run measures them, these are estimates, good
to an order of magnitude: small nets reach a smaller fraction of a GPU's tensor-core peak than of a CPU's (the hours
are then too few), and jobs that ran side by side measured a fraction of a machine they shared (too many).
"""

from __future__ import annotations

import csv
import importlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from replications.core.provenance import atomic_write

ESTIMATE_PROFILE = "paper"
# The run whose measured rates the estimate scales: the default profile's nets are sized like the papers' (widths to
# thousands, real data); a smoke run's toy programs are compile-bound and their rates say nothing of the paper's.
ESTIMATED_FROM = "default"
# The device of the estimate and its float32 GEMM rate: NVIDIA's H200 SXM datasheet, TF32 tensor cores, dense
# (989 TFLOP/s with sparsity): JAX computes float32 products in TF32 on such GPUs by default. A datasheet peak, not
# a measured rate, so the estimated hours are a lower bound as far as the rate goes.
ESTIMATE_DEVICE = "one H200"
ESTIMATE_DEVICE_GEMM = 494.7e12


class JobBenchmark(NamedTuple):
    """One compute job: its benchmark file's name (the task), its wall and CPU seconds and peak RSS (MB), and from
    its perf record (where there is one) its compile seconds and counted FLOPs."""

    job: str
    wall_s: float | None
    cpu_s: float | None
    max_rss_mb: float | None
    runs: int
    compile_s: float | None = None
    flops: float | None = None
    paper_flops: float | None = None  # what it would count in the estimate's profile (`with_estimate_counts`)


def _number(text: str | None) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):  # "NA", "-", empty: not measured
        return None


def read_benchmark(path: str | os.PathLike) -> JobBenchmark:
    """The job of one Snakemake benchmark TSV: times averaged over its rows, the largest max_rss."""
    path = Path(path)
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if not rows:
        raise ValueError(f"{path}: a benchmark file with no runs")

    def values(column: str) -> list[float]:
        return [v for v in (_number(row.get(column)) for row in rows) if v is not None]

    def mean(column: str) -> float | None:
        found = values(column)
        return sum(found) / len(found) if found else None

    rss = values("max_rss")
    record_path = path.with_name(f"{path.stem}.perf.json")
    record = json.loads(record_path.read_text()) if record_path.exists() else {}
    return JobBenchmark(
        path.stem,
        mean("s"),
        record.get("cpu_seconds", mean("cpu_time")),
        max(rss) if rss else None,
        len(rows),
        record.get("compile_seconds"),
        record.get("flops"),
    )


def read_group(directory: str | os.PathLike) -> list[JobBenchmark]:
    """Every `*.tsv` of a group's benchmark directory, by job name (none if the directory does not exist)."""
    return [read_benchmark(path) for path in sorted(Path(directory).glob("*.tsv"))]


def with_estimate_counts(
    jobs: Mapping[str, Sequence[JobBenchmark]], profile: str = ESTIMATE_PROFILE
) -> dict[str, list[JobBenchmark]]:
    """`jobs` with `paper_flops` set for every job whose task counts FLOPs (`Graph.counted_flops` under the
    profile's config: workflows/config/config.yaml and the profile's overrides). Where that config cannot be read
    or counted, the jobs come back without counts and the reason is printed (the job's log): the estimate is never
    a reason for a finished run to have no table."""
    from replications.core.config import profile_config

    try:
        config = profile_config(profile)
        counted = {
            group: importlib.import_module(f"replications.{group}.tasks").GRAPH.counted_flops(config[group], profile)
            for group, group_jobs in jobs.items()
            if group_jobs
        }
    except (OSError, ValueError, KeyError, TypeError) as error:  # ConfigError is a ValueError
        print(f"benchmarks: no {profile} estimate: {error!r}", flush=True)
        return {group: list(group_jobs) for group, group_jobs in jobs.items()}
    return {
        group: [job._replace(paper_flops=counted.get(group, {}).get(job.job)) for job in group_jobs]
        for group, group_jobs in jobs.items()
    }


def estimated_seconds(job: JobBenchmark, gemm_flops_per_s: float | None) -> float | None:
    """The job's estimated time in the estimate's profile on the estimate's device (module docstring), or None
    where it counts nothing or its rate was not measured."""
    if job.paper_flops is None or not job.flops or job.wall_s is None or not gemm_flops_per_s:
        return None
    run_s = job.wall_s - (job.compile_s or 0.0)
    if run_s <= 0:
        return None
    fraction_of_gemm = job.flops / run_s / gemm_flops_per_s
    return job.paper_flops / (fraction_of_gemm * ESTIMATE_DEVICE_GEMM)


def _sum(values: Sequence[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return sum(found) if found else None


def _max(values: Sequence[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return max(found) if found else None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "cpu model") and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _memory_gib() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (AttributeError, ValueError, OSError):
        return None


def _operating_system() -> str:
    try:
        name = platform.freedesktop_os_release()["PRETTY_NAME"]
    except (OSError, KeyError):
        name = platform.system()
    return f"{name} ({platform.system()} {platform.release()}, {platform.machine()})"


def _gpus() -> list[str]:
    """GPU names from nvidia-smi, where there is one."""
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        listing = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in listing.splitlines() if line.strip()]


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_description() -> dict[str, Any]:
    """CPU model, logical cores (and those this process may use), memory, OS, GPUs, Python, jax and jaxlib."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_gib": _memory_gib(),
        "os": _operating_system(),
        "gpus": _gpus(),
        "python": platform.python_version(),
        "jax": _version("jax"),
        "jaxlib": _version("jaxlib"),
    }


def machine_line(machine: Mapping[str, Any]) -> str:
    """One line: `Intel Xeon ...; 2 cores; 23.4 GiB memory; Debian ...; Python 3.11.2; jax 0.6.0 (jaxlib 0.6.0)`."""
    cores = f"{machine['cores']} cores"
    if machine.get("usable_cores") and machine["usable_cores"] != machine["cores"]:
        cores += f" ({machine['usable_cores']} usable)"
    memory = "memory unknown" if machine.get("memory_gib") is None else f"{machine['memory_gib']:.1f} GiB memory"
    parts = [machine["cpu"], cores, memory, machine["os"]]
    if machine.get("gpus"):
        parts.append("GPU: " + ", ".join(machine["gpus"]))
    parts += [f"Python {machine['python']}", f"jax {machine['jax']} (jaxlib {machine['jaxlib']})"]
    return "; ".join(parts)


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _megabytes(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def _minutes(value: float | None) -> str:
    return "" if value is None else f" ({value / 60:.1f} min)"


def _ratio(numerator: float | None, denominator: float | None, format_spec: str = ".0%") -> str:
    return "" if numerator is None or not denominator else f"{numerator / denominator:{format_spec}}"


COLUMNS = ("group", "job", "wall (s)", "CPU (s)", "CPU use", "compile (s)", "GFLOP", "GFLOP/s", "of GEMM",
           "of GEMM per core", "peak RSS (MB)", f"{ESTIMATE_PROFILE} PFLOP",
           f"{ESTIMATE_PROFILE}, {ESTIMATE_DEVICE} (h, estimated)")  # fmt: skip


def _cells(jobs: Sequence[JobBenchmark], cores: int, gemm_flops_per_s: float | None) -> list[str]:
    """wall, CPU, CPU use, compile, GFLOP, GFLOP/s, fraction of GEMM (over wall time) and per core (over CPU time),
    peak RSS, the estimate's profile's PFLOP and estimated hours of one job or of several summed (the FLOP rates
    over the jobs that counted FLOPs; the estimate over the jobs that have one)."""
    wall, cpu = _sum([j.wall_s for j in jobs]), _sum([j.cpu_s for j in jobs])
    compile_s, flops = _sum([j.compile_s for j in jobs]), _sum([j.flops for j in jobs])
    counted_wall = _sum([j.wall_s for j in jobs if j.flops is not None])
    counted_cpu = _sum([j.cpu_s for j in jobs if j.flops is not None])
    rate = None if flops is None or not counted_wall else flops / counted_wall
    core_rate = None if flops is None or not counted_cpu else flops / counted_cpu
    return [
        _seconds(wall),
        _seconds(cpu),
        _ratio(cpu, None if wall is None else wall * cores),
        _seconds(compile_s),
        "" if flops is None else f"{flops / 1e9:.0f}",
        "" if rate is None else f"{rate / 1e9:.1f}",
        _ratio(rate, gemm_flops_per_s),
        _ratio(core_rate, None if gemm_flops_per_s is None else gemm_flops_per_s / cores),
        _megabytes(_max([j.max_rss_mb for j in jobs])),
        "" if (paper := _sum([j.paper_flops for j in jobs])) is None else f"{paper / 1e15:,.1f}",
        ""
        if (hours := _sum([estimated_seconds(j, gemm_flops_per_s) for j in jobs])) is None
        else f"{hours / 3600:,.2f}",
    ]


def _estimate_scope(profile: str) -> str:
    """What the estimate columns say in a run of `profile` (only a default run is scaled to the paper profile)."""
    if profile == ESTIMATED_FROM:
        return ""
    if profile == ESTIMATE_PROFILE:
        return f" Blank here: this run is of the `{ESTIMATE_PROFILE}` profile itself, and its times are measured."
    return (
        f" Estimated from a run of the `{ESTIMATED_FROM}` profile only (blank here): a `{profile}` run's programs "
        "are not sized like the papers', and their rates say nothing of the paper profile's."
    )


def benchmarks_markdown(
    jobs: Mapping[str, Sequence[JobBenchmark]],
    *,
    profile: str,
    machine: Mapping[str, Any],
    source: str,
    gemm_flops_per_s: float | None = None,
) -> str:
    """The table of BENCHMARKS.md: one row per job, a subtotal per group (in the order given), a grand total."""
    cores = machine.get("usable_cores") or machine.get("cores") or 1
    gemm = "not measured" if gemm_flops_per_s is None else f"{gemm_flops_per_s / 1e9:.1f} GFLOP/s"
    lines = [
        "# Benchmarks",
        "",
        f"Wall time, CPU time and peak memory (maximum resident set size) of every compute job of the last run of "
        f"the `{profile}` profile, from Snakemake's `benchmark:` files ({source}), with each job's own record "
        "(`<task>.perf.json` beside them: replications/core/perf.py). Totals add the jobs' times as if they ran one "
        "after another (a compute job counts as one thread, so `--cores 2` runs two side by side, though mup's MLP "
        "and Transformer sweeps split their nets over every core: a job's CPU use and FLOP rate are its share of a "
        "machine it shared); "
        "peaks are the largest of any job.",
        "",
        f"CPU use: CPU time / (wall time x {cores} cores). Compile: seconds JAX spent tracing, lowering and "
        "compiling (a program found in the persistent compilation cache costs its loading). GFLOP: what the job's "
        "training programs counted (one step of one net costed by XLA, or counted per weight; blank: not counted). "
        "GFLOP/s: those FLOPs over the job's whole wall time; of GEMM: that rate over the machine's float32 GEMM "
        f"rate, measured by this table's job ((2048 x 2048) @ (2048 x 2048), best of 7): {gemm}. Of GEMM per "
        f"core: the FLOPs over the job's CPU time, over one core's share of that rate (GEMM / {cores}): how well the "
        "cores the job kept busy were used, whether it ran alone or beside another job (a thread that waits "
        "spinning counts as busy).",
        "",
        f"The `{ESTIMATE_PROFILE}` profile on {ESTIMATE_DEVICE}, estimated, not measured: {ESTIMATE_PROFILE} PFLOP is "
        f"what a job that counts FLOPs would count under the `{ESTIMATE_PROFILE}` profile's config, counted from "
        "shapes without running it (replications/<group>/costs.py; blank: the job counts none); the hours are those "
        "FLOPs at the job's fraction of the GEMM rate measured here (its FLOPs over its wall time less its compile "
        f"time, not the whole wall time of `of GEMM`) times {ESTIMATE_DEVICE}'s float32 GEMM rate, taken as "
        f"{ESTIMATE_DEVICE_GEMM / 1e12:.1f} TFLOP/s (the datasheet's dense TF32 rate, which JAX uses for float32 "
        "products on such GPUs by default). An order of magnitude: small nets use a GPU less well than a CPU (too few "
        "hours), and a job that shared this machine measured a lower fraction (too many). Totals add the jobs that "
        "have a count or an estimate." + _estimate_scope(profile),
        "",
        f"Profile `{profile}`. Machine (as the report job saw it): {machine_line(machine)}.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|---|---|" + "---:|" * (len(COLUMNS) - 2),
    ]
    everything: list[JobBenchmark] = []
    for group, group_jobs in jobs.items():
        if not group_jobs:
            lines.append(f"| {group} | *no benchmark files* |" + " |" * (len(COLUMNS) - 2))
            continue
        for job in group_jobs:
            name = job.job if job.runs == 1 else f"{job.job} (mean of {job.runs} runs)"
            lines.append("| " + " | ".join([group, name, *_cells([job], cores, gemm_flops_per_s)]) + " |")
        lines.append(_total_row(f"{group} total", group_jobs, cores, gemm_flops_per_s))
        everything.extend(group_jobs)
    lines.append(_total_row("all groups", everything, cores, gemm_flops_per_s))
    return "\n".join(lines) + "\n"


def _total_row(label: str, jobs: Sequence[JobBenchmark], cores: int, gemm_flops_per_s: float | None) -> str:
    """A subtotal: the cells of `_cells` in bold, the wall time also in minutes, compile time also as its share."""
    wall, compile_s = _sum([j.wall_s for j in jobs]), _sum([j.compile_s for j in jobs])
    cells = [_bold(cell) for cell in _cells(jobs, cores, gemm_flops_per_s)]
    cells[0] += _minutes(wall)
    if share := _ratio(compile_s, wall):
        cells[3] += f" ({share} of wall)"
    count = f"{len(jobs)} job" + ("" if len(jobs) == 1 else "s")
    return "| " + " | ".join([f"**{label}**", count, *cells]) + " |"


def _bold(text: str) -> str:
    return f"**{text}**" if text else ""


def write(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Write BENCHMARKS.md from the benchmark directories `config["benchmark_dirs"]` (group -> directory, in the
    table's order). The inputs (each group's claims.json) only order the job after the groups' compute jobs."""
    directories = {group: Path(directory) for group, directory in config["benchmark_dirs"].items()}
    jobs = _run_jobs(directories, config["profile"])
    from replications.core.perf import gemm_rate

    text = benchmarks_markdown(
        jobs,
        profile=config["profile"],
        machine=machine_description(),
        source=_source(directories),
        gemm_flops_per_s=gemm_rate(),
    )
    atomic_write(outputs["table"], lambda tmp: tmp.write_text(text))


def _run_jobs(directories: Mapping[str, Path], profile: str) -> dict[str, list[JobBenchmark]]:
    """group -> the jobs of a run of `profile` whose benchmark files are in the group's directory, with the paper
    profile's counts where the run is the one the estimate scales (`ESTIMATED_FROM`)."""
    jobs = {group: read_group(directory) for group, directory in directories.items()}
    return with_estimate_counts(jobs) if profile == ESTIMATED_FROM else jobs


def _source(directories: Mapping[str, Path]) -> str:
    """`results/<group>/benchmarks/*.tsv` when every group's directory has that form, else each directory."""
    parents = {directory.parent.parent for directory in directories.values()}
    if len(parents) == 1 and all(d == d.parent.parent / g / "benchmarks" for g, d in directories.items()):
        return f"`{parents.pop().as_posix()}/<group>/benchmarks/*.tsv`"
    return ", ".join(f"`{directory.as_posix()}/*.tsv`" for directory in directories.values())


def print_last_run(results_dir: str | os.PathLike = "results", profile: str = "default") -> None:
    """Print the table of the last run whose benchmark files are under `results_dir` (`make bench`), the GEMM rate
    measured now."""
    from replications import GROUPS
    from replications.core.perf import gemm_rate

    directories = {group: Path(results_dir) / group / "benchmarks" for group in GROUPS}
    jobs = _run_jobs(directories, profile)
    machine = machine_description()
    print(
        benchmarks_markdown(
            jobs, profile=profile, machine=machine, source=_source(directories), gemm_flops_per_s=gemm_rate()
        )
    )
