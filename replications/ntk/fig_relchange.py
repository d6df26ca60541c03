"""Lee et al. 2019: the relative change of the parameters and of the empirical NTK during training, against width.

(a) ||theta_T - theta_0|| / ||theta_0|| over all parameters (thick) and per weight matrix (thin), (b)
||Theta_T - Theta_0||_F / ||Theta_0||_F, each in the NTK and the standard parametrization, mean over seeds, on
log-log axes with an n^(-1/2) reference line through the NTK series (claims ntk.relchange.*).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import seaborn as sns

from replications.core.plotting import save_figure, set_theme, width_log_axes
from replications.core.provenance import read_table
from replications.core.stats import mean_loglog_slope
from replications.ntk.plotting import reference_line

LAYER_NAMES = {0: "input layer $W^0$", 1: "readout $W^1$"}


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Two log-log panels from the relative-change table."""
    set_theme()
    changes = read_table(inputs["relchange"])
    means = changes.groupby(["parametrization", "width"]).mean(numeric_only=True).reset_index()
    colors = dict(zip(("ntk", "standard"), sns.color_palette(n_colors=2), strict=True))
    names = {"ntk": "NTK param.", "standard": "standard param."}
    layer_columns = sorted(c for c in changes.columns if c.startswith("weight_change_layer"))

    fig, (ax_w, ax_k) = plt.subplots(1, 2, figsize=(11, 5.6))
    for parametrization, rows in means.groupby("parametrization"):
        color, name = colors[parametrization], names[parametrization]
        runs = changes[changes["parametrization"] == parametrization]
        for ax, column, what in ((ax_w, "weight_change", ", all parameters"), (ax_k, "kernel_change", "")):
            slope = mean_loglog_slope(runs, column)
            ax.plot(rows["width"], rows[column], "o-", color=color, lw=2, label=f"{name}{what} (slope {slope:.2f})")
        for column, style in zip(layer_columns, (":", "-."), strict=False):
            layer = int(column.removeprefix("weight_change_layer"))
            matrix = LAYER_NAMES.get(layer, f"$W^{layer}$") if len(layer_columns) == 2 else f"$W^{layer}$"
            ax_w.plot(rows["width"], rows[column], style, color=color, lw=1, label=f"{name}, {matrix}")
    ntk_rows = means[means["parametrization"] == "ntk"]
    reference_line(ax_w, ntk_rows["width"].to_numpy(), ntk_rows["weight_change"].to_numpy())
    reference_line(ax_k, ntk_rows["width"].to_numpy(), ntk_rows["kernel_change"].to_numpy())
    seeds = changes.groupby(["parametrization", "width"])["seed"].nunique().min()
    for axis, ylabel, title in (
        (ax_w, "$\\|\\theta_T - \\theta_0\\| \\,/\\, \\|\\theta_0\\|$", "(a) parameters"),
        (ax_k, "$\\|\\Theta_T - \\Theta_0\\|_F \\,/\\, \\|\\Theta_0\\|_F$", "(b) empirical NTK on the training set"),
    ):
        width_log_axes(axis)
        axis.set_ylabel(ylabel)
        axis.set_title(f"{title}, mean over {seeds} seed{'s' if seeds > 1 else ''}")
        axis.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    fig.suptitle(
        f"{config['depth']}-hidden-layer {config['activation']} nets, {config['train_points']} MNIST digits, "
        f"{config['steps']} GD steps at {config['lr_fraction']:g} $\\eta_{{critical}}$",
        fontsize="medium",
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
