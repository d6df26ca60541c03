"""The Neal group's tasks, as the rules call them: `python -m replications neal TASK ...`."""

from replications.neal import (
    claims,
    experiments,
    fig_1d_samples,
    fig_2d_samples,
    fig_convergence,
    fig_covariance,
    fig_roughness,
)

TASKS = {
    **experiments.TASKS,
    "fig_1d_samples": fig_1d_samples.draw,
    "fig_2d_samples": fig_2d_samples.draw,
    "fig_convergence": fig_convergence.draw,
    "fig_covariance": fig_covariance.draw,
    "fig_roughness": fig_roughness.draw,
    "claims": claims.write,
}
