"""Chizat, Oyallon & Bach 2019, Fig 1: lazy training occurs when the scale tau of the initialization is large.

(a)(b) as the original: the gradient-descent path of every unit of a 2-D student, drawn at |b_j| a_j, red or blue by
the sign of its final output weight (a dot at the end), the teacher's units as arrows coloured by their sign, and the
unit circle dotted; (a) small tau: the units travel to the teacher's, (b) large tau: they barely move. (c) the test
loss in d = 100 against tau: mean over trials at the end of training (solid) and the best during training (dotted),
grey bands +-1 std over trials (claim: it grows with tau, `lazy.test_loss_ratio`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table

LOSS_UNIT = 1e-3  # the original plots 1000 x the test loss "for nicer yticks"


def _sign_colors() -> dict[int, tuple[float, float, float]]:
    palette = sns.color_palette()
    return {1: palette[3], -1: palette[0]}


def _trajectories(ax: plt.Axes, paths: pd.DataFrame, teacher: pd.DataFrame, title: str) -> None:
    colors = _sign_colors()
    circle = np.linspace(0, 2 * np.pi, 361)
    ax.plot(np.cos(circle), np.sin(circle), ":", color="black", lw=1)
    for _, unit in paths.sort_values("step").groupby("neuron"):
        color = colors[int(unit["sign"].iloc[0])]
        ax.plot(unit["x"], unit["y"], color=color, lw=1)
        ax.scatter(unit["x"].iloc[-1], unit["y"].iloc[-1], s=18, color=color, zorder=4)
    bound = max(1.1, 1.1 * np.abs(paths[["x", "y"]].to_numpy()).max())
    for _, unit in teacher.iterrows():
        ax.arrow(
            0, 0, unit["x"], unit["y"], width=0.01 * bound, head_width=0.06 * bound, length_includes_head=True,
            facecolor=colors[int(unit["sign"])], edgecolor="black", lw=0.6, zorder=5,
        )  # fmt: skip
    ax.set_xlim(-bound, bound)
    ax.set_ylim(-bound, bound)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title)


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Three panels from the trajectories, teacher and test-loss tables."""
    set_theme()
    paths, teacher = read_table(inputs["lazy_trajectories"]), read_table(inputs["lazy_teacher"])
    losses = read_table(inputs["lazy_test_loss"])
    small, large = sorted(paths["tau"].unique())[0], sorted(paths["tau"].unique())[-1]

    fig, axes = plt.subplots(1, 3, figsize=(12, 4.1), gridspec_kw={"width_ratios": [1, 1, 1.15]})
    _trajectories(axes[0], paths[paths["tau"] == small], teacher, f"(a) non-lazy, $\\tau$ = {small:g}")
    _trajectories(axes[1], paths[paths["tau"] == large], teacher, f"(b) lazy, $\\tau$ = {large:g}")
    colors = _sign_colors()
    handles = [
        plt.Line2D([], [], color=colors[1], lw=1, marker="o", markersize=4, label="path of $|b_j|\\,a_j$, $b_j > 0$"),
        plt.Line2D([], [], color=colors[-1], lw=1, marker="o", markersize=4, label="path of $|b_j|\\,a_j$, $b_j < 0$"),
        plt.Line2D(
            [], [], color="0.3", lw=0, marker="$\\rightarrow$", markersize=14, label="teacher unit (colour: sign)"
        ),
        plt.Line2D([], [], color="black", lw=1, ls=":", label="unit circle"),
    ]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.34, -0.04), ncol=4, fontsize="small")

    ax = axes[2]
    stats = losses.groupby("tau")[["final_test_loss", "best_test_loss"]].agg(["mean", "std"]) / LOSS_UNIT
    tau = stats.index.to_numpy()
    curves = (("final_test_loss", "-", "end of training"), ("best_test_loss", ":", "best throughout training"))
    for column, style, label in curves:
        mean, std = stats[column]["mean"].to_numpy(), stats[column]["std"].to_numpy()
        ax.fill_between(tau, mean - std, mean + std, color="0.85", lw=0)
        ax.plot(tau, mean, style, color="black", lw=2.2, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("$\\tau$ (scale of the initialization)")
    ax.set_ylabel(f"test loss ($\\times 10^{{{int(np.log10(LOSS_UNIT))}}}$)")
    trials = losses["trial"].nunique()
    ax.set_title(f"(c) $d$ = {losses['dimension'].iloc[0]}, mean $\\pm$ std over {trials} trials")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")
    fig.tight_layout(w_pad=0.5)
    save_figure(fig, outputs["png"])
