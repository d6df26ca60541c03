"""The Neal group's graph, declared once: `workflows/groups.smk` emits its rules and `python -m replications neal
TASK ...` runs its tasks (imported on demand)."""

from replications.core.graph import Compute, Figure, Graph

GRAPH = Graph(
    group="neal",
    title="Neal 1994",
    compute={
        "samples_1d": Compute("experiments:samples_1d", {"samples_1d": "samples_1d.npz"}),
        "samples_2d": Compute("experiments:samples_2d", {"samples_2d": "samples_2d.npz"}),
        "convergence": Compute(
            "experiments:convergence", {"kurtosis": "kurtosis.csv", "convergence": "convergence.npz"}
        ),
        "covariance": Compute("experiments:covariance", {"covariance": "covariance.csv"}),
        "roughness": Compute("experiments:roughness", {"roughness": "roughness.csv"}),
    },
    figures={
        "fig_1d_samples": Figure("fig_1d_samples:draw", ("samples_1d",)),
        "fig_2d_samples": Figure("fig_2d_samples:draw", ("samples_2d",)),
        "fig_convergence": Figure("fig_convergence:draw", ("kurtosis", "convergence")),
        "fig_covariance": Figure("fig_covariance:draw", ("covariance",)),
        "fig_roughness": Figure("fig_roughness:draw", ("roughness",)),
    },
    claims=("kurtosis", "convergence", "covariance", "roughness"),
)
TASKS = GRAPH.tasks()
