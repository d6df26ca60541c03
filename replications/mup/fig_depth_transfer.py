"""Tensor Programs VI's Fig 10: the optimal Adam learning rate of a residual MLP shifts with depth for the standard
block and stays put under Depth-muP.

Two panels sharing the loss axis, the standard block (branch multiplier 1, left) and Depth-muP (branch multiplier
a / sqrt(L / L0) and Adam learning rate eta / sqrt(L / L0), right), in the layout of the width figure
(`fig3_mlp_transfer.sweep_figure`): the training loss (mean over seeds) against log2 eta, one curve per number of
blocks L, darker = deeper, each depth's eta* a dot, the dashed line the standard block's best loss over all depths.
Diverged learning rates are crosses and losses above the axis (the deep standard nets reach 1e23) triangles at the
top edge. Each panel states |log2 eta*(deepest) - log2 eta*(shallowest)| (claims mup.depth.standard_shift and
depthmup_shift).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.mup.fig3_mlp_transfer import sweep_figure


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Standard and Depth-muP panels from the depth losses table (inputs["depth_losses"])."""
    set_theme()
    losses = read_table(inputs["depth_losses"])
    a = config["multiplier"]
    scale = "\\sqrt{L/L_0}"
    branch = f"{a:g}" if a != 1 else "1"
    panels = [
        (f"Standard block (multiplier {branch})", losses[losses["block"] == "standard"], []),
        (
            f"Depth-μP (multiplier ${branch}/{scale}$, Adam LR $\\eta/{scale}$)",
            losses[losses["block"] == "depth_mup"],
            [],
        ),
    ]
    seeds = config["seeds"]
    fig = sweep_figure(
        panels,
        "depth",
        "L",
        "best standard-block loss (any $L$)",
        f"Residual MLP of $L$ depth-1 blocks (base depth $L_0$ = {config['base_depth']}), width {config['width']}, "
        f"cross-entropy;\nAdam, batch {config['batch']}, {config['steps']} steps on MNIST-1D, "
        f"mean of {seeds} seed{'s' if seeds > 1 else ''}",
        xlabel="$\\log_2$ Adam learning rate $\\eta$",
    )
    save_figure(fig, outputs["png"])
