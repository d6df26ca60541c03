"""Functions of one input drawn from Neal's prior (after Neal 1994, Figs 2.1, 2.2 and 2.5).

Rows: output-weight prior x hidden activation; columns: H hidden units, then the widest net's centre zoomed in.
With Gaussian v the functions settle to a fixed-scale Gaussian process as H grows: smooth for tanh units, rough
(locally Brownian) for step units, which the zoom makes plain. With Cauchy v a few units with huge weights dominate
at every H: the functions keep visible jumps (step) or steep single-unit features (tanh).
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
    """Draw the grid of sample functions from `inputs["samples_1d"]` to `outputs["png"]` (and its PDF)."""
    set_theme()
    arrays, _ = read_arrays(inputs["samples_1d"])
    widths = config["hidden_units"]
    rows = [(p, a) for p in config["output_priors"] for a in config["activations"]]
    fig, axes = plt.subplots(
        len(rows), len(widths) + 1, figsize=(2.6 * (len(widths) + 1), 2.1 * len(rows)), squeeze=False
    )
    for r, (output_prior, activation) in enumerate(rows):
        for c, width in enumerate([*widths, widths[-1]]):
            zoom = c == len(widths)
            ax = axes[r, c]
            prefix = "zoom" if zoom else "f"
            x = arrays["x_zoom" if zoom else "x"]
            for f in arrays[f"{prefix}_{output_prior}_{activation}_{width}"]:
                ax.plot(x, f, lw=0.9)
            if r == 0:
                ax.set_title(f"$H = {width:,}$, centre zoomed" if zoom else f"$H = {width:,}$")
            if c == 0:
                ax.set_ylabel(f"{PRIOR_LABEL[output_prior]}, {activation}\n$f(x)$")
            if r == len(rows) - 1:
                ax.set_xlabel("$x$")
            if zoom:
                ax.set_facecolor("#f4f4f4")
    fig.suptitle(
        "Functions drawn from the prior of a one-hidden-layer net "
        f"($\\sigma_u = {config['input_weight_sd']:g}$, $\\sigma_a = {config['hidden_bias_sd']:g}$, "
        f"$\\sigma_b = {config['output_bias_sd']:g}$, $\\omega_v = {config['output_weight_scale']:g}$)",
        y=1.0,
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
