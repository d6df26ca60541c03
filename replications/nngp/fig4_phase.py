"""Lee et al. 2018 Fig 4: NNGP test accuracy over (weight_var, bias_var) beside the order-to-chaos phase diagram.

Rows: tanh and ReLU. Columns: accuracy at each depth, by each kernel method (the paper's lattice, then the exact
kernel), then the theory: log chi_1 of each cell, with the critical line chi_1 = 1 (dotted) drawn on every panel.
Accuracy is best along the critical line, and falls away from it faster at greater depth. For tanh, chi_1 > 1 is the
chaotic phase; for ReLU, chi_1 = weight_var / 2 > 1 is the unbounded phase (the variance grows without bound with
depth). For tanh, the lattice's dark ordered region is wider than the exact kernel's: there the lattice's
correlation clamp erases a kernel that still carries structure (fig_lattice_vs_exact).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.nngp.datasets import dataset_info
from replications.nngp.measures import KERNEL_METHODS, critical_advantage

PHASE_ABOVE = {"tanh": "chaotic", "relu": "unbounded"}  # the name of the chi_1 > 1 side


def grid(cells, column):
    """(weight_vars, bias_vars, values[bias, weight]) of one column over the grid cells."""
    table = cells.pivot(index="bias_var", columns="weight_var", values=column)
    return table.columns.to_numpy(), table.index.to_numpy(), table.to_numpy()


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Heat maps from `inputs["phase"]`."""
    set_theme()
    section = config["fig4_phase"]
    phase = read_table(inputs["phase"])
    activations, depths, methods = section["activations"], sorted(section["depths"]), KERNEL_METHODS
    columns = [(depth, method) for depth in depths for method in methods] + [(None, None)]
    fig, axes = plt.subplots(
        len(activations), len(columns), figsize=(4.0 * len(columns), 3.7 * len(activations)), squeeze=False
    )
    for r, activation in enumerate(activations):
        cells = phase[phase["activation"] == activation]
        for c, (depth, method) in enumerate(columns):
            ax = axes[r, c]
            at_depth = cells[(cells["depth"] == (depth or depths[0])) & (cells["method"] == (method or methods[0]))]
            wv, bv, chi = grid(at_depth, "chi1")
            if depth is None:
                image = ax.pcolormesh(wv, bv, np.log(chi), cmap="RdBu_r", vmin=-2, vmax=2, shading="nearest")
                fig.colorbar(image, ax=ax, label=r"$\log \chi_1$")
                ax.set_title(
                    f"{activation}: theory (ordered $\\chi_1 < 1$,\n{PHASE_ABOVE.get(activation, 'chaotic')} "
                    "$\\chi_1 > 1$)"
                )
            else:
                _, _, accuracy = grid(at_depth, "test_accuracy")
                image = ax.pcolormesh(wv, bv, accuracy, cmap="viridis", vmin=0.1, vmax=1.0, shading="nearest")
                fig.colorbar(image, ax=ax, label="test accuracy")
                gain = critical_advantage(phase, activation, depth, method=method)
                ax.set_title(f"{activation}, depth {depth}, {method} kernel\n(critical - far: {gain:+.2f})")
            ax.contour(wv, bv, chi, levels=[1.0], colors="white" if depth else "black", linestyles=":", linewidths=2)
            ax.set_xlabel(r"$\sigma_w^2$")
            ax.set_ylabel(r"$\sigma_b^2$")
            ax.grid(False)
    split = section["split"]
    fig.suptitle(
        f"NNGP test accuracy on {dataset_info(config).label} ({split['train']} train, {split['test']} test); "
        "lattice: Lee et al.'s lookup table; exact: closed form (ReLU), Hermite series (tanh); dotted: $\\chi_1 = 1$"
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
