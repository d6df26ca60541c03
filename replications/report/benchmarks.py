"""figures/BENCHMARKS.md: the wall time, CPU time and peak memory of every compute job of the last run.

    python -m replications report benchmarks --config '{"profile": "default", "benchmark_dirs": {"neal": ...}}' \
        --in neal=figures/neal/claims.json ... --out table=figures/BENCHMARKS.md

Every compute rule writes Snakemake's `benchmark:` file `results/<group>/benchmarks/<task>.tsv`: a header and one
row per run of the job (several with `repeat`), with columns s (wall seconds), h:m:s, max_rss, max_vms, max_uss,
max_pss (MB), io_in, io_out (MB), mean_load (CPU %) and cpu_time (seconds), and more with
`--benchmark-extended`; columns are read by name and a value Snakemake could not measure ("NA") stays empty. Repeats
are averaged (times) or maximized (memory). A group's subtotal and the grand total add the jobs' times as if they
ran one after another, and take the largest peak. The machine is described as the report job sees it: on a cluster,
the node that ran the report.
"""

from __future__ import annotations

import csv
import importlib.metadata
import os
import platform
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from replications.core.provenance import atomic_write


class JobBenchmark(NamedTuple):
    """One compute job: its benchmark file's name (the task), and its wall and CPU seconds and peak RSS (MB)."""

    job: str
    wall_s: float | None
    cpu_s: float | None
    max_rss_mb: float | None
    runs: int


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
    return JobBenchmark(path.stem, mean("s"), mean("cpu_time"), max(rss) if rss else None, len(rows))


def read_group(directory: str | os.PathLike) -> list[JobBenchmark]:
    """Every `*.tsv` of a group's benchmark directory, by job name (none if the directory does not exist)."""
    return [read_benchmark(path) for path in sorted(Path(directory).glob("*.tsv"))]


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


def benchmarks_markdown(
    jobs: Mapping[str, Sequence[JobBenchmark]], *, profile: str, machine: Mapping[str, Any], source: str
) -> str:
    """The table of BENCHMARKS.md: one row per job, a subtotal per group (in the order given), a grand total."""
    lines = [
        "# Benchmarks",
        "",
        f"Wall time, CPU time and peak memory (maximum resident set size) of every compute job of the last run of "
        f"the `{profile}` profile, from Snakemake's `benchmark:` files ({source}). Totals add the jobs' times as if "
        "they ran one after another (with several cores, jobs run side by side); peaks are the largest of any job.",
        "",
        f"Profile `{profile}`. Machine (as the report job saw it): {machine_line(machine)}.",
        "",
        "| group | job | wall (s) | CPU (s) | peak RSS (MB) |",
        "|---|---|---:|---:|---:|",
    ]
    everything: list[JobBenchmark] = []
    for group, group_jobs in jobs.items():
        if not group_jobs:
            lines.append(f"| {group} | *no benchmark files* | | | |")
            continue
        for job in group_jobs:
            name = job.job if job.runs == 1 else f"{job.job} (mean of {job.runs} runs)"
            lines.append(
                f"| {group} | {name} | {_seconds(job.wall_s)} | {_seconds(job.cpu_s)} | {_megabytes(job.max_rss_mb)} |"
            )
        lines.append(_total_row(f"{group} total", group_jobs))
        everything.extend(group_jobs)
    lines.append(_total_row("all groups", everything))
    return "\n".join(lines) + "\n"


def _total_row(label: str, jobs: Sequence[JobBenchmark]) -> str:
    wall, cpu = _sum([j.wall_s for j in jobs]), _sum([j.cpu_s for j in jobs])
    peak = _max([j.max_rss_mb for j in jobs])
    cells = [
        f"**{label}**",
        f"{len(jobs)} job" + ("" if len(jobs) == 1 else "s"),
        _bold(_seconds(wall)) + _minutes(wall),
        _bold(_seconds(cpu)),
        _bold(_megabytes(peak)),
    ]
    return "| " + " | ".join(cells) + " |"


def _bold(text: str) -> str:
    return f"**{text}**" if text else ""


def write(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Write BENCHMARKS.md from the benchmark directories `config["benchmark_dirs"]` (group -> directory, in the
    table's order). The inputs (each group's claims.json) only order the job after the groups' compute jobs."""
    directories = {group: Path(directory) for group, directory in config["benchmark_dirs"].items()}
    jobs = {group: read_group(directory) for group, directory in directories.items()}
    text = benchmarks_markdown(
        jobs, profile=config["profile"], machine=machine_description(), source=_source(directories)
    )
    atomic_write(outputs["table"], lambda tmp: tmp.write_text(text))


def _source(directories: Mapping[str, Path]) -> str:
    """`results/<group>/benchmarks/*.tsv` when every group's directory has that form, else each directory."""
    parents = {directory.parent.parent for directory in directories.values()}
    if len(parents) == 1 and all(d == d.parent.parent / g / "benchmarks" for g, d in directories.items()):
        return f"`{parents.pop().as_posix()}/<group>/benchmarks/*.tsv`"
    return ", ".join(f"`{directory.as_posix()}/*.tsv`" for directory in directories.values())
