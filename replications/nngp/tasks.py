"""The NNGP group's graph, declared once: `workflows/groups.smk` emits its rules and `python -m replications nngp
TASK ...` runs its tasks (imported on demand). Every task gets the whole `nngp` section (the dataset and its split
are shared)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from replications.core.graph import WHOLE_GROUP, Compute, Figure, Graph

_FLOAT64 = 8 / 2**20  # MB per float64


def gp_search_memory_mb(config: Mapping[str, Any]) -> float:
    """Peak memory of the GP search, dominated by the largest training size n: about four n x n float64 arrays
    (the angles, their interpolation, the kernel and its Cholesky factor) and three n x m ones against the m
    validation and test points."""
    n = max(config["train_sizes"])
    m = config["split"]["validation"] + config["split"]["test"]
    return _FLOAT64 * (4 * n * n + 3 * n * m)


def uncertainty_memory_mb(config: Mapping[str, Any]) -> float:
    """As the GP search's, for Fig 3's one split."""
    split = config["fig3_uncertainty"]["split"]
    n, m = split["train"], split["validation"] + split["test"]
    return _FLOAT64 * (4 * n * n + 3 * n * m)


def data_problems(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The dataset's files, read and checksummed (missing or damaged: a problem naming the file and the fix)."""
    from replications.core.data import DataError, load_mnist5k
    from replications.nngp.datasets import config_problems, dataset_config
    from replications.nngp.loading import load_file

    if problems := config_problems(config):
        return problems
    dataset = dataset_config(config)
    try:
        if dataset["name"] == "mnist5k":
            load_mnist5k()
        else:
            for which in ("train", "test"):
                load_file(dataset, which)
    except (DataError, OSError, ValueError) as error:
        return [("nngp.dataset", str(error))]
    return []


GRAPH = Graph(
    group="nngp",
    title="Lee et al. 2018 (NNGP)",
    compute={
        "gp_search": Compute(
            "experiments:gp_search_task",
            {"gp_search": "gp_search.csv"},
            config=WHOLE_GROUP,
            memory_mb=gp_search_memory_mb,
        ),
        "nn_search": Compute(
            "experiments:nn_search_task",
            {"nn_search": "nn_search.csv", "nn_retrain": "nn_retrain.csv"},
            config=WHOLE_GROUP,
            flops="costs:nn_search_flops",
        ),
        "uncertainty": Compute(
            "experiments:uncertainty",
            {"uncertainty": "uncertainty.csv"},
            config=WHOLE_GROUP,
            memory_mb=uncertainty_memory_mb,
        ),
        "phase": Compute("experiments:phase", {"phase": "phase.csv"}, config=WHOLE_GROUP),
        "lattice": Compute(
            "experiments:lattice",
            {
                "lattice_angles": "lattice_angles.csv",
                "lattice_variance": "lattice_variance.csv",
                "lattice_mnist": "lattice_mnist.csv",
            },
            config=WHOLE_GROUP,
        ),
    },
    figures={
        "table1": Figure(
            "table1:draw",
            ("gp_search", "nn_search", "nn_retrain"),
            WHOLE_GROUP,
            extra={"csv": "table1.csv", "md": "table1.md"},
        ),
        "fig1": Figure("fig1:draw", ("gp_search", "nn_search", "nn_retrain"), WHOLE_GROUP),
        "fig3_uncertainty": Figure("fig3_uncertainty:draw", ("uncertainty",), WHOLE_GROUP),
        "fig4_phase": Figure("fig4_phase:draw", ("phase",), WHOLE_GROUP),
        "fig_lattice": Figure("fig_lattice:draw", ("lattice_angles", "lattice_variance", "lattice_mnist"), WHOLE_GROUP),
        "fig_lattice_vs_exact": Figure("fig_lattice_vs_exact:draw", ("phase", "gp_search"), WHOLE_GROUP),
    },
    claims=("gp_search", "nn_search", "nn_retrain", "uncertainty", "phase", "lattice_mnist"),
    data_problems=data_problems,
)
TASKS = GRAPH.tasks()
