"""Jacot et al. 2018, Fig 2: functions of trained nets along the unit circle against the limiting Gaussian.

(a) as the original: 10 trained nets per width (colour), the training points, and the 10th, 50th and 90th
percentiles of the Gaussian that gradient flow of the infinitely wide net predicts at the same time, computed
exactly from the analytic NNGP and NTK (mean +- 1.2816 std). (b) the std over all initializations of f_T along the
circle against the predicted std (claim ntk.fig2.std_ratio), the mean's deviation below it (ntk.fig2.mean_err).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from scipy.stats import norm

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.ntk.measures import circle_matrix
from replications.ntk.plotting import PI_TICKS

DRAWN = 10  # nets drawn per width, as the original


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Two panels from the functions table, the predicted Gaussian and the training points."""
    set_theme()
    functions = read_table(inputs["functions"])
    limit, points = read_table(inputs["function_limit"]).sort_values("gamma"), read_table(inputs["function_points"])
    gamma = np.sort(functions["gamma"].unique())
    widths = sorted(functions["width"].unique())
    colors = dict(zip(widths, sns.color_palette(n_colors=len(widths)), strict=True))
    z90 = norm.ppf(0.9)

    fig, (ax, ax_std) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    for width in widths:
        f_IxA = circle_matrix(functions, "f", width=width)
        ax.plot(gamma, f_IxA[:DRAWN].T, color=colors[width], lw=0.8, alpha=0.8)
        ax.plot([], [], color=colors[width], label=f"$n$ = {width:,}")
    for offset, style, label in ((-z90, "--", "$P_{10}$, $P_{90}$"), (0.0, "-", "$P_{50}$"), (z90, "--", None)):
        ax.plot(limit["gamma"], limit["mean"] + offset * limit["std"], style, color="black", lw=1.4, label=label)
    ax.scatter(points["gamma"], points["target"], marker="o", s=40, color="red", zorder=5, label="training points")
    ax.set_xticks(*PI_TICKS)
    ax.set_xlabel("$\\gamma$")
    ax.set_ylabel("$f_\\theta(\\cos\\gamma, \\sin\\gamma)$")
    t = config["learning_rate"] * config["steps"]
    ax.set_title(f"(a) {DRAWN} nets per width at $t$ = {t:g}; percentiles of the $n \\to \\infty$ Gaussian")
    ax.legend(fontsize="small", ncol=2)

    for width in widths:
        f_IxA = circle_matrix(functions, "f", width=width)
        ax_std.plot(gamma, np.std(f_IxA, axis=0, ddof=1), color=colors[width], label=f"$n$ = {width:,}")
    ax_std.plot(limit["gamma"], limit["std"], color="black", lw=1.4, label="predicted ($n \\to \\infty$)")
    ax_std.set_xticks(*PI_TICKS)
    ax_std.set_xlabel("$\\gamma$")
    ax_std.set_ylabel("std over initializations of $f_\\theta$")
    count = functions.groupby("width")["init"].nunique().min()
    ax_std.set_title(f"(b) spread of {count} nets per width")
    ax_std.set_ylim(bottom=0)
    ax_std.legend(fontsize="small")
    fig.tight_layout()
    save_figure(fig, outputs["png"])
