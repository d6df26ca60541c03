"""The muP group's graph, declared once: `workflows/groups.smk` emits its rules and `python -m replications mup
TASK ...` runs its tasks (imported on demand)."""

from replications.core.graph import Compute, Figure, Graph
from replications.mup.transformer_memory import coordcheck_memory_mb, transfer_memory_mb

# MNIST-1D generated offline (the mnist1d package), shared by the MNIST-1D tasks; named for its size and seed.
MNIST1D = "data/mnist1d_n{data[mnist1d_samples]}_seed{seed}.npz"

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
        "transformer": Compute(
            "transformer_experiments:transfer",
            {
                "transformer_losses": "transformer_losses.csv",
                "transformer_tuning": "transformer_tuning.csv",
                "transformer_timing": "transformer_timing.csv",
            },
            memory_mb=transfer_memory_mb,
        ),
        "transformer_coordcheck": Compute(
            "transformer_experiments:coordcheck",
            {
                "transformer_coord_deltas": "transformer_coord_deltas.csv",
                "transformer_grad_rms": "transformer_grad_rms.csv",
            },
            memory_mb=coordcheck_memory_mb,
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
    },
    claims=(
        "abc_table",
        "coordcheck_deltas",
        "depth_losses",
        "maxlr",
        "transfer_losses",
        "transformer_losses",
        "transformer_coord_deltas",
    ),
)
TASKS = GRAPH.tasks()
