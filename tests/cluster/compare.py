"""`make test-cluster`'s checks: every job of the SLURM run was a SLURM job, and the SLURM run's results and claims
equal the local run's.

    python tests/cluster/compare.py LOCAL_DIR SLURM_DIR SNAKEMAKE_LOG SLURM_LOG_DIR

Compared byte for byte: every table and array under results/ (they carry their provenance, not timestamps) and
every claims.json and CLAIMS.md under figures/. Figures are compared by name only (a PNG's bytes depend on the
fonts' cache, not on the run), and BENCHMARKS.md (timings) only for being there. A table that records how long its
own computation took (`TIMING_COLUMNS`: the Transformer's per-program FLOP rates) is compared without those
columns: its provenance lines and every other column still byte for byte.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

COMPARED = ("*.csv", "*.npz", "*.json", "*.md")
SKIPPED_PARTS = {"logs", "benchmarks", "cache"}  # per-run: log lines, timings, caches
TIMING_COLUMNS = re.compile(r"(^|_)(wall_s|cpu_s|gflop_per_s)$")


def _same(a: Path, b: Path) -> bool:
    """Byte for byte; a CSV table also when it differs only in its timing columns."""
    if a.read_bytes() == b.read_bytes():
        return True
    if a.suffix != ".csv":
        return False
    import io

    import pandas as pd

    def split(path: Path) -> tuple[list[str], pd.DataFrame]:
        lines = path.read_text().splitlines(keepends=True)
        table = pd.read_csv(io.StringIO("".join(line for line in lines if not line.startswith("#"))))
        timing = [column for column in table.columns if TIMING_COLUMNS.search(column)]
        return [line for line in lines if line.startswith("#")], table.drop(columns=timing)

    (notes_a, table_a), (notes_b, table_b) = split(a), split(b)
    return notes_a == notes_b and table_a.equals(table_b)


def _files(root: Path, patterns: tuple[str, ...]) -> dict[str, Path]:
    found = {}
    for pattern in patterns:
        for path in root.rglob(pattern):
            relative = path.relative_to(root)
            if not SKIPPED_PARTS & set(relative.parts):
                found[str(relative)] = path
    return found


def main(local: Path, slurm: Path, snakemake_log: Path, slurm_logs: Path) -> int:
    problems = []
    log = snakemake_log.read_text()
    jobs = int(re.search(r"^total\s+(\d+)", log, re.MULTILINE).group(1))
    local_rules = {"all"}  # localrules of the workflow run on the submitting host by design
    submitted = re.findall(r"Job (\d+) has been submitted with SLURM jobid (\d+)", log)
    expected = jobs - sum(1 for rule in local_rules if re.search(rf"^{rule}\s+1$", log, re.MULTILINE))
    if len(submitted) != expected:
        problems.append(f"{len(submitted)} jobs were submitted to SLURM, expected {expected} of {jobs}")
    job_logs = list(slurm_logs.rglob("*.log"))
    ids = {path.stem for path in job_logs}
    missing = sorted({slurm_id for _, slurm_id in submitted} - ids)
    if missing:
        problems.append(f"no SLURM log for job ids {missing[:10]}")
    print(f"test-cluster: {len(submitted)} of {jobs} jobs ran as SLURM jobs ({len(job_logs)} SLURM job logs)")

    for what, patterns in (("results", COMPARED), ("figures", (*COMPARED, "*.png", "*.pdf"))):
        a, b = _files(local / what, patterns), _files(slurm / what, patterns)
        if set(a) != set(b):
            only_local, only_slurm = sorted(set(a) - set(b))[:5], sorted(set(b) - set(a))[:5]
            problems.append(f"{what}: files only in the local run {only_local}, only in the SLURM run {only_slurm}")
        differing = [
            name
            for name in sorted(set(a) & set(b))
            if not name.endswith((".png", ".pdf", "BENCHMARKS.md")) and not _same(a[name], b[name])
        ]
        if differing:
            problems.append(f"{what}: {len(differing)} files differ, e.g. {differing[:5]}")
        print(f"test-cluster: {what}: {len(set(a) & set(b))} files in both runs, {len(differing)} differ")
    for problem in problems:
        print(f"test-cluster: FAILED: {problem}")
    if not problems:
        print("test-cluster: passed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*(Path(arg) for arg in sys.argv[1:5])))
