"""Functions of one input from networks with two hidden layers of tanh units (Neal 1994 §2.3), for Gaussian or
Cauchy hidden-to-hidden weights (rows) and Gaussian or Cauchy hidden-to-output weights (columns).

Gaussian into both layers: a smooth Gaussian process over smooth features. Cauchy hidden-to-hidden weights make
each second-layer unit follow a few first-layer units, so the features switch abruptly; a Gaussian output layer
then sums many such features (a Gaussian process with abrupt local changes), a Cauchy one lets a few dominate.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_arrays


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """One panel per (hidden-to-hidden, hidden-to-output) prior pair from `inputs["two_layer"]`."""
    set_theme()
    arrays, _ = read_arrays(inputs["two_layer"])
    rows, columns = config["hidden_priors"], config["output_priors"]
    fig, axes = plt.subplots(len(rows), len(columns), figsize=(3.6 * len(columns), 2.6 * len(rows)), squeeze=False)
    for r, hidden_prior in enumerate(rows):
        for c, output_prior in enumerate(columns):
            ax = axes[r, c]
            for f in arrays[f"f_{hidden_prior}_{output_prior}"]:
                ax.plot(arrays["x"], f, lw=0.9)
            if r == 0:
                ax.set_title(f"{output_prior.capitalize()} hidden-to-output $v$")
            if c == 0:
                ax.set_ylabel(f"{hidden_prior.capitalize()} $w$\n(hidden-to-hidden)\n$f(x)$")
            if r == len(rows) - 1:
                ax.set_xlabel("$x$")
    fig.suptitle(
        f"Two hidden layers of tanh units, $H_1 = {config['first_units']:,}$, $H_2 = {config['second_units']:,}$ "
        f"($\\sigma_u = {config['input_weight_sd']:g}$, $\\sigma_a = {config['hidden_bias_sd']:g}$, "
        f"$\\sigma_c = {config['second_bias_sd']:g}$, $\\omega_w = {config['hidden_weight_scale']:g}$, "
        f"$\\sigma_b = {config['output_bias_sd']:g}$, "
        f"$\\omega_v = {config['output_weight_scale']:g}$)",
        y=1.0,
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
