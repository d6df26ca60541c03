"""The pipeline's guards, each by `snakemake -n` on a temporary copy of the repository: every one stops before any
job with one line that names the problem and the fix. Also the DAG of a fresh clone, group targets and Makefile
safety nets."""

import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from replications import GROUPS

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """The repository's tracked and untracked-but-not-ignored files (committed figures included), no results."""
    target = tmp_path_factory.mktemp("repo")
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def dry_run(copy: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "-n", "--cores", "2", *args]
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run(command, cwd=copy, capture_output=True, text=True, env=env)


def stopped_with(result: subprocess.CompletedProcess, message: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert message in output, output[-3000:]
    assert "Job stats" not in output  # no job planned, let alone run


def test_a_misspelt_workflow_profile_stops(copy):
    result = dry_run(copy, "--workflow-profile", "workflows/profiles/smok")
    stopped_with(
        result,
        "workflow profile workflows/profiles/smok does not exist: pass --workflow-profile one of "
        "workflows/profiles/paper, workflows/profiles/smoke",
    )


def test_a_profile_name_without_its_overrides_stops(copy):
    stopped_with(
        dry_run(copy, "--config", "profile=paper"),
        "profile is 'paper' but workflows/profiles/paper/overrides.yaml was not loaded",
    )


def test_a_configfile_that_drops_the_profile_overrides_stops(copy):
    (copy / "my.yaml").write_text("neal: {seed: 3}\n")
    result = dry_run(copy, "--workflow-profile", "workflows/profiles/paper", "--configfile", "my.yaml")
    stopped_with(result, "--workflow-profile workflows/profiles/paper was given but its overrides were not loaded")


def test_paper_profile_without_data_stops(copy):
    result = dry_run(copy, "--workflow-profile", "workflows/profiles/paper")
    stopped_with(result, "nngp.dataset: MNIST file data/mnist/train-images-idx3-ubyte.gz is missing")


def test_paper_profile_with_damaged_data_stops(copy, tmp_path):
    data = tmp_path / "mnist"
    data.mkdir()
    for name in ("train-images", "train-labels", "t10k-images", "t10k-labels"):
        name = f"{name}-idx{3 if name.endswith('images') else 1}-ubyte"
        (data / name).write_bytes(b"\0\0\x08\x01\0\0\0\x02ab")  # a valid IDX header, the wrong digits
    (copy / "data.yaml").write_text(f"nngp: {{dataset: {{name: mnist, directory: {data}}}}}\n")
    files = ["workflows/config/config.yaml", "workflows/profiles/paper/overrides.yaml", "data.yaml"]
    result = dry_run(copy, "--workflow-profile", "workflows/profiles/paper", "--configfile", *files)
    stopped_with(result, "nngp.dataset: ")
    assert str(data) in result.stdout + result.stderr


def test_a_job_whose_estimated_memory_exceeds_its_mem_mb_stops(copy):
    stopped_with(
        dry_run(copy, "--config", "mem_mb=100"),
        "nngp_gp_search: estimated peak memory 122 MB exceeds the job's mem_mb = 100: lower the sizes in nngp or "
        "raise mem_mb (--config mem_mb=...)",
    )


def test_an_optimization_override_of_no_compute_job_stops(copy, tmp_path):
    overrides = tmp_path / "xla.yaml"
    overrides.write_text("xla_optimization_overrides: {level: 1, jobs: [mup_tp5]}\n")
    stopped_with(
        dry_run(copy, "--configfile", "workflows/config/config.yaml", str(overrides)),
        "xla_optimization_overrides: mup_tp5 is not a compute job (one of meanfield_cb_particles,",
    )


def shell_commands(result: subprocess.CompletedProcess) -> list[str]:
    """The shell commands of the jobs a `snakemake -n -p` planned."""
    return [line.removeprefix("Shell command: ") for line in result.stdout.splitlines() if "python -m " in line]


def test_each_compute_job_gets_its_optimization_level(copy):
    """Smoke: level 0 for every compute job but tp4 (its override: XLA's default), each set by the job's command,
    where XLA_FLAGS in the run's environment win."""
    smoke = ["--workflow-profile", "workflows/profiles/smoke", "-p", "mup_tp4", "ntk_relchange"]
    commands = shell_commands(dry_run(copy, *smoke))

    def flags(job: str, environment: dict[str, str]) -> str:
        """XLA_FLAGS as the job's command sets them, in a shell with `environment`."""
        (command,) = [line for line in commands if f" -m replications {job} " in line]
        assignment = command.split(" REPLICATIONS_MEM_MB=")[0]
        shell = ["bash", "-c", f'set -euo pipefail; {assignment}; printf %s "$XLA_FLAGS"']
        return subprocess.run(shell, env=environment, capture_output=True, text=True, check=True).stdout

    bare = {"PATH": os.environ["PATH"]}
    assert flags("mup tp4", bare) == "" and flags("ntk relchange", bare) == "--xla_backend_optimization_level=0"
    user = {**bare, "XLA_FLAGS": "--xla_dump_to=/tmp/x"}
    assert flags("mup tp4", user) == flags("ntk relchange", user) == "--xla_dump_to=/tmp/x"


def test_the_default_profile_optimizes_compile_bound_jobs_less(copy):
    """Default: LLVM's O1 for a job in `xla_optimization_overrides.jobs` (ntk's relchange), XLA's default for the
    others (nngp's nn_search): no XLA_FLAGS of the job's own."""
    commands = shell_commands(dry_run(copy, "-p", "ntk_relchange", "nngp_nn_search"))
    relchange, search = (
        [c for c in commands if f" -m replications {job} " in c] for job in ("ntk relchange", "nngp nn_search")
    )
    assert len(relchange) == len(search) == 1
    assert 'XLA_FLAGS="${XLA_FLAGS---xla_backend_optimization_level=1}"' in relchange[0]
    assert 'XLA_FLAGS="${XLA_FLAGS-}"' in search[0]


def test_a_fresh_clone_plans_every_compute_job(copy):
    """Committed figures never satisfy the DAG without their results: every compute job of every group is planned,
    Neal's sample figures included."""
    result = dry_run(copy)
    assert result.returncode == 0, result.stderr[-3000:]
    for group in GROUPS:
        graph = __import__(f"replications.{group}.tasks", fromlist=["GRAPH"]).GRAPH
        for name in [*graph.compute, *graph.figures, "claims"]:
            assert f"rule {group}_{name}:" in result.stdout, f"{group}_{name}"
    assert "rule benchmarks_table:" in result.stdout
    table_job = _job_block(result.stdout, "benchmarks_table")
    assert "    input:" in table_job and PAPER_OVERRIDES in table_job
    assert "rule " not in table_job.split("\n", 1)[1]  # one job's lines, not the plan's rest


PAPER_OVERRIDES = "workflows/profiles/paper/overrides.yaml"


def _job_block(plan: str, rule: str) -> str:
    """The lines of a dry run's plan that describe the job of `rule`: its header, then its indented input, output,
    reason... (the next job's header ends it; listings need not be separated by a blank line)."""
    lines = plan.splitlines()
    header = next(i for i, line in enumerate(lines) if line.endswith(f"rule {rule}:"))
    block = itertools.takewhile(lambda line: line.startswith("    "), lines[header + 1 :])
    return "\n".join([lines[header], *block])


def test_only_a_default_table_reads_the_paper_config(copy, tmp_path):
    """BENCHMARKS.md scales only a default run to the paper profile, so a smoke table does not depend on (nor is
    rebuilt for) the paper config."""
    out = [f"results_dir={tmp_path}/results", f"figures_dir={tmp_path}/figures"]
    smoke = ["--workflow-profile", "workflows/profiles/smoke", "--config", *out]
    result = dry_run(copy, f"{tmp_path}/figures/BENCHMARKS.md", *smoke)
    assert result.returncode == 0, result.stderr[-3000:]
    table_job = _job_block(result.stdout, "benchmarks_table")
    assert "    input:" in table_job and PAPER_OVERRIDES not in table_job


def test_group_targets(copy):
    result = dry_run(copy, "nngp")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "rule nngp_claims:" in result.stdout and "rule ntk_" not in result.stdout
    targets = subprocess.run(
        [sys.executable, "-m", "snakemake", "--list-target-rules"], cwd=copy, capture_output=True, text=True
    ).stdout.split()
    assert set(GROUPS) <= set(targets) and "ntk_relchange" in targets and "ntk_fig_relchange" in targets


def test_make_clean_keeps_paper_results(copy):
    for folder in ("results/paper/results/nngp", "results/neal", "results/smoke/results", ".snakemake"):
        (copy / folder).mkdir(parents=True, exist_ok=True)
        (copy / folder / "x.csv").write_text("x")
    subprocess.run(["make", "clean"], cwd=copy, check=True, capture_output=True)
    assert (copy / "results/paper/results/nngp/x.csv").exists()
    assert not (copy / "results/neal").exists() and not (copy / "results/smoke").exists()
    assert not (copy / ".snakemake").exists()


def test_make_with_the_wrong_python_says_so_and_builds_nothing(copy, tmp_path):
    fake = tmp_path / "python3.9"
    fake.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Python 3.9.2" && exit 0\nexit 1\n')
    fake.chmod(0o755)
    venv = tmp_path / "venv"
    result = subprocess.run(
        ["make", f"PYTHON={fake}", f"VENV={venv}", f"{venv}/bin/snakemake"], cwd=copy, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "needs Python 3.11: " in result.stderr and "Python 3.9.2" in result.stderr
    assert not venv.exists()


def test_data_folder_is_ignored():
    result = subprocess.run(["git", "check-ignore", "-q", "data/mnist/train-images-idx3-ubyte.gz"], cwd=REPO)
    assert result.returncode == 0


@pytest.mark.pipeline
def test_editing_the_code_a_job_runs_reruns_it(copy, tmp_path):
    """The roughness job (smoke size), then an edit of core: the job is planned again, its figure too; an edit of
    another group's package leaves it alone."""
    out = [f"results_dir={tmp_path}/results", f"figures_dir={tmp_path}/figures"]
    target = f"{tmp_path}/figures/neal/fig_roughness.png"
    smoke = ["--workflow-profile", "workflows/profiles/smoke", "--config", *out]
    command = [sys.executable, "-m", "snakemake", "--cores", "2", target, *smoke]
    done = subprocess.run(
        command, cwd=copy, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(copy)}
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Nothing to be done" in dry_run(copy, target, *smoke).stdout
    with open(copy / "replications/ntk/measures.py", "a") as f:
        f.write("\n# another group's edit\n")
    assert "Nothing to be done" in dry_run(copy, target, *smoke).stdout
    with open(copy / "replications/core/stats.py", "a") as f:
        f.write("\n# an edit\n")
    planned = dry_run(copy, target, *smoke)
    assert "rule neal_roughness:" in planned.stdout and "rule neal_fig_roughness:" in planned.stdout
    assert "params" in planned.stdout.lower()


def test_building_the_dag_imports_no_jax():
    """Every Snakemake invocation imports these modules to build the DAG and estimate each job's memory (tp4_memory
    counts the corpus there): importing JAX would cost every invocation seconds, so none of them may."""
    modules = [
        "replications.core.graph",
        "replications.core.config",
        "replications.report.benchmarks",
        "replications.mup.tp4_memory",
        *(f"replications.{group}.tasks" for group in GROUPS),
    ]
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += "print(sorted(m for m in sys.modules if m == 'jax' or m.startswith('jax.')))"
    imported = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "[]", imported.stdout
