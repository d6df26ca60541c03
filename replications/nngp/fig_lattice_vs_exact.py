"""Where the paper's lattice kernel loses accuracy that the exact kernel keeps (issue 15).

Each panel: test accuracy with the lattice minus test accuracy with the exact kernel over the (weight_var, bias_var)
grid of Fig 4, one activation (rows) at one depth (columns). Dotted: the critical line chi_1 = 1. Hatched: cells where
the exact kernel's 1 - c between a training digit and its nearest neighbour (the median over the digits) is below
1e-5, the lattice's correlation clamp (max_corr 0.99999 of the original code): the lattice reads every such pair at
the clamp, all alike, and loses the nearest neighbours' order, which the exact kernel keeps until 1 - c nears
float64's resolution (deep in the ordered phase both kernels are then at chance). For ReLU in the
unbounded phase the lattice's variance cap (100, and a u-grid truncated at +-10) makes it the kernel of a bounded
surrogate net. Markers: Table 1's NNGP choices on MNIST, the paper's (stars; depth in the label) and ours (circles,
chosen on validation by `gp_search`, one per training size), drawn on every panel whatever their depth.
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
from replications.nngp.fig4_phase import grid
from replications.nngp.measures import collapse_fraction, paired_cells
from replications.nngp.paper import TABLE1

CLAMP = 1e-5  # 1 - max_corr of the paper's lattice


def _paper_choices(activation: str) -> list[tuple[int, float, float]]:
    """(depth, weight_var, bias_var) of the paper's Table 1 NNGPs on MNIST for one activation."""
    choices = []
    for entry in TABLE1:
        if (entry.dataset, entry.activation, entry.model) == ("mnist", activation, "gp"):
            _, depth, weight_var, bias_var = entry.best.split("-")
            choices.append((int(depth), float(weight_var), float(bias_var)))
    return choices


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Difference maps from `inputs["phase"]`, Table 1's choices from `inputs["gp_search"]` and the paper."""
    set_theme()
    plt.rcParams["hatch.color"] = "0.25"
    section = config["fig4_phase"]
    phase, search = read_table(inputs["phase"]), read_table(inputs["gp_search"])
    activations, depths = section["activations"], sorted(section["depths"])
    fig, axes = plt.subplots(
        len(activations), len(depths), figsize=(5.2 * len(depths), 4.4 * len(activations)), squeeze=False
    )
    for r, activation in enumerate(activations):
        for c, depth in enumerate(depths):
            ax = axes[r, c]
            cells = phase[(phase["activation"] == activation) & (phase["depth"] == depth)]
            lattice, exact = (cells[cells["method"] == m] for m in ("lattice", "exact"))
            wv, bv, chi = grid(exact, "chi1")
            _, _, lattice_accuracy = grid(lattice, "test_accuracy")
            _, _, exact_accuracy = grid(exact, "test_accuracy")
            _, _, distance = grid(exact, "neighbour_distance")
            image = ax.pcolormesh(
                wv, bv, lattice_accuracy - exact_accuracy, cmap="RdBu", vmin=-0.9, vmax=0.9, shading="nearest"
            )
            fig.colorbar(image, ax=ax, label="accuracy: lattice - exact")
            ax.contour(wv, bv, chi, levels=[1.0], colors="black", linestyles=":", linewidths=2)
            if np.any(distance < CLAMP):
                clamped = (distance < CLAMP).astype(float)
                ax.contourf(wv, bv, clamped, levels=[0.5, 1.5], hatches=["//"], colors="none")
            for depth_p, wv_p, bv_p in _paper_choices(activation):
                ax.plot(wv_p, bv_p, "*", color="gold", mec="black", ms=13)
                ax.annotate(
                    f"paper, depth {depth_p}",
                    (wv_p, bv_p),
                    xytext=(5, 5),
                    textcoords="offset points",
                    fontsize="x-small",
                )
            ours = search[(search["activation"] == activation) & search["selected"]]
            for (wv_o, bv_o), at in ours.groupby(["weight_var", "bias_var"]):
                ax.plot(wv_o, bv_o, "o", mfc="none", mec="black", ms=8)
                chosen = ", ".join(str(d) for d in sorted(set(at["depth"].astype(int))))
                label = f"ours, depth {chosen}"
                ax.annotate(label, (wv_o, bv_o), xytext=(5, -9), textcoords="offset points", fontsize="x-small")
            fraction = collapse_fraction(*paired_cells(phase, activation, depth))
            ax.set_title(
                f"{activation}, depth {depth}: lattice - exact\n"
                f"lattice >= 0.2 below in {fraction:.0%} of cells\n"
                "hatched: exact nearest-neighbour $1 - c < 10^{-5}$"
            )
            ax.set_xlabel(r"$\sigma_w^2$")
            ax.set_ylabel(r"$\sigma_b^2$")
            ax.grid(False)
    split = section["split"]
    fig.suptitle(
        f"The lattice's accuracy minus the exact kernel's, {dataset_info(config).label} ({split['train']} train, "
        f"{split['test']} test); dotted: $\\chi_1 = 1$; stars: the paper's Table 1 NNGPs, circles: ours"
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
