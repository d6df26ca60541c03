"""figures/BENCHMARKS.md from fake Snakemake benchmark files: rows, repeats, unmeasured values, subtotals, the grand
total, the machine line, and the task as the rule calls it."""

import json

import pytest

from replications.__main__ import main
from replications.core import perf
from replications.core.config import profile_config
from replications.core.graph import task_config
from replications.mup.costs import transfer_flops
from replications.mup.tasks import GRAPH as MUP
from replications.report import benchmarks
from replications.report.benchmarks import (
    ESTIMATE_DEVICE_GEMM,
    JobBenchmark,
    benchmarks_markdown,
    estimated_seconds,
    machine_description,
    machine_line,
    read_benchmark,
    with_estimate_counts,
)

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
MACHINE = {
    "cpu": "Test CPU 3000",
    "cores": 16,
    "usable_cores": 2,
    "memory_gib": 23.5,
    "os": "Debian GNU/Linux 12 (Linux 6.1, x86_64)",
    "gpus": [],
    "python": "3.11.2",
    "jax": "0.6.0",
    "jaxlib": "0.6.0",
}


def write_tsv(path, *rows: str, header: str = HEADER) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "".join(row + "\n" for row in rows))


@pytest.fixture
def results(tmp_path):
    """results/neal/benchmarks with two jobs (one run twice), results/ntk/benchmarks with one job with an
    unmeasured RSS and Snakemake's extended columns; no benchmarks for mup."""
    neal, ntk = tmp_path / "results/neal/benchmarks", tmp_path / "results/ntk/benchmarks"
    write_tsv(neal / "convergence.tsv", "38.70\t0:00:38\t691.29\t2082.34\t661.31\t674.96\t0.00\t0.01\t59.13\t23.49")
    write_tsv(
        neal / "covariance.tsv",
        "10.00\t0:00:10\t700.00\t2052.72\t682.75\t696.40\t0.02\t0.05\t147.75\t20.00",
        "20.00\t0:00:20\t712.86\t2052.72\t682.75\t696.40\t0.02\t0.05\t147.75\t24.00",
    )
    write_tsv(
        ntk / "pca.tsv",
        "80.12\t0:01:20\tNA\tNA\tNA\tNA\t0.00\t0.10\t150.0\t150.50\tjob1\tntk_pca\t\t\t2",
        header=HEADER.rstrip("\n") + "\tjobid\trule_name\twildcards\tparams\tthreads\n",
    )
    (tmp_path / "results/neal/benchmarks/notes.txt").write_text("not a benchmark")
    record = {"wall_seconds": 37.0, "compile_seconds": 4.25, "backend_compiles": 3, "flops": 2.5e12}
    (neal / "convergence.perf.json").write_text(json.dumps({**record, "cpu_seconds": 30.0}))  # preferred
    (ntk / "pca.perf.json").write_text(json.dumps({**record, "compile_seconds": 10.0, "flops": None}))
    return tmp_path / "results"


def test_read_benchmark(results):
    assert read_benchmark(results / "neal/benchmarks/convergence.tsv") == JobBenchmark(
        "convergence", 38.70, 30.0, 691.29, 1, 4.25, 2.5e12
    )
    repeated = read_benchmark(results / "neal/benchmarks/covariance.tsv")  # no perf record
    assert repeated == JobBenchmark("covariance", 15.0, 22.0, 712.86, 2)  # times averaged, the largest RSS
    assert read_benchmark(results / "ntk/benchmarks/pca.tsv") == JobBenchmark("pca", 80.12, 150.50, None, 1, 10.0, None)
    empty = results / "empty.tsv"
    write_tsv(empty)
    with pytest.raises(ValueError, match="no runs"):
        read_benchmark(empty)


def _write_table(results, tmp_path, monkeypatch, profile: str) -> tuple[str, list[float], list[dict]]:
    """The table task as the rule calls it, on the fake benchmark files: (its text, the GEMM rates it measured (a
    fixed 50 GFLOP/s), the jobs it asked the paper profile's counts for)."""
    measured, counted = [], []
    monkeypatch.setattr(perf, "gemm_rate", lambda: measured.append(50e9) or 50e9)  # the rate the job measures
    monkeypatch.setattr(benchmarks, "with_estimate_counts", lambda jobs: counted.append(jobs) or dict(jobs))
    groups = ["neal", "ntk", "mup"]
    config = {"profile": profile, "benchmark_dirs": {g: f"{results}/{g}/benchmarks" for g in groups}}
    claims = {g: tmp_path / f"figures/{g}/claims.json" for g in groups}  # the rule's inputs: never read
    table = tmp_path / "figures/BENCHMARKS.md"
    main(
        ["report", "benchmarks", "--config", json.dumps(config)]
        + [f"--in={g}={path}" for g, path in claims.items()]
        + [f"--out=table={table}"]
    )
    return table.read_text(), measured, counted


def test_only_a_default_run_is_scaled_to_the_paper_profile(results, tmp_path, monkeypatch):
    text, _, counted = _write_table(results, tmp_path, monkeypatch, "default")
    assert [set(jobs) for jobs in counted] == [{"neal", "ntk", "mup"}] and "blank here" not in text
    text, _, counted = _write_table(results, tmp_path, monkeypatch, "smoke")
    assert counted == [] and "Estimated from a run of the `default` profile only (blank here)" in text
    text, _, counted = _write_table(results, tmp_path, monkeypatch, "paper")
    assert counted == [] and "this run is of the `paper` profile itself, and its times are measured" in text


def test_task_writes_the_table(results, tmp_path, monkeypatch):
    text, measured, _ = _write_table(results, tmp_path, monkeypatch, "smoke")
    assert "Profile `smoke`." in text and f"`{results}/<group>/benchmarks/*.tsv`" in text
    assert f"Machine (as the report job saw it): {machine_line(machine_description())}." in text
    assert measured == [50e9] and "GFLOP/s)" not in text and "best of 7): 50.0 GFLOP/s." in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| group")]
    cores = machine_description()["usable_cores"] or machine_description()["cores"]
    use = lambda cpu, wall: f"{cpu / (wall * cores):.0%}"  # noqa: E731
    of_gemm = "129%"  # 2.5 TFLOP in 38.7 s is 64.6 GFLOP/s, 1.29 times the GEMM's 50 GFLOP/s
    per_core = f"{2.5e12 / 30.0 / (50e9 / cores):.0%}"  # over its 30 s of CPU, against one core's share of the GEMM
    assert rows == [  # neal and ntk count no FLOPs in the paper profile either: no estimate
        f"| neal | convergence | 38.7 | 30.0 | {use(30.0, 38.7)} | 4.2 | 2500 | 64.6 | {of_gemm} | {per_core} | 691 "
        "|  |  |",
        f"| neal | covariance (mean of 2 runs) | 15.0 | 22.0 | {use(22, 15)} |  |  |  |  |  | 713 |  |  |",
        f"| **neal total** | 2 jobs | **53.7** (0.9 min) | **52.0** | **{use(52.0, 53.7)}** | **4.2** (8% of wall) "
        f"| **2500** | **64.6** | **{of_gemm}** | **{per_core}** | **713** |  |  |",
        f"| ntk | pca | 80.1 | 150.5 | {use(150.5, 80.12)} | 10.0 |  |  |  |  |  |  |  |",
        f"| **ntk total** | 1 job | **80.1** (1.3 min) | **150.5** | **{use(150.5, 80.12)}** | **10.0** (12% of wall) "
        "|  |  |  |  |  |  |  |",
        "| mup | *no benchmark files* | | | | | | | | | | | |",
        f"| **all groups** | 3 jobs | **133.8** (2.2 min) | **202.5** | **{use(202.5, 133.82)}** "
        f"| **14.2** (11% of wall) | **2500** | **64.6** | **{of_gemm}** | **{per_core}** | **713** |  |  |",
    ]


def test_paper_estimate_counts_the_paper_config_and_keeps_the_measured_fraction_of_gemm():
    """A job that counts FLOPs gets the paper profile's count (its task's `costs` function under the paper config)
    and an estimated time: those FLOPs at its measured fraction of the GEMM rate times the device's rate."""
    measured = JobBenchmark("transfer", 110.0, 100.0, 900.0, 1, compile_s=10.0, flops=5e12)  # 50 GFLOP/s running
    untimed = JobBenchmark("coordcheck", 20.0, 20.0, 500.0, 1, compile_s=5.0)
    jobs = with_estimate_counts({"mup": [measured, untimed]})["mup"]
    assert {task for task, compute in MUP.compute.items() if compute.flops} == {
        "maxlr",
        "transfer",
        "depth",
        "transformer",
    }
    paper_transfer = transfer_flops(task_config(profile_config("paper")["mup"], "transfer", "paper"))
    assert jobs[0].paper_flops == paper_transfer > 1e3 * measured.flops and jobs[1].paper_flops is None
    gemm = 200e9  # the job ran at a quarter of it
    assert estimated_seconds(jobs[0], gemm) == pytest.approx(paper_transfer / (0.25 * ESTIMATE_DEVICE_GEMM))
    assert estimated_seconds(jobs[1], gemm) is None and estimated_seconds(jobs[0], None) is None
    row = benchmarks_markdown({"mup": jobs}, profile="default", machine=MACHINE, source="`r`", gemm_flops_per_s=gemm)
    cells = next(line for line in row.splitlines() if line.startswith("| mup | transfer")).split(" | ")
    assert cells[-2:] == [f"{paper_transfer / 1e15:,.1f}", f"{estimated_seconds(jobs[0], gemm) / 3600:,.2f} |"]


def test_a_profile_that_cannot_be_counted_leaves_the_estimate_blank(capsys):
    job = JobBenchmark("transfer", 110.0, 100.0, 900.0, 1, compile_s=10.0, flops=5e12)
    assert with_estimate_counts({"mup": [job], "neal": []}, profile="no_such_profile") == {"mup": [job], "neal": []}
    assert "no no_such_profile estimate" in capsys.readouterr().out


def test_machine_line():
    assert machine_line(MACHINE) == (
        "Test CPU 3000; 16 cores (2 usable); 23.5 GiB memory; Debian GNU/Linux 12 (Linux 6.1, x86_64); "
        "Python 3.11.2; jax 0.6.0 (jaxlib 0.6.0)"
    )
    with_gpu = {**MACHINE, "usable_cores": 16, "memory_gib": None, "gpus": ["NVIDIA H200"]}
    assert machine_line(with_gpu) == (
        "Test CPU 3000; 16 cores; memory unknown; Debian GNU/Linux 12 (Linux 6.1, x86_64); GPU: NVIDIA H200; "
        "Python 3.11.2; jax 0.6.0 (jaxlib 0.6.0)"
    )
    here = machine_description()
    assert here["cpu"] and here["cores"] >= 1 and here["memory_gib"] > 0 and here["python"].startswith("3.")
    assert here["jax"][0].isdigit()


def test_no_jobs_at_all():
    text = benchmarks_markdown({"neal": []}, profile="default", machine=MACHINE, source="`results`")
    assert text.splitlines()[-2:] == [
        "| neal | *no benchmark files* | | | | | | | | | | | |",
        "| **all groups** | 0 jobs |  |  |  |  |  |  |  |  |  |  |  |",
    ]


@pytest.mark.parametrize("profile", ["default", "smoke", "paper"])
def test_captions_render_from_the_config_without_docutils_errors(profile):
    """Every report caption is a Jinja2 template of `snakemake.config` (as Snakemake renders it) whose RST has no
    error; sizes come from the config, so a profile's caption shows that profile's numbers."""
    from pathlib import Path

    import jinja2
    from docutils.core import publish_parts

    config = profile_config(profile)

    class Snakemake:
        pass

    Snakemake.config = config
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    captions = sorted(Path("workflows/report").rglob("*.rst"))
    assert len(captions) >= 29
    for caption in captions:
        text = environment.from_string(caption.read_text()).render(snakemake=Snakemake)
        html = publish_parts(text, writer="html", settings_overrides={"report_level": 5})["body"]
        assert "system-message" not in html, caption
    steps = str(config["ntk"]["kernel_circle"]["steps"])
    fig1 = environment.from_string(Path("workflows/report/ntk/fig1_kernel.rst").read_text()).render(snakemake=Snakemake)
    assert f"after {steps} steps" in fig1
