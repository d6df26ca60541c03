"""Tensor Programs V's Fig 3: the optimal learning rate of an MLP shifts with width in the standard parametrization
and stays put under muP.

Two panels sharing the loss axis, SP (left) and muP with base width 128 (right): the training loss (mean over
seeds) against log2 of the SGD learning rate, one curve per width, darker = wider, each width's eta* (least mean
loss) a dot; the dashed line is SP's best loss over all widths, drawn in both panels as in the paper. Learning
rates at which a seed diverged are crosses at the top edge, losses above the axis (which ends a little above the
initial loss ln 10) triangles there. Each panel states |log2 eta*(widest) - log2 eta*(narrowest)| (claims
mup.transfer.sp_shift and mup_shift), the muP panel also the fraction of consecutive width pairs in which the
wider net is better (mup.transfer.wider_better).

The layout is `plotting.sweep_figure`'s (the depth figure uses it too).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.mup.measures import wider_better
from replications.mup.plotting import sweep_figure


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """SP and muP panels from the transfer losses table (inputs["losses"])."""
    set_theme()
    losses = read_table(inputs["losses"])
    sp, mup = (losses[losses["parametrization"] == p] for p in ("sp", "mup"))
    pairs = mup["width"].nunique() - 1
    better = (
        [f"wider better at its own $\\eta^*$: {round(wider_better(mup) * pairs)} of {pairs} width pairs"]
        if pairs
        else []
    )
    panels = [("Standard parametrization", sp, []), (f"μP (base width {config['base_width']})", mup, better)]
    seeds = config["seeds"]
    fig = sweep_figure(
        panels,
        "width",
        "n",
        "best SP loss (any $n$)",
        f"2-hidden-layer ReLU MLP, cross-entropy, SGD momentum {config['momentum']:g}, batch {config['batch']}, "
        f"{config['steps']} steps on MNIST-1D, mean of {seeds} seed{'s' if seeds > 1 else ''}",
        chance="$\\ln 10$ (loss at initialization)",
    )
    save_figure(fig, outputs["png"])
