"""Functions of one input with symmetric alpha-stable output weights (Neal 1994 §2.2: priors based on non-Gaussian
stable distributions), alpha in {1, 1.5, 2}, sigma_v = omega_v H^(-1/alpha).

Rows: hidden activation; columns: alpha. Every panel has the same hidden units and differs only in the law of the
output weights. At alpha = 2 (Gaussian) the function is a sum of many small contributions; as alpha falls, the
largest |v_j| carry a share of f that does not vanish with H, so single units show: jumps for step units, single
steep features for tanh units (fig_dominance measures that share).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_arrays

INDEX_LABEL = {1.0: r"$\alpha = 1$ (Cauchy)", 2.0: r"$\alpha = 2$ (Gaussian)"}


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """One panel per (activation, alpha) from `inputs["stable_samples"]` to `outputs["png"]` (and its PDF)."""
    set_theme()
    arrays, _ = read_arrays(inputs["stable_samples"])
    indices, activations = config["stable_indices"], config["activations"]
    fig, axes = plt.subplots(
        len(activations), len(indices), figsize=(3.2 * len(indices), 2.4 * len(activations)), squeeze=False
    )
    for r, activation in enumerate(activations):
        for c, index in enumerate(indices):
            ax = axes[r, c]
            for f in arrays[f"f_{activation}_{index:g}"]:
                ax.plot(arrays["x"], f, lw=0.9)
            if r == 0:
                ax.set_title(INDEX_LABEL.get(float(index), rf"$\alpha = {index:g}$"))
            if c == 0:
                ax.set_ylabel(f"{activation} units\n$f(x)$")
            if r == len(activations) - 1:
                ax.set_xlabel("$x$")
    fig.suptitle(
        r"Symmetric $\alpha$-stable output weights, $\sigma_v = \omega_v H^{-1/\alpha}$, "
        f"$H = {config['hidden_units']:,}$ ($\\sigma_u = {config['input_weight_sd']:g}$, "
        f"$\\sigma_a = {config['hidden_bias_sd']:g}$, "
        f"$\\sigma_b = {config['output_bias_sd']:g}$, $\\omega_v = {config['output_weight_scale']:g}$)",
        y=1.0,
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
