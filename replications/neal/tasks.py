"""The Neal group's tasks, as the rules call them: `python -m replications neal TASK ...` (imported on demand)."""

TASKS = {
    "samples_1d": "experiments:samples_1d",
    "samples_2d": "experiments:samples_2d",
    "convergence": "experiments:convergence",
    "covariance": "experiments:covariance",
    "roughness": "experiments:roughness",
    "stable_samples": "experiments:stable_samples",
    "fractional": "experiments:fractional",
    "two_layer": "experiments:two_layer",
    "dominance": "experiments:dominance",
    "fig_1d_samples": "fig_1d_samples:draw",
    "fig_2d_samples": "fig_2d_samples:draw",
    "fig_convergence": "fig_convergence:draw",
    "fig_covariance": "fig_covariance:draw",
    "fig_roughness": "fig_roughness:draw",
    "fig_stable": "fig_stable:draw",
    "fig_fractional": "fig_fractional:draw",
    "fig_two_layer": "fig_two_layer:draw",
    "fig_dominance": "fig_dominance:draw",
    "claims": "claims:write",
}
