"""Lee et al.'s lookup-table ("lattice") kernel against the exact one (their appendix figure, and where it fails).

(a, b) The NNGP against the angle between two unit-variance inputs at several depths, exact (lines) and lattice
(dots), ReLU and tanh. (c) The table's E[phi(u)^2] against the exact value over the input variance: the paper's
u-grid [-10, 10] truncates Gaussians of standard deviation above ~3, so the ReLU table is 1.7 % low at variance 10
and 71 % low at 100 (papers.md §2.3); deep ReLU nets with weight_var > 2 reach such variances (the unbounded phase).
(d) The claim's settings (standardized digits at `claim_depth`): the lattice's error in units of
sqrt(K(x,x) K(x',x')) (the claim's metric) beside its relative error on 1 - c, the part of the kernel left once its
constant is removed; only the second sees a kernel that the correlation clamp has collapsed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.nngp.paper import LATTICE_RELU_DIAGONAL_ERROR


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Three panels from `inputs["lattice_angles"]` and `inputs["lattice_variance"]`."""
    set_theme()
    section = config["lattice"]
    angles, variance = read_table(inputs["lattice_angles"]), read_table(inputs["lattice_variance"])
    mnist = read_table(inputs["lattice_mnist"])
    activations = section["activations"]
    fig, axes = plt.subplots(1, len(activations) + 2, figsize=(5 * (len(activations) + 2), 4.5))
    for ax, activation in zip(axes, activations, strict=False):
        rows = angles[angles["activation"] == activation]
        for color, (depth, at_depth) in enumerate(rows.groupby("depth")):
            exact = at_depth[at_depth["method"] == "exact"]
            lattice = at_depth[at_depth["method"] == "lattice"]
            ax.plot(exact["angle"], exact["nngp"], color=f"C{color}", lw=1.5, label=f"depth {depth}")
            ax.plot(lattice["angle"].iloc[::8], lattice["nngp"].iloc[::8], "o", color=f"C{color}", ms=3.5)
        deepest = rows[(rows["depth"] == rows["depth"].max())]
        exact_deep = deepest[deepest["method"] == "exact"]["nngp"].to_numpy()
        lattice_deep = deepest[deepest["method"] == "lattice"]["nngp"].to_numpy()
        worst = np.max(np.abs(lattice_deep - exact_deep)) / exact_deep[0]
        ax.set_title(
            f"({'ab'[activations.index(activation)]}) {activation}, $\\sigma_w^2 = {section['weight_var']:g}$, "
            f"$\\sigma_b^2 = {section['bias_var']:g}$: lines exact, dots lattice\n"
            f"(this setting, depth {rows['depth'].max()}: max error {worst:.1e} of $K(x, x)$)"
        )
        ax.set_xticks(np.linspace(0, np.pi, 5), ["0", r"$\pi/4$", r"$\pi/2$", r"$3\pi/4$", r"$\pi$"])
        ax.set_xlabel("angle between inputs")
        ax.set_ylabel("NNGP kernel $K(x, x')$")
        ax.legend(fontsize="small")
    ax = axes[-2]
    for color, (activation, rows) in enumerate(variance.groupby("activation", sort=False)):
        relative = (rows["lattice"] - rows["exact"]) / rows["exact"]
        ax.plot(rows["variance"], np.abs(relative), color=f"C{color}", label=f"{activation}")
    paper = LATTICE_RELU_DIAGONAL_ERROR
    ax.plot(list(paper), [abs(v) for v in paper.values()], "kx", ms=8, label="paper's ReLU table (papers.md)")
    ax.axvline(9.0, color="grey", ls=":", lw=1)
    ax.text(9.5, 1e-12, "variance 9: the u-grid's\nedge 10 is 3.3 sd", fontsize="small", color="grey")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1e-16, 2)
    ax.set_xlabel("input variance $s$")
    ax.set_ylabel(r"$|E_{\rm lattice}[\phi^2] - E[\phi^2]|\, /\, E[\phi^2]$")
    ax.set_title("(c) the table's $E[\\phi(u)^2]$: coarse variance grid (left),\ntruncated u-grid (right)")
    ax.legend(fontsize="small")
    _draw_claim_settings(axes[-1], mnist, section)
    fig.tight_layout()
    save_figure(fig, outputs["png"])


def _draw_claim_settings(ax: plt.Axes, mnist, section: Mapping[str, Any]) -> None:
    """(d): both error metrics at every claim setting, one column per (weight_var, bias_var)."""
    for r, (activation, rows) in enumerate(mnist.groupby("activation", sort=False)):
        at = np.arange(len(rows)) + 0.15 * (2 * r - 1)
        ax.plot(at, rows["max_relative_error"], "o", color=f"C{r}", label=f"{activation}: error / $\\sqrt{{K K}}$")
        ax.plot(at, rows["max_distance_error"], "^", mfc="none", color=f"C{r}", label=f"{activation}: error on $1 - c$")
    labels = [f"{w:g}, {b:g}" for w, b in zip(rows["weight_var"], rows["bias_var"], strict=True)]
    ax.set_xticks(np.arange(len(labels)), labels, rotation=60, fontsize="x-small")
    ax.axhline(0.005, color="grey", ls=":", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel(r"$\sigma_w^2, \sigma_b^2$")
    ax.set_ylabel("max relative error, lattice vs exact")
    ax.set_title(f"(d) claim settings, depth {section['claim_depth']}: two error metrics\n(dotted: the claim's 0.005)")
    ax.legend(fontsize="x-small")
