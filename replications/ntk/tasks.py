"""The NTK group's tasks, as the rules call them: `python -m replications ntk TASK ...` (imported on demand)."""

TASKS = {
    "kernel_circle": "experiments:kernel_circle",
    "function_circle": "experiments:function_circle",
    "pca": "experiments:pca",
    "relchange": "experiments:relchange",
    "linear": "experiments:linear",
    "fig1_kernel": "fig1_kernel:draw",
    "fig2_function": "fig2_function:draw",
    "fig3_pca": "fig3_pca:draw",
    "fig_relchange": "fig_relchange:draw",
    "fig_linear": "fig_linear:draw",
    "claims": "claims:write",
}
