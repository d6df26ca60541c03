"""Functions of two inputs drawn from Neal's prior with H hidden units (after Neal 1994, Figs 2.3-2.7).

Gaussian output weights give a Gaussian-process surface built from many small contributions; Cauchy output weights
give a surface dominated by a few units, each a ridge (tanh) or a cliff (step) along the line a_j + u_j . x = 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_arrays

PRIOR_LABEL = {"gaussian": "Gaussian $v$", "cauchy": "Cauchy $v$"}


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """One heat map with contours per (output prior, activation), from `inputs["samples_2d"]`."""
    set_theme()
    arrays, _ = read_arrays(inputs["samples_2d"])
    grid = arrays["grid"]
    extent = (grid[0], grid[-1], grid[0], grid[-1])
    priors, activations = config["output_priors"], config["activations"]
    fig, axes = plt.subplots(
        len(priors), len(activations), figsize=(3.9 * len(activations), 3.3 * len(priors)), squeeze=False
    )
    for r, output_prior in enumerate(priors):
        for c, activation in enumerate(activations):
            ax = axes[r, c]
            f = arrays[f"f_{output_prior}_{activation}"]
            image = ax.imshow(f, origin="lower", extent=extent, cmap="viridis", interpolation="nearest")
            ax.contour(grid, grid, f, levels=12, colors="white", linewidths=0.4, alpha=0.7)
            fig.colorbar(image, ax=ax, shrink=0.85, label="$f(x_1, x_2)$")
            ax.set_title(f"{PRIOR_LABEL[output_prior]}, {activation} units")
            ax.set_xlabel("$x_1$")
            ax.set_ylabel("$x_2$")
            ax.grid(False)
    fig.suptitle(f"Functions of two inputs from the prior, $H = {config['hidden_units']:,}$")
    fig.tight_layout()
    save_figure(fig, outputs["png"])
