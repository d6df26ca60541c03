"""The muP group's tasks, as the rules call them: `python -m replications mup TASK ...` (imported on demand)."""

TASKS = {
    "data": "experiments:data",
    "abc": "abc_space:abc",
    "coordcheck": "experiments:coordcheck",
    "maxlr": "experiments:maxlr",
    "transfer": "experiments:transfer",
    "depth": "experiments:depth",
    "tab_abc": "tab_abc:draw",
    "fig_abc_phase": "fig_abc_phase:draw",
    "fig_coordcheck": "fig_coordcheck:draw",
    "fig_maxlr": "fig_maxlr:draw",
    "fig3_mlp_transfer": "fig3_mlp_transfer:draw",
    "fig_depth_transfer": "fig_depth_transfer:draw",
    "claims": "claims:write",
}
