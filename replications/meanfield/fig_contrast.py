"""The archive's synthesis: one two-layer net, one task, NTK scaling (1/sqrt N) against mean-field scaling (1/N).

Each net is trained until its loss first reaches the same value. (a) the mean movement of a unit,
mean_i ||theta_i,T - theta_i,0||, against N: O(N^-1/2) under the NTK scaling (lazy: nothing is learned in the
features), O(1) under the mean-field scaling (every unit moves: features are learned). (b) the relative change of
the empirical NTK. (c) the first-layer weights (first two coordinates, the teacher's) before and after training at
one width under each scaling.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from replications.core.plotting import save_figure, set_theme, width_log_axes
from replications.core.provenance import read_table
from replications.core.stats import mean_loglog_slope

SCALINGS = ("ntk", "mean field")
NAMES = {"ntk": "NTK scaling $1/\\sqrt{N}$", "mean field": "mean-field scaling $1/N$"}


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Four panels from the changes and weights tables."""
    set_theme()
    changes, weights = read_table(inputs["contrast_changes"]), read_table(inputs["contrast_weights"])
    colors = dict(zip(SCALINGS, sns.color_palette(n_colors=2), strict=True))
    fig = plt.figure(figsize=(15, 4.6))
    grid = fig.add_gridspec(1, 4)
    ax_move, ax_kernel = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    for column, ax in (("unit_movement", ax_move), ("kernel_change", ax_kernel)):
        for scaling in SCALINGS:
            rows = changes[changes["scaling"] == scaling]
            means = rows.groupby("width")[column].mean()
            ax.plot(rows["width"], rows[column], "o", color=colors[scaling], alpha=0.35, ms=4)
            slope = mean_loglog_slope(rows, column)
            ax.plot(
                means.index,
                means.to_numpy(),
                "-",
                color=colors[scaling],
                lw=2,
                label=f"{NAMES[scaling]} (slope {slope:.2f})",
            )
        widths = np.sort(changes["width"].unique()).astype(float)
        ntk_means = changes[changes["scaling"] == "ntk"].groupby("width")[column].mean().to_numpy()
        ax.plot(widths, ntk_means[0] * np.sqrt(widths[0] / widths), "k:", lw=1.2, label="$\\propto N^{-1/2}$")
        if column == "kernel_change":  # Dyer & Gur-Ari's O(1/N) beside Lee et al.'s O(N^-1/2) bound
            ax.plot(widths, ntk_means[0] * widths[0] / widths, "k-.", lw=0.9, label="$\\propto N^{-1}$")
        width_log_axes(ax, "width $N$")
        ax.legend(fontsize="x-small")
    ax_move.set_ylabel("mean$_i\\, \\|\\theta_{i,T} - \\theta_{i,0}\\|$")
    ax_move.set_title("(a) movement of a unit")
    ax_kernel.set_ylabel("$\\|\\Theta_T - \\Theta_0\\|_F \\,/\\, \\|\\Theta_0\\|_F$")
    ax_kernel.set_title("(b) change of the tangent kernel")

    width = config["drawn_width"]
    for column, (scaling, letter) in enumerate(zip(SCALINGS, "cd", strict=True), start=2):
        ax = fig.add_subplot(grid[0, column])
        rows = weights[weights["scaling"] == scaling]
        before = rows[rows["when"] == "before"].sort_values("unit")
        after = rows[rows["when"] == "after"].sort_values("unit")
        for (x0, y0), (x1, y1) in zip(before[["w1", "w2"]].to_numpy(), after[["w1", "w2"]].to_numpy(), strict=True):
            ax.plot([x0, x1], [y0, y1], color="grey", lw=0.5, alpha=0.6)
        ax.scatter(before["w1"], before["w2"], s=6, color="lightgrey", label="before")
        ax.scatter(after["w1"], after["w2"], s=8, color=colors[scaling], label="after")
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel("$w_{i,1}$")
        ax.set_ylabel("$w_{i,2}$")
        ax.set_title(f"({letter}) first layer, N = {width}, {NAMES[scaling].split(' $')[0]}")
        ax.legend(fontsize="x-small")
    time = changes.groupby("scaling")["time"].median()
    fig.suptitle(
        f"two-layer ReLU net, teacher relu($x_1$) - relu($x_2$) in dimension {config['dimension']}, trained to loss "
        f"{config['loss_fraction']:g} of the target's (median time: NTK {time['ntk']:g}, mean field "
        f"{time['mean field']:g})",
        fontsize="medium",
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
