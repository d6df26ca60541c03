"""Tensor Programs IV's caricature of the space of abc-parametrizations (its Fig. 4), computed from the conditions:
two slices of an L = 2, c = 0 MLP (`mup.abc_space.slice_point`), each grid point coloured by its region.

Left, the readout's learning rate maximal (2 a_3 + c = 1): stable points are all nontrivial, kernel regime (r > 0)
above the line m = 0 and feature learning on it (A >= 1), where muP sits; NTP is a corner of the kernel
region (A = 1/2, m = 1).
Right, the hidden layers as in muP (m = 0): stable for A, B >= 1, trivial inside, feature learning on the two
boundary lines A = 1 and B = 1, muP at their corner. Feature learning is a boundary set, so it is drawn as thick
orange points on top of the area colours.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.mup.abc_space import REGIONS, named_points

COLORS = {"unstable": "#d4d4d4", "trivial": "#fbfaf5", "kernel": "#8db8dd", "feature_learning": "#e8710a"}
LEGEND = {
    "unstable": "unstable",
    "trivial": "stable, trivial",
    "kernel": "kernel regime ($r > 0$)",
    "feature_learning": "feature learning ($r = 0$)",
}
READOUT_INIT = "$a_{L+1}+b_{L+1}$  (readout at initialization)"
PANELS = {
    "maximal_readout_lr": (
        "readout learning rate maximal: $2a_{L+1}+c = 1$",
        READOUT_INIT,
        "$\\mathrm{min}_l\\,(2a_l + 1_{l=1})$  (hidden layers' learning speed)",
    ),
    "muP_hidden": (
        "hidden layers as in μP: $\\mathrm{min}_l\\,(2a_l + 1_{l=1}) = 0$",
        READOUT_INIT,
        "$2a_{L+1}+c$  (readout learning rate)",
    ),
}
NAMES = {"ntp": "NTP", "mup": "μP"}
MARKERS = {"ntp": "s", "mup": "*"}


def _panel(ax: plt.Axes, grid: pd.DataFrame, panel: str) -> None:
    """Area colours of one slice, its feature-learning points and the named parametrizations on it."""
    codes = grid.assign(code=grid["region"].map({r: k for k, r in enumerate(REGIONS)}))
    area_YxX = codes.pivot(index="y", columns="x", values="code")
    cmap = ListedColormap([COLORS[r] for r in REGIONS])
    xs, ys = area_YxX.columns.to_numpy(), area_YxX.index.to_numpy()
    area = np.where(area_YxX.to_numpy() == REGIONS.index("feature_learning"), np.nan, area_YxX.to_numpy())
    ax.pcolormesh(xs, ys, area, cmap=cmap, vmin=-0.5, vmax=len(REGIONS) - 0.5, shading="nearest", rasterized=True)
    learning = grid[grid["region"] == "feature_learning"]
    ax.scatter(learning["x"], learning["y"], s=22, color=COLORS["feature_learning"], zorder=3, linewidths=0)
    for point in named_points():
        if point["panel"] != panel:
            continue
        ax.scatter(
            point["x"],
            point["y"],
            marker=MARKERS[point["name"]],
            s=260 if point["name"] == "mup" else 110,
            color="black",
            edgecolor="white",
            linewidth=1.2,
            zorder=4,
        )
        ax.annotate(
            NAMES[point["name"]],
            (point["x"], point["y"]),
            xytext=(9, 9),
            textcoords="offset points",
            fontsize=12,
            weight="bold",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
        )
    title, xlabel, ylabel = PANELS[panel]
    step = float(np.min(np.diff(xs)))
    ax.set_xlim(xs[0] - step / 2, xs[-1] + step / 2)
    ax.set_ylim(ys[0] - step / 2, ys[-1] + step / 2)
    ax.set_xticks(np.arange(np.ceil(xs[0] * 2), np.floor(xs[-1] * 2) + 1) / 2)
    ax.set_yticks(np.arange(np.ceil(ys[0] * 2), np.floor(ys[-1] * 2) + 1) / 2)
    ax.set_aspect("equal")
    ax.grid(False)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """The two slices side by side from the phase table (outputs["png"], outputs["pdf"])."""
    if Path(outputs["pdf"]).with_suffix("") != Path(outputs["png"]).with_suffix(""):
        raise ValueError(f"png and pdf must share a stem (save_figure), got {outputs['png']}, {outputs['pdf']}")
    set_theme()
    phase = read_table(inputs["abc_phase"])
    fig, axes = plt.subplots(1, 2, figsize=(11, 6.8), width_ratios=[1.5, 2], layout="constrained")
    for ax, panel in zip(axes, PANELS, strict=True):
        _panel(ax, phase[phase["panel"] == panel], panel)
    handles = [Patch(facecolor=COLORS[r], edgecolor="0.5", label=LEGEND[r]) for r in REGIONS[:-1]]
    handles.append(
        Line2D([], [], color=COLORS["feature_learning"], lw=5, label=LEGEND["feature_learning"], solid_capstyle="butt")
    )
    handles += [
        Line2D([], [], ls="", marker=MARKERS[n], color="black", ms=12 if n == "mup" else 8, label=NAMES[n])
        for n in NAMES
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    fig.suptitle(
        "Tensor Programs IV's caricature of abc-parametrizations (its Fig. 4), computed from the stability, "
        "non-triviality\nand feature-learning conditions: MLP with $L = 2$ hidden layers, $c = 0$, "
        "hidden layers $a_1 + b_1 = 0$, $a_2 + b_2 = 1/2$"
    )
    save_figure(fig, outputs["png"])  # writes outputs["pdf"] beside it
