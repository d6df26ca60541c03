"""The mean-field group's graph, declared once: `workflows/groups.smk` emits its rules and `python -m replications
meanfield TASK ...` runs its tasks (imported on demand)."""

from replications.core.graph import Compute, Figure, Graph

GRAPH = Graph(
    group="meanfield",
    title="Mean field (Mei et al.; Chizat-Bach; Chizat et al.; Rotskoff-Vanden-Eijnden; Sirignano-Spiliopoulos)",
    compute={
        "mmn_radial": Compute("mmn:mmn_radial", {"mmn_radii": "mmn_radii.csv", "mmn_risk": "mmn_risk.csv"}),
        "cb_particles": Compute(
            "particles:cb_particles",
            {"cb_losses": "cb_losses.csv", "cb_paths": "cb_paths.csv", "cb_teacher": "cb_teacher.csv"},
        ),
        "lazy": Compute(
            "lazy:lazy",
            {
                "lazy_trajectories": "lazy_trajectories.csv",
                "lazy_teacher": "lazy_teacher.csv",
                "lazy_test_loss": "lazy_test_loss.csv",
            },
        ),
        "ss_fluctuations": Compute(
            "ss:ss_fluctuations", {"ss_limit": "ss_limit.csv", "ss_deviations": "ss_deviations.csv"}
        ),
        "rv_scaling": Compute("particles:rv_scaling", {"rv_losses": "rv_losses.csv"}),
        "contrast": Compute(
            "particles:contrast",
            {"contrast_changes": "contrast_changes.csv", "contrast_weights": "contrast_weights.csv"},
        ),
    },
    figures={
        "fig_mmn_radial": Figure("fig_mmn_radial:draw", ("mmn_radii", "mmn_risk")),
        "fig_cb_particles": Figure("fig_cb_particles:draw", ("cb_losses", "cb_paths", "cb_teacher")),
        "fig_lazy": Figure("fig_lazy:draw", ("lazy_trajectories", "lazy_teacher", "lazy_test_loss")),
        "fig_ss_fluctuations": Figure("fig_ss_fluctuations:draw", ("ss_limit", "ss_deviations")),
        "fig_rv_scaling": Figure("fig_rv_scaling:draw", ("rv_losses",)),
        "fig_contrast": Figure("fig_contrast:draw", ("contrast_changes", "contrast_weights")),
    },
    claims=("mmn_radii", "mmn_risk", "ss_deviations", "cb_losses", "lazy_test_loss", "rv_losses", "contrast_changes"),
)
TASKS = GRAPH.tasks()
