"""The whole pipeline at smoke size, end to end through Snakemake, and the reproducibility of a compute rule."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from replications.core.provenance import read_table

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--cores", "2", "--workflow-profile", "workflows/profiles/smoke"]


def _snakemake(out: Path, *targets: str) -> None:
    command = [*SNAKEMAKE, "--config", f"results_dir={out}/results", f"figures_dir={out}/figures", *targets]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-4000:]


@pytest.mark.pipeline
def test_smoke_pipeline_end_to_end(tmp_path):
    _snakemake(tmp_path)
    figures = tmp_path / "figures"
    table = (figures / "CLAIMS.md").read_text()
    for group in ("neal", "nngp", "ntk", "meanfield", "mup"):
        doc = json.loads((figures / group / "claims.json").read_text())
        assert doc["group"] == group and doc["profile"] == "smoke" and doc["claims"]
        for claim in doc["claims"]:
            assert f"`{claim['id']}`" in table
            figure = figures / group / f"{claim['figure']}.png"
            assert figure.stat().st_size > 10_000, figure
            assert (figures / group / f"{claim['figure']}.pdf").exists()
    benchmarks = list((tmp_path / "results").glob("*/benchmarks/*.tsv"))
    assert benchmarks, "every compute rule writes a benchmark"


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
