"""Dominance under stable priors (Neal 1994 §2.2): the share of the largest hidden unit in f(x0) - b,
max_j |v_j h_j| / sum_j |v_j h_j|, against H, for Gaussian, alpha = 1.5 and Cauchy output weights.

The scale sigma_v cancels in the share, so it is a property of the law of |v_j h_j| alone:
  Gaussian v: the largest of H terms grows like sqrt(2 log H), the sum like H: share ~ sqrt(2 log H) / H;
  alpha in (1, 2): the largest grows like H^(1/alpha), the sum like H (E|v| is finite): share ~ H^(1/alpha - 1);
  Cauchy v (alpha = 1): the largest grows like H, the sum like H log H (E|v| is infinite): share ~ 1 / log H.
Points: the median share over the draws, with its distribution-free 95 % interval (order statistics; at 4000
draws the bars hide behind the markers); lines: these shapes, each scaled by one constant fitted (least squares in
log) to the medians. The slopes in the legend are the claims' (their BCa intervals are in claims.json).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.core.stats import loglog_slope
from replications.neal.measures import dominance_shares, median_interval


def _label(index: float) -> str:
    return {2.0: "Gaussian $v$", 1.0: r"Cauchy $v$ ($\alpha = 1$)"}.get(index, rf"$\alpha = {index:g}$ $v$")


def _theory(index: float) -> tuple[str, Callable[[np.ndarray], np.ndarray]]:
    """The shape of the median share against H, and its label."""
    if index == 2.0:
        return r"$\sqrt{2 \log H} / H$", lambda h: np.sqrt(2 * np.log(h)) / h
    if index == 1.0:
        return r"$1 / \log H$", lambda h: 1 / np.log(h)
    return rf"$H^{{1/\alpha - 1}} = H^{{{1 / index - 1:.2f}}}$", lambda h: h ** (1 / index - 1)


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Median largest-unit share against H, per output-weight index, from `inputs["dominance"]`."""
    set_theme()
    table = read_table(inputs["dominance"])
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    for color, index in enumerate(config["stable_indices"]):
        widths, shares = dominance_shares(table, index)
        medians = np.array([np.median(s) for s in shares])
        intervals = np.array([median_interval(s) for s in shares])
        ax.errorbar(
            widths,
            medians,
            yerr=[medians - intervals[:, 0], intervals[:, 1] - medians],
            fmt="o",
            color=f"C{color}",
            capsize=2,
            label=f"{_label(float(index))}: slope {loglog_slope(widths, medians):.2f}",
        )
        label, shape = _theory(float(index))
        grid = np.geomspace(widths.min(), widths.max(), 100)
        constant = np.exp(np.mean(np.log(medians) - np.log(shape(widths.astype(np.float64)))))
        ax.plot(grid, constant * shape(grid), "--", color=f"C{color}", lw=1, label=f"theory {label}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("hidden units $H$")
    ax.set_ylabel(r"median share of the largest unit, $\max_j |v_j h_j| / \sum_j |v_j h_j|$")
    ax.set_title(
        f"Does one unit dominate? {config['activation']} units at $x_0 = {config['x0']:g}$, "
        f"{config['draws']:,} draws per point (95 % intervals)"
    )
    ax.legend(fontsize="small")
    fig.tight_layout()
    save_figure(fig, outputs["png"])
