"""Jacot et al. 2018, Fig 1: Theta(x0, x) along the unit circle for two widths at t = 0 and after training.

(a) as the original: x0 = (1, 0), x = (cos gamma, sin gamma), every trained net at t = 0 (solid) and at the end of
training (dashed), one colour per width, and the analytic limit Theta_inf (which the original could not draw).
(b) the std over initializations of Theta_0 along the circle, the narrow width's rescaled by sqrt(n_narrow / n_wide):
if fluctuations are O(n^-1/2) the two curves coincide (claim ntk.fig1.std_ratio).
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
from replications.ntk.measures import circle_matrix, kernels_at_init
from replications.ntk.plotting import PI_TICKS


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Two panels from the kernels table and the analytic limit."""
    set_theme()
    kernels, limit = read_table(inputs["kernels"]), read_table(inputs["kernel_limit"]).sort_values("gamma")
    gamma = np.sort(kernels["gamma"].unique())
    widths = sorted(kernels["width"].unique())
    colors = dict(zip(widths, sns.color_palette(n_colors=len(widths)), strict=True))
    end = config["learning_rate"] * config["steps"]
    trained = kernels[kernels["trained"]]

    fig, (ax, ax_std) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    for width in widths:
        for time, style in ((0.0, "-"), (end, "--")):
            theta_IxA = circle_matrix(trained, "ntk", width=width, time=time)
            ax.plot(gamma, theta_IxA.T, style, color=colors[width], lw=0.8, alpha=0.75)
            ax.plot([], [], style, color=colors[width], label=f"$n$ = {width:,}, $t$ = {time:g}")
    ax.plot(limit["gamma"], limit["ntk"], color="black", lw=1.6, label="$n \\to \\infty$ (analytic)")
    ax.set_xticks(*PI_TICKS)
    ax.set_xlabel("$\\gamma$")
    ax.set_ylabel("$\\Theta^{(4)}(x_0, x)$")
    ax.set_title(
        f"(a) {config['initializations']} nets per width, {config['steps']} GD steps on $f^*(x) = x_1 x_2$",
    )
    ax.legend(fontsize="small")

    narrow, wide = widths[0], widths[-1]
    for width, scale in ((narrow, np.sqrt(narrow / wide)), (wide, 1.0)):
        std_A = np.std(kernels_at_init(kernels, width), axis=0, ddof=1)
        label = f"$n$ = {width:,}" + ("" if scale == 1 else f" $\\times \\sqrt{{{narrow}/{wide}}}$")
        ax_std.plot(gamma, scale * std_A, color=colors[width], label=label)
    ax_std.set_xticks(*PI_TICKS)
    ax_std.set_xlabel("$\\gamma$")
    ax_std.set_ylabel("std over initializations of $\\Theta_0(x_0, x)$")
    draws = kernels[kernels["time"] == 0].groupby("width")["init"].nunique().min()
    ax_std.set_title(f"(b) fluctuations at $t = 0$ scale as $n^{{-1/2}}$ ({draws} draws per width)")
    ax_std.set_ylim(bottom=0)
    ax_std.legend(fontsize="small")
    fig.tight_layout()
    save_figure(fig, outputs["png"])
