"""Fractional Brownian priors (replications/neal/fractional.py): tanh units whose input weights are symmetric
alpha-stable and whose steps sit at places independent of their steepness give a Gaussian-process limit with
E[(f(x + delta) - f(x))^2] ~ delta^eta, eta = 1 + alpha: rougher than smooth (2), smoother than Brownian (1).

(a) Functions for each set eta, the same key for each. (b) The mean squared increment against delta (log-log), with
the slope measured over the two decades beside the one set, and dashed reference lines of the set slope.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_arrays, read_table
from replications.neal.measures import fractional_slopes


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Samples and measured roughness exponents from `inputs["fractional"]` and `inputs["fractional_roughness"]`."""
    set_theme()
    arrays, _ = read_arrays(inputs["fractional"])
    table = read_table(inputs["fractional_roughness"])
    slopes = fractional_slopes(table)
    exponents = config["roughness_exponents"]
    fig = plt.figure(figsize=(3.0 * len(exponents) + 4.5, 3.6))
    grid = fig.add_gridspec(1, len(exponents) + 1, width_ratios=[1] * len(exponents) + [1.4])
    for c, exponent in enumerate(exponents):
        ax = fig.add_subplot(grid[0, c])
        for f in arrays[f"f_{exponent:g}"]:
            ax.plot(arrays["x"], f, lw=0.9)
        ax.set_title(rf"set $\eta = {exponent:g}$ ($\alpha = {exponent - 1:g}$)")
        ax.set_xlabel("$x$")
        if c == 0:
            ax.set_ylabel("$f(x)$")
    ax = fig.add_subplot(grid[0, -1])
    for color, (exponent, rows) in enumerate(table.groupby("roughness_exponent", sort=True)):
        scaled = rows["delta"] / rows["length_scale"]
        ax.errorbar(
            scaled,
            rows["mean_sq_increment"],
            yerr=2 * rows["standard_error"],
            fmt="o",
            ms=4,
            color=f"C{color}",
            capsize=2,
            label=rf"set $\eta = {exponent:g}$: measured {slopes[exponent]:.2f}",
        )
        reference = rows["mean_sq_increment"].iloc[-1] * (scaled / scaled.iloc[-1]) ** exponent
        ax.plot(scaled, reference, "--", color=f"C{color}", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\delta$ / length scale $1/\sigma_u$")
    ax.set_ylabel(r"$E[(f(x+\delta) - f(x))^2]$")
    ax.set_title(f"Roughness exponent, {config['draws']:,} draws (dashed: set slope)")
    ax.legend(fontsize="small")
    fig.suptitle(
        r"Fractional Brownian priors: tanh units, $u_j \sim \sigma_u S_\alpha$ "
        rf"($\sigma_u = {config['input_weight_scale']:g}$), "
        rf"$a_j = -u_j t_j$, $t_j \sim N(0, {config['location_sd']:g}^2)$, Gaussian $v$, "
        rf"$H = {config['hidden_units']:,}$",
        y=1.02,
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
