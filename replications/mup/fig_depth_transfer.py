"""Tensor Programs VI's Fig 10: the optimal Adam learning rate of a residual MLP shifts with depth for the standard
block, still shifts with the 1/sqrt(L) branch multiplier alone, and stays put under Depth-muP.

Three panels sharing the loss axis, TP6's three rows (`resnet`): the standard block (branch multiplier a), the
branch multiplier a / sqrt(L / L0) with the learning rate unscaled (alpha = 1/2, gamma = 0), and Depth-muP (also
Adam learning rate eta / sqrt(L / L0)), in the layout of `plotting.sweep_figure`: the training loss (mean over
seeds) against log2 eta, one curve per number of blocks L, darker = deeper, each depth's refined eta* with its 95 %
interval, the dashed line the standard block's best loss over all depths. A depth whose net never trained is dashed
and left out of the fits. Each panel states the slope of log2 eta* and the shift from the base depth to the deepest
depth that trains (claims mup.depth.standard_shift, blocks_only_shift, depthmup_shift, depthmup_slope).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.mup.plotting import sweep_figure


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """The three block parametrizations' panels from the depth losses table (inputs["depth_losses"])."""
    set_theme()
    losses = read_table(inputs["depth_losses"])
    a = config["multiplier"]
    scale = "\\sqrt{L/L_0}"
    branch = f"{a:g}" if a != 1 else "1"
    panels = [
        (f"Standard block (multiplier {branch})", losses[losses["block"] == "standard"], []),
        (f"Multiplier ${branch}/{scale}$, LR $\\eta$ ($\\alpha=\\frac{{1}}{{2}}, \\gamma=0$)",
         losses[losses["block"] == "branch_only"], []),
        (f"Depth-μP (multiplier ${branch}/{scale}$, LR $\\eta/{scale}$)", losses[losses["block"] == "depth_mup"], []),
    ]  # fmt: skip
    seeds = config["seeds"]
    fig = sweep_figure(
        panels,
        "depth",
        "L",
        config["base_depth"],
        "best standard-block loss (any $L$)",
        f"Residual MLP of $L$ depth-1 blocks (base depth $L_0$ = {config['base_depth']}), width {config['width']}, "
        f"cross-entropy;\nAdam, batch {config['batch']}, {config['steps']} steps on MNIST-1D, "
        f"{seeds} seed{'s' if seeds > 1 else ''}",
        xlabel="$\\log_2$ Adam learning rate $\\eta$",
    )
    save_figure(fig, outputs["png"])
