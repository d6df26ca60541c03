"""The NTK group's graph, declared once: `workflows/groups.smk` emits its rules and `python -m replications ntk
TASK ...` runs its tasks (imported on demand)."""

from replications.core.graph import Compute, Figure, Graph

GRAPH = Graph(
    group="ntk",
    title="Jacot et al. 2018; Lee et al. 2019 (NTK)",
    compute={
        "kernel_circle": Compute(
            "experiments:kernel_circle", {"kernels": "kernels.csv", "kernel_limit": "kernel_limit.csv"}
        ),
        "function_circle": Compute(
            "experiments:function_circle",
            {
                "functions": "functions.csv",
                "function_limit": "function_limit.csv",
                "function_points": "function_points.csv",
            },
        ),
        "pca": Compute(
            "experiments:pca",
            {
                "pca_eigenvalues": "pca_eigenvalues.csv",
                "pca_components": "pca_components.csv",
                "pca_training": "pca_training.csv",
                "pca_kernel_motion": "pca_kernel_motion.csv",
            },
        ),
        "relchange": Compute("experiments:relchange", {"relchange": "relchange.csv"}),
        "linear": Compute(
            "experiments:linear",
            {
                "linear_curves": "linear_curves.csv",
                "linear_outputs": "linear_outputs.csv",
                "linear_gaps": "linear_gaps.csv",
            },
        ),
    },
    figures={
        "fig1_kernel": Figure("fig1_kernel:draw", ("kernels", "kernel_limit")),
        "fig2_function": Figure("fig2_function:draw", ("functions", "function_limit", "function_points")),
        "fig3_pca": Figure("fig3_pca:draw", ("pca_eigenvalues", "pca_components", "pca_training", "pca_kernel_motion")),
        "fig_relchange": Figure("fig_relchange:draw", ("relchange",)),
        "fig_linear": Figure("fig_linear:draw", ("linear_curves", "linear_outputs", "linear_gaps")),
    },
    claims=(
        "kernels",
        "kernel_limit",
        "functions",
        "function_limit",
        "pca_eigenvalues",
        "pca_training",
        "pca_kernel_motion",
        "relchange",
        "linear_gaps",
    ),
)
TASKS = GRAPH.tasks()
