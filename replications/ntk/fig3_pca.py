"""Jacot et al. 2018, Fig 3: kernel principal components of MNIST, and training along the second one.

(a) the digits on the 2nd and 3rd principal components of the analytic NTK (non-centred kernel PCA with respect to
the empirical distribution of the digits; the 1st is nearly constant), coloured by class; (b) the same for the
empirical NTK of one net at initialization. (c) ||h_t||_{p_in}, the part of f_t - f* orthogonal to f^(2): the
deviation from the straight line from f_0 to f*, zero at infinite width. (d) |g_t|, the component along f^(2),
against the theory 0.5 exp(-lambda_2 t) with the analytic lambda_2, each net beside its linearization (the same
descent with its initial kernel frozen). (e) why a net leaves its linearization: how far its kernel moves, the
Rayleigh quotient <f2, Theta_hat f2> / N^2 (the rate along f^(2)) at the start and at the end of training.
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


def _components(ax: plt.Axes, rows, lam, title: str) -> None:
    sns.scatterplot(data=rows, x="pc2", y="pc3", hue="label", palette="tab10", s=12, ax=ax, legend="full", linewidth=0)
    ax.legend(title="digit", fontsize="x-small", title_fontsize="small", ncol=2, markerscale=1.2)
    ax.set_xlabel(f"$f^{{(2)}}$ ($\\lambda_2$ = {lam[2]:.5f})")
    ax.set_ylabel(f"$f^{{(3)}}$ ($\\lambda_3$ = {lam[3]:.5f})")
    ax.set_title(f"{title} ($\\lambda_1$ = {lam[1]:.4f})", fontsize="medium")


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Five panels from the PCA tables."""
    set_theme()
    components = read_table(inputs["pca_components"])
    eigenvalues = read_table(inputs["pca_eigenvalues"])
    training = read_table(inputs["pca_training"])
    motion = read_table(inputs["pca_kernel_motion"])
    spectra = {name: rows.set_index("rank")["eigenvalue"] for name, rows in eigenvalues.groupby("kernel")}
    lam = spectra["analytic"]
    empirical = next(name for name in spectra if name != "analytic")

    fig, axes = plt.subplot_mosaic([["pc", "emp", "h"], ["g", "g", "rate"]], figsize=(15, 9))
    ax_pc, ax_emp, ax_h, ax_g, ax_rate = (axes[k] for k in ("pc", "emp", "h", "g", "rate"))
    _components(ax_pc, components[components["kernel"] == "analytic"], lam, "(a) analytic NTK")
    _components(
        ax_emp, components[components["kernel"] == empirical], spectra[empirical], f"(b) NTK of a {empirical} net"
    )

    widths = sorted(training["width"].unique())
    colors = dict(zip(widths, sns.color_palette(n_colors=len(widths)), strict=True))
    for width in widths:
        for trial, run in training[training["width"] == width].groupby("trial"):
            label = f"$n$ = {width:,}" if trial == 0 else None
            ax_h.plot(run["time"], run["h"], color=colors[width], lw=1.2, label=label)
            ax_g.plot(run["time"], np.abs(run["g"]), color=colors[width], lw=1.2, label=label)
            ax_g.plot(run["time"], np.abs(run["g_linearized"]), ":", color=colors[width], lw=1.2,
                      label=f"$n$ = {width:,}, linearized" if trial == 0 else None)  # fmt: skip
    time = np.linspace(0, training["time"].max(), 400)
    ax_g.plot(time, 0.5 * np.exp(-lam[2] * time), "k--", lw=1.4, label="$0.5\\, e^{-\\lambda_2 t}$ ($n \\to \\infty$)")
    ax_g.axvline(1 / lam[2], color="grey", lw=0.8)
    ax_g.text(1 / lam[2], 0.45, " $1/\\lambda_2$: fit window", color="grey", fontsize="x-small")
    ax_g.set_yscale("log")
    ax_g.set_ylim(1e-3, 0.7)
    ax_h.axhline(0.0, color="black", ls="--", lw=1.4, label="$n \\to \\infty$")
    for axis, name in ((ax_h, "\\|h_t\\|_{p_{in}}"), (ax_g, "|g_t|")):
        axis.set_xlabel("$t$ (learning rate $\\times$ steps)")
        axis.set_ylabel(f"${name}$")
        axis.legend(fontsize="x-small")
    trials = training.groupby("width")["trial"].nunique().min()
    ax_h.set_title(f"(c) deviation from the straight line ({trials} trials per width)", fontsize="medium")
    ax_g.set_title("(d) convergence along $f^{(2)}$: nets (solid), linearizations (dotted)", fontsize="medium")

    offsets = np.linspace(-0.15, 0.15, trials)
    for i, width in enumerate(widths):
        rows = motion[motion["width"] == width].sort_values("trial")
        for offset, (_, run) in zip(offsets, rows.iterrows(), strict=False):
            ax_rate.plot([i + offset] * 2, [run["rayleigh_start"], run["rayleigh_end"]], "-", color=colors[width])
            ax_rate.plot(i + offset, run["rayleigh_start"], "o", mfc="white", color=colors[width])
            ax_rate.plot(i + offset, run["rayleigh_end"], "o", color=colors[width])
        moved = f"$\\hat\\Theta$ moved by {rows['kernel_change'].mean():.2f}"
        ax_rate.text(i, rows["rayleigh_end"].max() * 1.15, moved,
                     ha="center", va="bottom", fontsize="x-small")  # fmt: skip
    ax_rate.axhline(lam[2], color="k", ls="--", lw=1.2, label="$\\lambda_2$ (analytic)")
    ax_rate.plot([], [], "o", mfc="white", color="grey", label="start")
    ax_rate.plot([], [], "o", color="grey", label="end of training")
    ax_rate.set_xticks(range(len(widths)), [f"$n$ = {w:,}" for w in widths])
    ax_rate.set_xlim(-0.6, len(widths) - 0.4)
    ax_rate.set_yscale("log")
    ax_rate.set_ylim(lam[2] / 2, motion["rayleigh_end"].max() * 2)
    ax_rate.set_ylabel("$\\langle f^{(2)}, \\hat\\Theta f^{(2)} \\rangle / N^2$")
    ax_rate.set_title("(e) the rate along $f^{(2)}$: the kernel moves", fontsize="medium")
    ax_rate.legend(fontsize="x-small", loc="upper right")
    fig.suptitle(
        f"{config['digits']} MNIST digits, depth-{config['depth']} ReLU nets ($\\beta$ = {config['beta']:g}), "
        f"target $f_0 + 0.5 f^{{(2)}}$, GD at lr {config['learning_rate']:g}",
        fontsize="medium",
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
