"""The whole pipeline at smoke size, end to end through Snakemake; its HTML report opened in a headless browser; the
reproducibility of a compute rule."""

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from replications import GROUPS
from replications.core.config import profile_config
from replications.core.provenance import code_digest, read_table

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--cores", "2", "--workflow-profile", "workflows/profiles/smoke"]


def _snakemake(out: Path, *targets: str) -> None:
    command = [*SNAKEMAKE, "--config", f"results_dir={out}/results", f"figures_dir={out}/figures", *targets]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-4000:]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """The whole smoke pipeline, run once for this module's tests."""
    out = tmp_path_factory.mktemp("smoke")
    _snakemake(out)
    return out


@pytest.mark.pipeline
def test_smoke_pipeline_end_to_end(smoke):
    tmp_path = smoke
    figures = tmp_path / "figures"
    table = (figures / "CLAIMS.md").read_text()
    for group in GROUPS:
        doc = json.loads((figures / group / "claims.json").read_text())
        assert doc["group"] == group and doc["profile"] == "smoke" and doc["claims"]
        for claim in doc["claims"]:
            assert f"`{claim['id']}`" in table
            figure = figures / group / f"{claim['figure']}.png"
            assert figure.stat().st_size > 10_000, figure
            assert (figures / group / f"{claim['figure']}.pdf").exists()
    benchmarks = list((tmp_path / "results").glob("*/benchmarks/*.tsv"))
    assert benchmarks, "every compute rule writes a benchmark"
    for path in benchmarks:  # and its own record: CPU and compile time, FLOPs where its programs count them
        record = json.loads(path.with_name(f"{path.stem}.perf.json").read_text())
        assert record["cpu_seconds"] > 0 and 0 <= record["compile_seconds"] < record["wall_seconds"], path
    config = profile_config("smoke")
    tasks = {"mup": {"maxlr", "transfer", "depth", "transformer"}, "nngp": {"nn_search"}}
    for group, bound in (("mup", {"maxlr"}), ("nngp", {"nn_search"})):  # the costs count what the jobs counted
        graph = __import__(f"replications.{group}.tasks", fromlist=["GRAPH"]).GRAPH
        counted = graph.counted_flops(config[group], "smoke")
        assert set(counted) == tasks[group]
        for task, flops in counted.items():
            record = json.loads((tmp_path / f"results/{group}/benchmarks/{task}.perf.json").read_text())["flops"]
            if task in bound:  # work that depends on results is counted at its most
                assert 0 < record <= flops * (1 + 1e-9), (task, record, flops)
            else:
                assert record == pytest.approx(flops, rel=1e-9), task
    assert any((tmp_path / "results/cache/jax").iterdir()), "compute jobs share JAX's compilation cache"
    rows = (figures / "BENCHMARKS.md").read_text()
    for group in GROUPS:  # every compute job of every group
        graph = __import__(f"replications.{group}.tasks", fromlist=["GRAPH"]).GRAPH
        for task in graph.compute:
            assert f"| {group} | {task} |" in rows, (group, task)
    roughness = read_table(tmp_path / "results/neal/roughness.csv")
    assert roughness.attrs["provenance"]["code"]["sha256"] == code_digest("neal")
    assert stat.S_IMODE((tmp_path / "results/neal/roughness.csv").stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.pipeline
@pytest.mark.browser
def test_report_opens_in_a_browser(smoke):
    """`snakemake --report` of the smoke run, opened in Debian's chromium: no console error, no docutils error, every
    figure listed, captions filled from the smoke config."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    report = smoke / "report.html"
    _snakemake(smoke, "--report", str(report))
    html = report.read_text()
    assert "System Message" not in html and "Docutils" not in html
    executable = _chromium()
    if executable is None:
        pytest.skip("no chromium to open the report: apt-get install chromium (or set CHROMIUM=/path/to/chromium)")
    errors = []
    listed = {}
    titles = {__import__(f"replications.{g}.tasks", fromlist=["GRAPH"]).GRAPH.title: g for g in GROUPS}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        for title in [*titles, "Claims and benchmarks"]:
            page.goto(report.as_uri())
            page.wait_for_load_state("networkidle")
            shown = page.inner_text("body")  # the workflow description, rendered from the config
            page.get_by_text(title, exact=True).first.click()  # the category in the menu: its files
            page.wait_for_timeout(300)
            listed[title] = page.inner_text("body")
        browser.close()
    assert not errors, errors
    assert "profile smoke" in shown
    assert all(
        f"{smoke}/figures/{table}" in listed["Claims and benchmarks"] for table in ("CLAIMS.md", "BENCHMARKS.md")
    )
    for title, group in titles.items():
        graph = __import__(f"replications.{group}.tasks", fromlist=["GRAPH"]).GRAPH
        for figure in graph.figures:
            assert f"{smoke}/figures/{group}/{figure}.png" in listed[title], figure
    steps = yaml.safe_load((REPO / "workflows/profiles/smoke/overrides.yaml").read_text())["ntk"]["kernel_circle"][
        "steps"
    ]
    assert f"after {steps} steps of full-batch" in html  # a caption filled from the smoke config


@pytest.mark.pipeline
def test_compute_rule_is_reproducible(tmp_path):
    """The same compute rule twice with one seed gives identical results (provenance included)."""
    outputs = []
    for run in ("a", "b"):
        _snakemake(tmp_path / run, "--forceall", f"{tmp_path / run}/results/neal/roughness.csv")
        outputs.append((tmp_path / run / "results/neal/roughness.csv").read_bytes())
    assert outputs[0] == outputs[1]
    assert read_table(tmp_path / "a/results/neal/roughness.csv").attrs["provenance"]["seed"] == 1994


def test_bad_config_stops_before_any_job(tmp_path):
    command = [*SNAKEMAKE, "--config", "profile=laptop", f"results_dir={tmp_path}/results"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert result.returncode != 0
    assert "profile: 'laptop' is not one of" in result.stdout + result.stderr
    assert not any(tmp_path.iterdir())
