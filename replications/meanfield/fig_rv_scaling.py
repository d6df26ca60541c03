"""Rotskoff & Vanden-Eijnden 2018: the error of a mean-field net after long training falls as 1/n.

Training loss (one-pass SGD on fresh batches: the mean batch loss over the last steps) and held-out test loss at the
end of training against the number of units n on log-log axes, each seed a dot and the mean a line, with an n^(-1)
reference line (claims meanfield.rv.loss_slope on the training loss, meanfield.rv.loss_slope_band on the test loss).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.meanfield.measures import loss_slope


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """One log-log panel from the losses table."""
    set_theme()
    losses = read_table(inputs["rv_losses"])
    fig, ax = plt.subplots(figsize=(6.2, 4.6))
    colors = sns.color_palette(n_colors=2)
    for column, color, name in (("train_loss", colors[0], "training"), ("test_loss", colors[1], "test")):
        ax.plot(losses["units"], losses[column], "o", color=color, alpha=0.35, ms=4)
        means = losses.groupby("units")[column].mean()
        slope = loss_slope(losses, column).value
        ax.plot(means.index, means.to_numpy(), "-", color=color, lw=2, label=f"{name} loss (slope {slope:.2f})")
    units = np.sort(losses["units"].unique()).astype(float)
    anchor = losses.groupby("units")["test_loss"].mean().iloc[0]
    ax.plot(units, anchor * units[0] / units, "k:", lw=1.4, label="$\\propto n^{-1}$")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("units $n$")
    ax.set_ylabel("loss $\\frac{1}{2}\\,$mean$(f - y)^2$ at the end")
    ax.text(
        0.02, 0.03, f"one-pass SGD, batch {config['batch']}, {config['seeds']} seeds; at most "
        f"{losses['parameters'].max()} parameters, {losses['samples_seen'].iloc[0]:,} samples seen",
        transform=ax.transAxes, fontsize="x-small",
    )  # fmt: skip
    ax.set_title(
        f"ReLU units, mean-field scaling, $t$ = {config['eta'] * config['steps']:g}; 3-spin target on "
        f"$S^{{{config['dimension'] - 1}}}$",
        fontsize="medium",
    )
    ax.legend(fontsize="small")
    fig.tight_layout()
    save_figure(fig, outputs["png"])
