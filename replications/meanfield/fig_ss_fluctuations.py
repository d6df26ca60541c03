"""Sirignano & Spiliopoulos 2020 (CLT of the mean-field limit) on Mei et al.'s model: fluctuations around the limit.

(a) against N, at t*: the std over seeds of R_N - R_inf (the claim meanfield.ss.fluct_slope) and of the output at
each probe input, the |mean| of R_N - R_inf (the law of large numbers' bias), and the std of R_N - R_inf at t = 0
(the CLT of the initialization alone); guides N^-1/2 and N^-1. (b) Q-Q plot of sqrt(N) (R_N - R_inf) at the
smallest and the largest N against a standard Gaussian: the CLT says both lie on one line through the origin (a
shift is the law of large numbers' O(1/N) bias times sqrt(N); a different slope, a different sqrt(N) std).
(c) sqrt(N) x std against N, each relative to its value at the largest N (flat under an exact N^-1/2 law; the
claim meanfield.ss.clt_ratio is the inverse of the risk's first point). (d) the limit's risk over the horizon and t*.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from scipy import stats

from replications.core.plotting import save_figure, set_theme, width_log_axes
from replications.core.provenance import read_table
from replications.meanfield.ss import deviations_at


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Four panels from the limit and deviations tables."""
    set_theme()
    limit, table = read_table(inputs["ss_limit"]), read_table(inputs["ss_deviations"])
    t_star = float(limit.loc[limit["t_star"], "time"].iloc[0])
    risk = deviations_at(table, "risk")
    units = np.array(sorted(risk), float)
    std = {n: np.std(v, ddof=1) for n, v in risk.items()}
    colors = sns.color_palette(n_colors=4)
    fig, axes = plt.subplots(1, 4, figsize=(19, 4.6))

    ax = axes[0]
    ax.plot(units, [std[n] for n in units], "o-", color=colors[0], lw=2, label="std $R_N - R_\\infty$ at $t^*$")
    start = deviations_at(table, "risk", "start")
    ax.plot(units, [np.std(start[n], ddof=1) for n in units], "o--", color="grey", label="std $R_N - R_\\infty$ at 0")
    mean = np.array([np.mean(risk[n]) for n in units])
    error = np.array([2 * np.std(risk[n], ddof=1) / np.sqrt(len(risk[n])) for n in units])
    ax.errorbar(units, np.abs(mean), yerr=error, fmt="s-", color=colors[2], ms=4, capsize=2)
    ax.plot([], [], "s-", color=colors[2], label="|mean $R_N - R_\\infty$| at $t^*$ ($\\pm$2 s.e.)")
    probes = sorted(q for q in table["quantity"].unique() if q.startswith("output_"))
    for k, probe in enumerate(probes):
        output = deviations_at(table, probe)
        ax.plot(
            units, [np.std(output[n], ddof=1) for n in units], "^-", color=colors[1], lw=1, alpha=0.7, ms=3,
            label="std $\\hat y_N(x) - \\hat y_\\infty(x)$ at $t^*$, probe inputs" if k == 0 else None,
        )  # fmt: skip
    ax.plot(units, std[units[0]] * np.sqrt(units[0] / units), "k:", lw=1.2, label="$\\propto N^{-1/2}$")
    ax.plot(units, std[units[0]] * units[0] / units, "k-.", lw=0.8, label="$\\propto N^{-1}$")
    width_log_axes(ax, "units $N$")
    ax.set_ylabel("deviation from the limit")
    ax.set_title(f"(a) fluctuations at $t^*$ = {t_star:g} ({len(risk[units[0]])} seeds per $N$)")
    ax.legend(fontsize="x-small", loc="lower left")

    ax = axes[1]
    for n, marker, color in ((int(units[0]), "o", colors[0]), (int(units[-1]), "s", colors[3])):
        scaled = np.sort(np.sqrt(n) * risk[n])
        quantiles = stats.norm.ppf((np.arange(len(scaled)) + 0.5) / len(scaled))
        ax.plot(quantiles, scaled, marker, ms=3, color=color, alpha=0.7, label=f"$N$ = {n}")
    grid = np.linspace(-3, 3, 2)
    for n, color in ((int(units[0]), colors[0]), (int(units[-1]), colors[3])):
        ax.plot(grid, np.sqrt(n) * (np.mean(risk[n]) + std[n] * grid), "-", color=color, lw=0.8)
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("standard Gaussian quantile")
    ax.set_ylabel("$\\sqrt{N}\\,(R_N(t^*) - R_\\infty(t^*))$, sorted")
    ax.set_title("(b) Q-Q of $\\sqrt{N}$-rescaled deviations (lines: $\\sqrt{N}$(mean + std $q$))")
    ax.legend(fontsize="small")

    ax = axes[2]
    for name, quantity, color in (("risk", "risk", colors[0]), *((None, p, colors[1]) for p in probes)):
        dev = deviations_at(table, quantity)
        scaled = np.array([np.sqrt(n) * np.std(dev[n], ddof=1) for n in units])
        ax.plot(
            units, scaled / scaled[-1], "o-" if name else "^-", color=color, lw=2 if name else 1, ms=4 if name else 3,
            alpha=1 if name else 0.7,
            label="$R_N - R_\\infty$" if name else ("outputs at the probe inputs" if quantity == probes[0] else None),
        )  # fmt: skip
    ax.axhline(1, color="k", ls=":", lw=1)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("units $N$")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("$\\sqrt{N}$ std / its value at the largest $N$")
    ax.set_title("(c) approach to the $N^{-1/2}$ law (flat = CLT)")
    ax.legend(fontsize="small")

    ax = axes[3]
    curve = limit.sort_values("time")
    ax.plot(curve["time"], curve["risk"], "k-", label="$R_\\infty(t)$, finite-$d$ radial PDE")
    ax.axvline(t_star, color=colors[0], ls="--", label=f"$t^*$ = {t_star:g}: half of the fall")
    ax.set_xlabel("time $t = k\\alpha/N$")
    ax.set_ylabel("population risk")
    ax.set_title(f"(d) the limit over the horizon $[0, {config['horizon']:g}]$")
    ax.legend(fontsize="small")

    fig.suptitle(
        f"Mei et al.'s isotropic Gaussians ($d$ = {config['dimension']}, $\\Delta$ = {config['delta']}), one-pass SGD "
        f"with step $\\alpha/N$, $\\alpha$ = {config['alpha']:g}: fluctuations around the mean-field limit "
        "(Sirignano & Spiliopoulos CLT)",
        fontsize="medium",
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
