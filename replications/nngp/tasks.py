"""The NNGP group's tasks, as the rules call them: `python -m replications nngp TASK ...` (imported on demand)."""

TASKS = {
    "gp_search": "experiments:gp_search_task",
    "nn_search": "experiments:nn_search_task",
    "uncertainty": "experiments:uncertainty",
    "phase": "experiments:phase",
    "lattice": "experiments:lattice",
    "table1": "table1:draw",
    "fig1": "fig1:draw",
    "fig3_uncertainty": "fig3_uncertainty:draw",
    "fig4_phase": "fig4_phase:draw",
    "fig_lattice": "fig_lattice:draw",
    "claims": "claims:write",
}
