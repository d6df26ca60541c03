"""Tensor Programs IV's Fig 2: the largest stable SGD learning rate falls like 1/width in the standard
parametrization and is constant in width under muP.

One row per set of input and output multipliers (the first: the authors' for relu + squared loss, which the claims
use; the second: unit multipliers, the sensitivity row of the pilot's protocol; a set whose edge lies outside the
grid at every width is named in the title instead of drawn). Left, SP and muP: the final
training loss (mean over seeds) against log2 of the learning rate, one curve per width, darker = wider, drawn up to
the largest stable learning rate, a cross at the first unstable one (at the top edge when its loss is above the axis
or not finite). Right: log2 of the largest stable learning rate against log2 width with least-squares lines, their
slopes in the legend (claims mup.maxlr.sp_slope and mup_slope from the first row), and the reference slopes -1 (SP:
max LR proportional to 1/width) and 0 (muP).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.mup import datasets
from replications.mup.measures import maxlr_slope
from replications.mup.plotting import sequential_colors

CLASSES = 10
INITIAL_LOSS = (1 - 1 / CLASSES) / CLASSES  # MSE_label of the zero readout: 0.09
NAMES = {"sp": "SP", "mup": "μP"}
UNSTABLE = {"marker": "x", "mew": 2, "ms": 7}


def _loss_panel(ax: plt.Axes, runs: pd.DataFrame, edges: pd.Series, colors: dict) -> None:
    """Mean final loss up to each width's largest stable learning rate, a cross at the first unstable one."""
    means = runs.groupby(["width", "log2_lr"])["final_loss"].agg(lambda v: v.mean(skipna=False))
    stable = means[[lr <= edges[w] for w, lr in means.index]]
    top = INITIAL_LOSS * 1.12
    bottom = stable.min() - 0.05 * (top - stable.min()) if stable.notna().any() else 0.0
    stacked = {}
    for width, curve in means.groupby(level="width"):
        curve = curve.droplevel("width")
        kept = curve[curve.index <= edges[width]]
        ax.plot(kept.index, kept.to_numpy(), "o-", color=colors[width], lw=1.8, ms=3)
        beyond = curve[curve.index > edges[width]] if np.isfinite(edges[width]) else curve
        if beyond.empty:
            continue
        lr, loss = beyond.index[0], beyond.iloc[0]
        on_axis = np.isfinite(loss) and loss <= top
        k = 0 if on_axis else stacked.get(lr, 0)
        shift = offset_copy(ax.transData, fig=ax.figure, y=-6 * k, units="points")
        ax.plot(lr, loss if on_axis else top, ls="", color=colors[width], clip_on=False, transform=shift, **UNSTABLE)
        stacked[lr] = stacked.get(lr, 0) + (not on_axis)
    ax.axhline(INITIAL_LOSS, color="0.3", ls=":", lw=1.2)
    ax.set_ylim(bottom, top)
    ax.set_xlabel("$\\log_2$ learning rate $\\eta$")
    ax.xaxis.set_major_locator(plt.MultipleLocator(2))


def _slope_panel(ax: plt.Axes, maxlr: pd.DataFrame, base_width: int, title: str) -> None:
    """log2 max LR against log2 width, least-squares lines and reference slopes through the base width."""
    colors = dict(zip(NAMES, sns.color_palette(n_colors=4)[2:], strict=True))
    for parametrization, name in NAMES.items():
        rows = maxlr[maxlr["parametrization"] == parametrization].dropna(subset=["log2_max_lr"])
        x, y = np.log2(rows["width"].to_numpy(float)), rows["log2_max_lr"].to_numpy(float)
        ax.plot(x, y, "o", color=colors[parametrization], ms=7, zorder=3)
        if len(rows) >= 2:
            slope = maxlr_slope(maxlr, parametrization)
            fit = np.poly1d(np.polyfit(x, y, 1))
            ax.plot(
                x,
                fit(x),
                "-",
                color=colors[parametrization],
                lw=2,
                label=f"{name}: slope {slope:.2f}".replace("-", "−"),
            )
    base = maxlr[maxlr["width"] == base_width].dropna(subset=["log2_max_lr"])
    x = np.log2(np.sort(maxlr["width"].unique()).astype(float))
    if not base.empty:
        anchor = base["log2_max_lr"].mean()
        for slope, style, label in ((-1, "--", "slope −1 (SP theory: max LR ∝ 1/n)"), (0, ":", "slope 0 (μP theory)")):
            ax.plot(x, anchor + slope * (x - np.log2(base_width)), style, color="0.35", lw=1.3, label=label)
    ax.set_xlabel("$\\log_2$ width $n$")
    ax.set_ylabel("$\\log_2$ largest stable learning rate")
    ax.xaxis.set_major_locator(plt.MultipleLocator(1))
    ax.legend(fontsize="small", loc="lower left")
    ax.set_title(title)


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Per set of multipliers, a row: loss curves of SP and muP and the max-LR panel (runs and max-LR tables)."""
    set_theme()
    runs, maxlr = read_table(inputs["maxlr_runs"]), read_table(inputs["maxlr"])
    widths = sorted(runs["width"].unique())
    colors = dict(zip(widths, sequential_colors(len(widths)), strict=True))
    measured = set(maxlr.loc[maxlr["log2_max_lr"].notna(), "multipliers"])
    sets = [m for m in config["multiplier_sets"] if m["name"] in measured]
    unmeasured = [m["name"] for m in config["multiplier_sets"] if m["name"] not in measured]
    fig, grid = plt.subplots(
        len(sets), 3, figsize=(15, 4.6 * len(sets)), width_ratios=[1, 1, 1.1], layout="constrained", squeeze=False
    )
    for axes, multipliers in zip(grid, sets, strict=True):
        these_runs = runs[runs["multipliers"] == multipliers["name"]]
        these_edges = maxlr[maxlr["multipliers"] == multipliers["name"]]
        axes[1].sharey(axes[0])
        label = f"input multiplier {multipliers['input_mult']:g}, output multiplier {multipliers['output_mult']:g}"
        for ax, (parametrization, name) in zip(axes[:2], NAMES.items(), strict=True):
            edges = these_edges[these_edges["parametrization"] == parametrization].set_index("width")["log2_max_lr"]
            _loss_panel(ax, these_runs[these_runs["parametrization"] == parametrization], edges, colors)
            title = name if parametrization == "sp" else f"{name} (base width {config['base_width']})"
            ax.set_title(f"{title}; {multipliers['name']}")
        axes[0].set_ylabel(f"final training loss (mean over seeds)\n{label}")
        axes[1].tick_params(labelleft=False)
        claims = " (the claims')" if multipliers is sets[0] else " (sensitivity)"
        _slope_panel(axes[2], these_edges, config["base_width"], f"Largest stable learning rate{claims}")
    handles = [Line2D([], [], color=colors[w], lw=2, marker="o", ms=3, label=f"width {w}") for w in widths]
    handles += [
        Line2D([], [], ls="", color="0.3", label="first unstable η (off scale: at the top edge)", **UNSTABLE),
        Line2D([], [], color="0.3", ls=":", lw=1.2, label=f"loss at initialization ({INITIAL_LOSS:g})"),
    ]
    fig.legend(handles=handles, loc="outside lower left", ncol=len(handles), frameon=False)
    seeds = config["seeds"]
    fig.suptitle(
        f"2-hidden-layer ReLU MLP, squared loss, SGD, batch {config['batch']}, {config['steps']} steps on "
        f"{datasets.label(config)}, "
        f"{seeds} seed{'s' if seeds > 1 else ''}\n"
        f"stable: every seed's loss finite and its mean over the last {config['loss_window']} steps below its first"
        + "".join(f"\nmultipliers '{name}': no width's edge inside the grid (not drawn)" for name in unmeasured)
    )
    save_figure(fig, outputs["png"])
