"""The muP group's graph, declared once: `workflows/groups.smk` emits its rules and `python -m replications mup
TASK ...` runs its tasks (imported on demand)."""

from collections.abc import Mapping
from typing import Any

from replications.core.graph import Compute, Figure, Graph

# MNIST-1D generated offline (the mnist1d package), shared by the MNIST-1D tasks; named for its size and seed.
MNIST1D = "data/mnist1d_n{data[mnist1d_samples]}_seed{seed}.npz"


def tp4_data_problems(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """text8 missing or damaged (TP4's Word2Vec on the `text8` corpus), checked before any job runs."""
    from replications.mup.corpus import DataError, load_text8

    if config["corpus"] != "text8":
        return []
    if not config["text8_dir"]:
        return [("mup.tp4.text8_dir", "the text8 corpus needs text8_dir, the folder holding the unzipped text8")]
    try:
        load_text8(config["text8_dir"])
    except DataError as error:
        return [("mup.tp4.text8_dir", str(error))]
    return []


def tp4_memory_mb(config: Mapping[str, Any]) -> float:
    """The tp4 job's estimated peak memory (`tp4_word2vec.memory_mb` of the group's `tp4` section); 0 when its
    corpus cannot be read (`tp4_data_problems` reports that)."""
    if tp4_data_problems(config["tp4"]):
        return 0.0
    from replications.mup.tp4_word2vec import memory_mb

    return memory_mb(config["tp4"])


GRAPH = Graph(
    group="mup",
    title="muP (Tensor Programs IV, V, VI)",
    compute={
        "data": Compute("experiments:data", {"data": MNIST1D}),
        "abc": Compute("abc_space:abc", {"abc_table": "abc_table.csv", "abc_phase": "abc_phase.csv"}),
        "coordcheck": Compute("experiments:coordcheck", {"coordcheck_deltas": "coordcheck_deltas.csv"}, ("data",)),
        "maxlr": Compute("experiments:maxlr", {"maxlr_runs": "maxlr_runs.csv", "maxlr": "maxlr.csv"}),
        "transfer": Compute(
            "experiments:transfer",
            {"transfer_losses": "transfer_losses.csv", "transfer_tuning": "transfer_tuning.csv"},
            ("data",),
        ),
        "depth": Compute("experiments:depth", {"depth_losses": "depth_losses.csv"}, ("data",)),
        "tp4": Compute(
            "tp4_word2vec:run",
            {"tp4_scores": "tp4_scores.csv", "tp4_limit_check": "tp4_limit_check.csv"},
            memory_mb=tp4_memory_mb,
        ),
    },
    figures={
        "tab_abc": Figure("tab_abc:draw", ("abc_table",), extra={"md": "tab_abc.md"}),
        "fig_abc_phase": Figure("fig_abc_phase:draw", ("abc_phase",)),
        "fig_coordcheck": Figure("fig_coordcheck:draw", ("coordcheck_deltas",)),
        "fig_maxlr": Figure("fig_maxlr:draw", ("maxlr_runs", "maxlr")),
        "fig3_mlp_transfer": Figure("fig3_mlp_transfer:draw", ("transfer_losses", "transfer_tuning")),
        "fig_depth_transfer": Figure("fig_depth_transfer:draw", ("depth_losses",)),
        "fig_tp4_word2vec": Figure("fig_tp4_word2vec:draw", ("tp4_scores", "tp4_limit_check")),
    },
    claims=(
        "abc_table",
        "coordcheck_deltas",
        "depth_losses",
        "maxlr",
        "transfer_losses",
        "tp4_scores",
        "tp4_limit_check",
    ),
    data_problems=lambda config: tp4_data_problems(config["tp4"]),
)
TASKS = GRAPH.tasks()
