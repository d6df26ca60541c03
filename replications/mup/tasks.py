"""The muP group's graph, declared once: `workflows/groups.smk` emits its rules and `python -m replications mup
TASK ...` runs its tasks (imported on demand)."""

from collections.abc import Mapping
from typing import Any

from replications.core.graph import Compute, Figure, Graph
from replications.mup.transformer_memory import coordcheck_memory_mb, transfer_memory_mb

# MNIST-1D generated offline (the mnist1d package), shared by the MNIST-1D tasks; named for its size and seed.
MNIST1D = "data/mnist1d_n{data[mnist1d_samples]}_seed{seed}.npz"


def tp4_data_problems(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """text8 missing or damaged (TP4's Word2Vec on the `text8` corpus), checked before any job runs."""
    from replications.mup.corpus import DataError, text8_sha256

    if config["corpus"] != "text8":
        return []
    if not config["text8_dir"]:
        return [("mup.tp4.text8_dir", "the text8 corpus needs text8_dir, the folder holding the unzipped text8")]
    try:
        text8_sha256(str(config["text8_dir"]))
    except DataError as error:
        return [("mup.tp4.text8_dir", str(error))]
    return []


def transformer_data_problems(section: str, config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """WikiText-2 missing or damaged (a Transformer task of the `paper` profile), checked before any job runs."""
    from replications.mup.corpus import DataError, load_wikitext2

    if config["corpus"] != "wikitext2":
        return []
    key = f"mup.{section}.wikitext2_dir"
    if not config["wikitext2_dir"]:
        return [(key, "the wikitext2 corpus needs wikitext2_dir, the folder holding wikitext-2-raw-v1's files")]
    try:
        load_wikitext2(config["wikitext2_dir"])
    except DataError as error:
        return [(key, str(error))]
    return []


def data_problems(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every corpus and dataset the group's tasks read from the user's folders (`paper`), checked before any job
    runs."""
    from replications.mup.datasets import problems as dataset_problems

    problems = dataset_problems(config, ("coordcheck", "maxlr", "transfer"))
    problems += tp4_data_problems(config["tp4"])
    for section in ("transformer", "transformer_coordcheck"):
        problems += transformer_data_problems(section, config[section])
    return problems


def tp4_memory_mb(config: Mapping[str, Any]) -> float:
    """The tp4 job's estimated peak memory (`tp4_memory.memory_mb` of the group's `tp4` section); 0 when its
    corpus cannot be read (`tp4_data_problems` reports that)."""
    if tp4_data_problems(config["tp4"]):
        return 0.0
    from replications.mup.tp4_memory import memory_mb

    return memory_mb(config["tp4"])


GRAPH = Graph(
    group="mup",
    title="muP (Tensor Programs IV, V, VI)",
    compute={
        "data": Compute("experiments:data", {"data": MNIST1D}),
        "abc": Compute("abc_space:abc", {"abc_table": "abc_table.csv", "abc_phase": "abc_phase.csv"}),
        "coordcheck": Compute("experiments:coordcheck", {"coordcheck_deltas": "coordcheck_deltas.csv"}, ("data",)),
        "maxlr": Compute(
            "experiments:maxlr", {"maxlr_runs": "maxlr_runs.csv", "maxlr": "maxlr.csv"}, flops="costs:maxlr_flops"
        ),
        "transfer": Compute(
            "experiments:transfer",
            {"transfer_losses": "transfer_losses.csv", "transfer_tuning": "transfer_tuning.csv"},
            ("data",),
            flops="costs:transfer_flops",
        ),
        "depth": Compute(
            "experiments:depth", {"depth_losses": "depth_losses.csv"}, ("data",), flops="costs:depth_flops"
        ),
        "transformer": Compute(
            "transformer_experiments:transfer",
            {
                "transformer_losses": "transformer_losses.csv",
                "transformer_tuning": "transformer_tuning.csv",
                "transformer_timing": "transformer_timing.csv",
            },
            memory_mb=transfer_memory_mb,
            flops="costs:transformer_flops",
        ),
        "transformer_coordcheck": Compute(
            "transformer_experiments:coordcheck",
            {
                "transformer_coord_deltas": "transformer_coord_deltas.csv",
                "transformer_grad_rms": "transformer_grad_rms.csv",
            },
            memory_mb=coordcheck_memory_mb,
        ),
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
        "fig1_transformer_transfer": Figure(
            "fig1_transformer_transfer:draw", ("transformer_losses", "transformer_tuning", "transformer_timing")
        ),
        "fig_transformer_coordcheck": Figure(
            "fig_transformer_coordcheck:draw", ("transformer_coord_deltas", "transformer_grad_rms")
        ),
        "fig_tp4_word2vec": Figure("fig_tp4_word2vec:draw", ("tp4_scores", "tp4_limit_check")),
    },
    claims=(
        "abc_table",
        "coordcheck_deltas",
        "depth_losses",
        "maxlr",
        "transfer_losses",
        "transformer_losses",
        "transformer_coord_deltas",
        "tp4_scores",
        "tp4_limit_check",
    ),
    data_problems=data_problems,
)
TASKS = GRAPH.tasks()
