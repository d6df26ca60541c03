"""The mean-field group's tasks, as the rules call them: `python -m replications meanfield TASK ...`
(imported on demand)."""

TASKS = {
    "mmn_radial": "mmn:mmn_radial",
    "cb_particles": "particles:cb_particles",
    "lazy": "lazy:lazy",
    "rv_scaling": "particles:rv_scaling",
    "contrast": "particles:contrast",
    "fig_mmn_radial": "fig_mmn_radial:draw",
    "fig_cb_particles": "fig_cb_particles:draw",
    "fig_lazy": "fig_lazy:draw",
    "fig_rv_scaling": "fig_rv_scaling:draw",
    "fig_contrast": "fig_contrast:draw",
    "claims": "claims:write",
}
