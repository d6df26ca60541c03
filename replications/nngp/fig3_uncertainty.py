"""Lee et al. 2018 Fig 3: the NNGP's predicted uncertainty tracks its realized error.

Each point is the mean over `points_per_bin` test points binned by the NNGP's predictive variance: x the mean
predicted variance, calibrated by the kernel scale s fitted on the validation points (`measures.variance_scale`:
K -> s K leaves the posterior mean alone and scales the variance by s), y the mean realized squared error (over the
ten outputs). On the line y = x the calibrated variance predicts the error. The paper printed a correlation on each
panel (values not recovered); we print the binned Pearson correlation and, beside it, Spearman's rank correlation
over the test points themselves (no bins).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.nngp.datasets import dataset_info
from replications.nngp.measures import (
    binned_uncertainty,
    rank_correlation_estimate,
    uncertainty_correlation,
    variance_scale,
)


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Binned calibrated predicted variance against binned realized MSE, from `inputs["uncertainty"]`."""
    set_theme()
    section = config["fig3_uncertainty"]
    points = read_table(inputs["uncertainty"])
    scale = variance_scale(points)
    binned = binned_uncertainty(points, section["points_per_bin"])
    corr = uncertainty_correlation(points, section["points_per_bin"])
    rank = rank_correlation_estimate(points)
    fig, ax = plt.subplots(figsize=(5.6, 5.2))
    x, y = scale * binned["predicted_variance"], binned["realized_mse"]
    ax.scatter(x, y, s=28, label="bins of test points")
    top = 1.05 * max(x.max(), y.max())
    ax.plot([0, top], [0, top], "k--", lw=1, label="$y = x$")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_aspect("equal")
    ax.set_xlabel(f"calibrated predicted variance $s\\,\\sigma^2$ (bin mean; $s = {scale:.3f}$)")
    ax.set_ylabel("realized MSE (bin mean)")
    ax.legend(loc="upper left", fontsize="small")
    split = section["split"]
    ci = "" if rank.ci is None else f" [{rank.ci[0]:.2f}, {rank.ci[1]:.2f}]"
    ax.set_title(
        f"{dataset_info(config).label}, {split['train']:,} train, {section['activation']}, depth {section['depth']}, "
        f"$\\sigma_w^2 = {section['weight_var']:g}$, $\\sigma_b^2 = {section['bias_var']:g}$\n"
        f"$s$ fitted on {split['validation']:,} validation points; {section['points_per_bin']} test points per bin\n"
        f"binned Pearson r = {corr:.3f}; unbinned Spearman $\\rho$ = {rank.value:.3f}{ci} ({rank.n:,} test points)",
        fontsize="small",
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
