"""Mei, Montanari & Nguyen 2018, Fig 1 (isotropic Gaussians): the law of ||w_i|| under SGD against the radial PDE.

(a)-(d) histograms of ||w_i|| of the SGD units (all seeds pooled) at four times, with the particles of both PDE
forms binned alike: the finite-d PDE (kernel u_d, black) and the paper's d -> infinity form (kernel u, orange
dashed). (e) the population risk against time, each SGD seed and both PDEs. (f) W1 between the SGD law of ||w|| and
each PDE's against time (`mmn.w1_ratio` uses the finite-d one's final value), beside W1(PDE at 0, PDE at t), the
distance the prediction itself travels.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from scipy.stats import wasserstein_distance

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table

SNAPSHOT_FRACTIONS = (0.0, 0.2, 0.4, 1.0)  # of the last recorded time
BINS = 40


def _snapshot_times(times: np.ndarray) -> list[float]:
    return [float(times[np.argmin(np.abs(times - f * times.max()))]) for f in SNAPSHOT_FRACTIONS]


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Six panels from the radii and risk tables."""
    set_theme()
    radii, risk = read_table(inputs["mmn_radii"]), read_table(inputs["mmn_risk"])
    sgd, pde = radii[radii["source"] == "sgd"], radii[radii["source"] == "pde"]
    paper = radii[radii["source"] == "pde_d_infinity"]
    times = np.sort(pde["time"].unique())
    sgd_color, pde_color, paper_color = sns.color_palette()[0], "black", sns.color_palette()[1]
    pde_label, paper_label = f"PDE, $d$ = {config['dimension']}", "PDE, $d \\to \\infty$ (paper)"
    setup = (
        f"$d$ = {config['dimension']}, $N$ = {config['units']}, $\\Delta$ = {config['delta']}, "
        f"$\\varepsilon$ = {config['step']:g}"
    )

    fig = plt.figure(figsize=(13, 7.2))
    grid = fig.add_gridspec(2, 4, height_ratios=[1, 1.1], hspace=0.42, wspace=0.35)
    for panel, t in enumerate(_snapshot_times(times)):
        ax = fig.add_subplot(grid[0, panel])
        r_sgd, r_pde = sgd[sgd["time"] == t]["radius"], pde[pde["time"] == t]["radius"]
        r_paper = paper[paper["time"] == t]["radius"]
        edges = np.histogram_bin_edges(np.concatenate([r_sgd, r_pde, r_paper]), BINS)
        ax.hist(r_sgd, bins=edges, density=True, color=sgd_color, alpha=0.55, label="SGD (all seeds)")
        ax.stairs(np.histogram(r_pde, bins=edges, density=True)[0], edges, color=pde_color, lw=1.3, label=pde_label)
        ax.stairs(
            np.histogram(r_paper, bins=edges, density=True)[0], edges, color=paper_color, lw=1.3, ls="--",
            label=paper_label,
        )  # fmt: skip
        ax.set_title(f"({'abcd'[panel]}) $t$ = {t:g}")
        ax.set_xlabel("$\\|w_i\\|$")
        if panel == 0:
            ax.set_ylabel("density")
    ax.legend(fontsize="small", loc="upper right")  # the last panel has room above its bulk

    ax_risk = fig.add_subplot(grid[1, :2])
    for seed, run in risk[risk["source"] == "sgd"].groupby("seed"):
        ax_risk.plot(run["time"], run["risk"], color=sgd_color, lw=1.0, alpha=0.8, label="SGD" if seed == 0 else None)
    pde_risk, paper_risk = risk[risk["source"] == "pde"], risk[risk["source"] == "pde_d_infinity"]
    ax_risk.plot(pde_risk["time"], pde_risk["risk"], "-", color=pde_color, lw=1.2, label=f"{pde_label} ($N = \\infty$)")
    ax_risk.plot(paper_risk["time"], paper_risk["risk"], "--", color=paper_color, lw=1.4, label=paper_label)
    for i, t in enumerate(_snapshot_times(times)[1:]):
        ax_risk.axvline(t, color="grey", lw=0.6, ls=":", label="times of (b)-(d)" if i == 0 else None)
    if risk["risk"].max() > 5 * risk["risk"].min():  # log only where the risk falls by decades
        ax_risk.set_yscale("log")
    ax_risk.set_xlabel("time $t = k\\varepsilon$")
    ax_risk.set_ylabel("population risk $E(y - \\hat y)^2$")
    ax_risk.set_title("(e) population risk, each SGD seed and both PDE forms")
    ax_risk.legend(fontsize="small")

    pde_start = pde[pde["time"] == times[0]]["radius"]
    gap_T = [wasserstein_distance(sgd[sgd["time"] == t]["radius"], pde[pde["time"] == t]["radius"]) for t in times]
    travel_T = [wasserstein_distance(pde_start, pde[pde["time"] == t]["radius"]) for t in times[1:]]
    ax_w1 = fig.add_subplot(grid[1, 2:])
    paper_gap_T = [
        wasserstein_distance(sgd[sgd["time"] == t]["radius"], paper[paper["time"] == t]["radius"]) for t in times
    ]
    ax_w1.plot(times, gap_T, "o-", ms=3, color=pde_color, label=f"$W_1$(SGD at $t$, {pde_label})")
    ax_w1.plot(times, paper_gap_T, "s--", ms=3, color=paper_color, label=f"$W_1$(SGD at $t$, {paper_label})")
    ax_w1.plot(times[1:], travel_T, ":", color="grey", label=f"$W_1$({pde_label} at 0, at $t$)")
    ax_w1.set_yscale("log")
    ax_w1.set_xlabel("time $t = k\\varepsilon$")
    ax_w1.set_ylabel("$W_1$ (laws of $\\|w_i\\|$)")
    ax_w1.set_title("(f) distance of SGD from each PDE, and of the PDE from its start")
    ax_w1.legend(fontsize="small")

    fig.suptitle(f"Isotropic Gaussians, law of $\\|w_i\\|$: SGD vs both radial PDE forms ({setup})", y=0.98)
    save_figure(fig, outputs["png"])
