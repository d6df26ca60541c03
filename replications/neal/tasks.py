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
        "stable_samples": Compute("experiments:stable_samples", {"stable_samples": "stable_samples.npz"}),
        "fractional": Compute(
            "experiments:fractional",
            {"fractional": "fractional.npz", "fractional_roughness": "fractional_roughness.csv"},
        ),
        "two_layer": Compute("experiments:two_layer", {"two_layer": "two_layer.npz"}),
        "dominance": Compute("experiments:dominance", {"dominance": "dominance.csv"}),
    },
    figures={
        "fig_1d_samples": Figure("fig_1d_samples:draw", ("samples_1d",)),
        "fig_2d_samples": Figure("fig_2d_samples:draw", ("samples_2d",)),
        "fig_convergence": Figure("fig_convergence:draw", ("kurtosis", "convergence")),
        "fig_covariance": Figure("fig_covariance:draw", ("covariance",)),
        "fig_roughness": Figure("fig_roughness:draw", ("roughness",)),
        "fig_stable": Figure("fig_stable:draw", ("stable_samples",)),
        "fig_fractional": Figure("fig_fractional:draw", ("fractional", "fractional_roughness")),
        "fig_two_layer": Figure("fig_two_layer:draw", ("two_layer",)),
        "fig_dominance": Figure("fig_dominance:draw", ("dominance",)),
    },
    claims=("kurtosis", "convergence", "covariance", "roughness", "dominance"),
)
TASKS = GRAPH.tasks()
