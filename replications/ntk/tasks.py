"""The NTK group's tasks, as the rules call them: `python -m replications ntk TASK ...`."""

from replications.ntk import claims, experiments, fig1_kernel, fig2_function, fig3_pca, fig_linear, fig_relchange

TASKS = {
    **experiments.TASKS,
    "fig1_kernel": fig1_kernel.draw,
    "fig2_function": fig2_function.draw,
    "fig3_pca": fig3_pca.draw,
    "fig_relchange": fig_relchange.draw,
    "fig_linear": fig_linear.draw,
    "claims": claims.write,
}
