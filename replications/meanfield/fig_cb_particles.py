"""Chizat & Bach 2018: particle gradient flow of a two-layer ReLU net in dimension 2 towards a teacher.

(a)(b) the path of every particle, drawn at |a_j| w_j (the unit's 2-homogeneous "position") from initialization
(small dot) to the end (large dot), red for a_j > 0 and blue for a_j < 0, with the directions v_k of the teacher's
neurons as dashed rays (coloured by s_k), for a few and for many particles; (c) the training loss against time for
every particle count, each seed a thin line and the median thick (claim meanfield.cb.global_min: the many-particle
flow reaches the global minimum).
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

SIGN_COLORS = {1.0: "tab:red", -1.0: "tab:blue"}


def _paths(ax: plt.Axes, paths, teacher, m: int, m0: int) -> None:
    rows = paths[paths["particles"] == m]
    for (_, sign), path in rows.groupby(["particle", "sign"]):
        path = path.sort_values("time")
        color = SIGN_COLORS.get(float(sign), "grey")
        ax.plot(path["x"], path["y"], color=color, lw=0.8, alpha=0.7)
        ax.plot(path["x"].iloc[0], path["y"].iloc[0], ".", color=color, ms=3)
        ax.plot(path["x"].iloc[-1], path["y"].iloc[-1], "o", color=color, ms=5)
    reach = 1.05 * float(np.max(np.hypot(rows["x"], rows["y"])))
    for _, neuron in teacher.iterrows():
        color = SIGN_COLORS[float(neuron["sign"])]
        ax.plot([0, reach * neuron["x"]], [0, reach * neuron["y"]], "--", color=color, lw=1.6, alpha=0.8)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-reach, reach)
    ax.set_aspect("equal")
    ax.set_xlabel("$|a_j|\\, w_{j,1}$")
    ax.set_ylabel("$|a_j|\\, w_{j,2}$")
    ax.set_title(f"{m} particles (dashed: the {m0} teacher neurons' directions)")


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Three panels from the loss, path and teacher tables."""
    set_theme()
    losses, paths, teacher = (read_table(inputs[name]) for name in ("cb_losses", "cb_paths", "cb_teacher"))
    drawn = sorted(paths["particles"].unique())
    m0 = len(teacher)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), gridspec_kw={"width_ratios": [1, 1, 1.3]})
    for ax, m, letter in zip(axes[:2], (drawn[0], drawn[-1]), "ab", strict=False):
        _paths(ax, paths, teacher, m, m0)
        ax.set_title(f"({letter}) " + ax.get_title())
    ax = axes[2]
    counts = sorted(losses["particles"].unique())
    colors = dict(zip(counts, sns.color_palette("viridis", n_colors=len(counts)), strict=True))
    for m in counts:
        rows = losses[(losses["particles"] == m) & (losses["time"] > 0)]
        for _, run in rows.groupby("seed"):
            ax.plot(run["time"], run["loss"], color=colors[m], lw=0.5, alpha=0.4)
        median = rows.groupby("time")["loss"].median()
        ax.plot(median.index, median.to_numpy(), color=colors[m], lw=2, label=f"m = {m}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("$t = \\eta \\times$ steps")
    ax.set_ylabel("training loss $\\frac{1}{2}\\,$mean$(f - y)^2$")
    seeds = losses["seed"].nunique()
    ax.set_title(f"(c) loss, {seeds} seeds (thin) and median (thick)")
    ax.legend(fontsize="small")
    fig.tight_layout()
    save_figure(fig, outputs["png"])
