"""Jacot et al. 2018, Fig 3: kernel principal components of MNIST, and training along the second one.

(a) the digits on the 2nd and 3rd principal components of the analytic NTK (non-centred kernel PCA with respect to
the empirical distribution of the digits; the 1st is nearly constant), coloured by class. (b) ||h_t||_{p_in}, the
part of f_t - f* orthogonal to f^(2): the deviation from the straight line from f_0 to f*, zero at infinite width.
(c) ||g_t||_{p_in}, the component along f^(2), against the theory 0.5 exp(-lambda_2 t) with the analytic lambda_2.
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


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Three panels from the PCA tables."""
    set_theme()
    components = read_table(inputs["pca_components"])
    eigenvalues = read_table(inputs["pca_eigenvalues"])
    training = read_table(inputs["pca_training"])
    analytic = components[components["kernel"] == "analytic"]
    lam = eigenvalues[eigenvalues["kernel"] == "analytic"].set_index("rank")["eigenvalue"]

    fig, (ax_pc, ax_h, ax_g) = plt.subplots(1, 3, figsize=(14, 4.3))
    sns.scatterplot(
        data=analytic, x="pc2", y="pc3", hue="label", palette="tab10", s=14, ax=ax_pc, legend="full", linewidth=0
    )
    ax_pc.legend(title="digit", fontsize="x-small", title_fontsize="small", ncol=2, markerscale=1.2)
    ax_pc.set_xlabel(f"$f^{{(2)}}$ ($\\lambda_2$ = {lam[2]:.5f})")
    ax_pc.set_ylabel(f"$f^{{(3)}}$ ($\\lambda_3$ = {lam[3]:.5f})")
    ax_pc.set_title(f"(a) {len(analytic)} digits on the 2nd and 3rd NTK components ($\\lambda_1$ = {lam[1]:.4f})")

    widths = sorted(training["width"].unique())
    colors = dict(zip(widths, sns.color_palette(n_colors=len(widths)), strict=True))
    for width in widths:
        for trial, run in training[training["width"] == width].groupby("trial"):
            label = f"$n$ = {width:,}" if trial == 0 else None
            ax_h.plot(run["time"], run["h"], color=colors[width], lw=1.2, label=label)
            ax_g.plot(run["time"], np.abs(run["g"]), color=colors[width], lw=1.2, label=label)
    time = np.linspace(0, training["time"].max(), 400)
    ax_g.plot(time, 0.5 * np.exp(-lam[2] * time), "k--", lw=1.4, label="$0.5\\, e^{-\\lambda_2 t}$ ($n \\to \\infty$)")
    ax_h.axhline(0.0, color="black", ls="--", lw=1.4, label="$n \\to \\infty$")
    for axis, name in ((ax_h, "h_t"), (ax_g, "g_t")):
        axis.set_xlabel("$t$ (learning rate $\\times$ steps)")
        axis.set_ylabel(f"$\\|{name}\\|_{{p_{{in}}}}$")
        axis.legend(fontsize="small")
    trials = training.groupby("width")["trial"].nunique().min()
    ax_h.set_title(f"(b) deviation from the straight line ({trials} trials per width)")
    ax_g.set_title("(c) convergence along $f^{(2)}$")
    fig.tight_layout()
    save_figure(fig, outputs["png"])
