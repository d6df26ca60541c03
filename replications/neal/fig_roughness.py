"""Smooth and Brownian priors (Neal 1994): the mean squared increment E[(f(x + delta) - f(x))^2] against delta.

For tanh units h is smooth, so f(x + delta) - f(x) ~ delta f'(x) and the mean square grows as delta^2 (a smooth
process). For step units each unit jumps by 2 when a_j + u_j x crosses 0, which happens between x and x + delta with
probability proportional to delta: the mean square grows as delta (locally Brownian, as in Neal's figures).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.neal.measures import roughness_slopes

REFERENCE_SLOPE = {"step": 1, "tanh": 2, "erf": 2}


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Log-log mean squared increments per activation, with reference slopes, from `inputs["roughness"]`."""
    set_theme()
    table = read_table(inputs["roughness"])
    slopes = roughness_slopes(table)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for color, (activation, rows) in enumerate(table.groupby("activation", sort=False)):
        scaled = rows["delta"] / rows["length_scale"]
        ax.errorbar(
            scaled,
            rows["mean_sq_increment"],
            yerr=2 * rows["standard_error"],
            fmt="o",
            color=f"C{color}",
            capsize=2,
            label=f"{activation} units: slope {slopes[activation]:.2f}",
        )
        slope = REFERENCE_SLOPE[activation]
        anchor = rows["mean_sq_increment"].iloc[0] * (scaled / scaled.iloc[0]) ** slope
        ax.plot(scaled, anchor, "--", color=f"C{color}", lw=1, label=f"slope {slope} reference")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\delta$ / length scale $1/\sigma_u$")
    ax.set_ylabel(r"$E[(f(x+\delta) - f(x))^2]$")
    ax.set_title(f"Smooth vs Brownian priors, $H = {config['hidden_units']:,}$, {config['draws']:,} draws")
    ax.legend(fontsize="small")
    ax.xaxis.set_major_locator(plt.LogLocator(numticks=5))
    ax.set_xlim(
        np.min(table["delta"] / table["length_scale"]) / 1.5, np.max(table["delta"] / table["length_scale"]) * 1.5
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
