"""The muP group's graph, declared once: `workflows/groups.smk` emits its rules and `python -m replications mup
TASK ...` runs its tasks (imported on demand)."""

from replications.core.graph import Compute, Figure, Graph

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
    },
    figures={
        "tab_abc": Figure("tab_abc:draw", ("abc_table",), extra={"md": "tab_abc.md"}),
        "fig_abc_phase": Figure("fig_abc_phase:draw", ("abc_phase",)),
        "fig_coordcheck": Figure("fig_coordcheck:draw", ("coordcheck_deltas",)),
        "fig_maxlr": Figure("fig_maxlr:draw", ("maxlr_runs", "maxlr")),
        "fig3_mlp_transfer": Figure("fig3_mlp_transfer:draw", ("transfer_losses", "transfer_tuning")),
        "fig_depth_transfer": Figure("fig_depth_transfer:draw", ("depth_losses",)),
    },
    claims=("abc_table", "coordcheck_deltas", "depth_losses", "maxlr", "transfer_losses"),
)
TASKS = GRAPH.tasks()
