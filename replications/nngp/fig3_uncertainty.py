"""Lee et al. 2018 Fig 3: the NNGP's predicted uncertainty tracks its realized error.

Each point is the mean over `points_per_bin` test points binned by the NNGP's predictive variance: x the mean
predicted variance, y the mean realized squared error (over the ten outputs). The paper printed the correlation on
each panel; a reference implementation gave 0.88-0.90 with 1k-2k MNIST training points.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.nngp.datasets import dataset_info
from replications.nngp.measures import binned_uncertainty, uncertainty_correlation


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Binned predicted variance against binned realized MSE, from `inputs["uncertainty"]`."""
    set_theme()
    section = config["fig3_uncertainty"]
    points = read_table(inputs["uncertainty"])
    binned = binned_uncertainty(points, section["points_per_bin"])
    corr = uncertainty_correlation(points, section["points_per_bin"])
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    ax.scatter(binned["predicted_variance"], binned["realized_mse"], s=28)
    ax.set_xlabel("NNGP predicted variance (bin mean)")
    ax.set_ylabel("realized MSE (bin mean)")
    ax.set_title(
        f"{dataset_info(config).label}, {section['split']['train']:,} training points, {section['activation']}, "
        f"depth {section['depth']}\n"
        f"$\\sigma_w^2 = {section['weight_var']:g}$, $\\sigma_b^2 = {section['bias_var']:g}$; "
        f"{section['points_per_bin']} test points per bin; corr = {corr:.3f}"
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
