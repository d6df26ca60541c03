"""Lee et al. 2019: a wide net trained by gradient descent evolves as its linearization.

At the widest width: (a) train and test loss over time of the network, its linearization
f_lin(theta) = f_0 + J_0 (theta - theta_0) trained alike, and the infinite-width net (the same closed form of
gradient descent with the analytic NTK, from the net's own f_0); (b) the outputs at a few test points over time.
(c) the RMS difference between the converged net's and its linearization's test outputs against width, with
n^(-1/2) and n^(-1) lines (claim ntk.linear.gap_slope).
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
from replications.ntk.plotting import reference_line, time_axis

STYLES = {"network": "-", "linearized": "--", "infinite width": ":"}


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Three panels from the loss curves, the test outputs and the gaps."""
    set_theme()
    curves, points, gaps = (read_table(inputs[name]) for name in ("linear_curves", "linear_outputs", "linear_gaps"))
    curves, points = curves[curves["time"] > 0], points[points["time"] > 0]  # on a log time axis
    width = int(curves["width"].iloc[0])
    fig, (ax_loss, ax_out, ax_gap) = plt.subplots(1, 3, figsize=(14, 4.3))

    split_colors = dict(zip(("train_loss", "test_loss"), sns.color_palette(n_colors=2), strict=True))
    for model, rows in curves.groupby("model", sort=False):
        for column, color in split_colors.items():
            ax_loss.plot(
                rows["time"],
                rows[column],
                STYLES[model],
                color=color,
                lw=1.5,
                label=f"{column.removesuffix('_loss')}, {model}",
            )
    ax_loss.set_yscale("log")
    ax_loss.set_ylabel("$\\frac{1}{2N} \\sum_i (f(x_i) - y_i)^2$")
    ax_loss.set_title(f"(a) loss, width {width:,}")
    ax_loss.legend(fontsize="x-small", ncol=2)

    drawn = list(dict.fromkeys(points["point"]))
    point_colors = dict(zip(drawn, sns.color_palette("dark", n_colors=len(drawn)), strict=True))
    for (model, point), rows in points.groupby(["model", "point"], sort=False):
        label = f"test point {point} (target {rows['target'].iloc[0]:+g})" if model == "network" else None
        ax_out.plot(rows["time"], rows["output"], STYLES[model], color=point_colors[point], lw=1.5, label=label)
    for model, style in STYLES.items():
        ax_out.plot([], [], style, color="grey", label=model)

    network = points[points["model"] == "network"]["output"]
    margin = 0.25 * (network.max() - network.min())
    ax_out.set_ylim(network.min() - margin, network.max() + margin)  # a diverging linearization leaves the frame
    ax_out.set_ylabel("output $f_t(x)$")
    ax_out.set_title(f"(b) test points, width {width:,}")
    ax_out.legend(fontsize="x-small", ncol=2)

    time_axis(ax_loss)
    time_axis(ax_out)

    diverged = gaps["linearization_diverged"] | gaps["diverged"]
    gaps, left_out = gaps[~diverged], int(diverged.sum())
    means = gaps.groupby("width")["rms_gap"].mean()
    ax_gap.plot(gaps["width"], gaps["rms_gap"], "o", color="grey", alpha=0.5, label="one seed")
    slope = mean_loglog_slope(gaps, "rms_gap")
    ax_gap.plot(means.index, means.to_numpy(), "o-", lw=2, label=f"mean (slope {slope:.2f})")
    reference_line(ax_gap, means.index.to_numpy(), means.to_numpy(), -0.5, "k:")
    reference_line(ax_gap, means.index.to_numpy(), means.to_numpy(), -1.0, "k-.")
    width_log_axes(ax_gap)
    ax_gap.set_ylabel("RMS$(f_T - f^{lin}_T)$ on test points")
    note = f"\n({left_out} runs left out: linearization diverged)" if left_out else ""
    ax_gap.set_title(f"(c) network minus linearization at convergence{note}")
    ax_gap.legend(fontsize="small")
    fig.suptitle(
        f"One-hidden-layer {config['activation']} nets (NTK param.), {config['train_points']} "
        f"{config['dataset']['name']} digits of classes {config['classes'][0]} / {config['classes'][1]} (targets "
        f"$\\pm$1), full-batch GD at lr {config['learning_rate']:g} until the loss is {config['tolerance']:g} of its "
        "start",
        fontsize="medium",
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
