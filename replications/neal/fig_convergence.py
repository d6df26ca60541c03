"""How fast the prior of f(x0) becomes its limit law as H grows (the central limit behind Neal's result).

(a) The density of f(x0) / sd for growing H against the standard normal limit (Gaussian v, tanh units), log scale
    so the heavy tails of small H show. (b) The excess kurtosis of f(x0) against H, measured (with its standard
    error) and exact, 3 omega_v^4 (m4 - m2^2) / (H (sigma_b^2 + omega_v^2 m2)^2): a 1/H approach, since the odd
    cumulants of these symmetric sums vanish. (c) Cauchy v at the widest H: the draws against the predicted limit,
    a Cauchy law of scale omega_v E|h(x0)| convolved with the bias's Gaussian. (d) Without the bias, the draws
    against that Cauchy law and against the Gaussian with the same median and interquartile range: the limit is
    not Gaussian.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_arrays, read_table
from replications.neal.limits import matched_gaussian
from replications.neal.measures import ks_distances, kurtosis_slope, limit_laws


def _ecdf(ax: plt.Axes, samples: np.ndarray, label: str) -> None:
    ordered = np.sort(samples)
    ax.step(ordered, np.arange(1, len(ordered) + 1) / len(ordered), where="post", lw=1.6, label=label)


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Four panels from `inputs["kurtosis"]` and `inputs["convergence"]`."""
    set_theme()
    kurtosis = read_table(inputs["kurtosis"])
    arrays, _ = read_arrays(inputs["convergence"])
    laws = limit_laws(arrays, config)
    ks = ks_distances(arrays, config)
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5))
    (ax_density, ax_kurtosis), (ax_cauchy, ax_nobias) = axes

    edges = np.linspace(-5, 5, 81)
    centres = 0.5 * (edges[1:] + edges[:-1])
    for width in config["hidden_units"]:
        samples = arrays[f"gaussian_{width}"]
        density, _ = np.histogram(samples / laws["gaussian_sd"], bins=edges, density=True)
        ax_density.plot(centres, np.where(density > 0, density, np.nan), lw=1.3, label=f"$H = {width}$")
    ax_density.plot(centres, stats.norm.pdf(centres), "k--", lw=1.5, label="limit $N(0, 1)$")
    ax_density.set_yscale("log")
    ax_density.set_ylim(1e-5, 1.5)
    ax_density.set_xlabel(r"$f(x_0)\,/\,\mathrm{sd}$")
    ax_density.set_ylabel("density")
    ax_density.set_title(
        f"(a) Gaussian $v$, {config['activation']} units, $x_0 = {config['x0']:g}$ "
        f"(KS at $H = {config['wide_hidden_units']:,}$: {ks['gaussian_limit']:.3f})"
    )
    ax_density.legend(fontsize="small")

    low, high = kurtosis["draws"].min() / 1e6, kurtosis["draws"].max() / 1e6
    draws = f"{low:.1f}" + (f"–{high:.1f}" if high > low else "") + " million"
    ax_kurtosis.errorbar(
        kurtosis["hidden_units"],
        kurtosis["excess_kurtosis"],
        yerr=kurtosis["standard_error"],
        fmt="o",
        capsize=3,
        label=f"measured, {draws} draws (slope {kurtosis_slope(kurtosis):.3f})",
    )
    grid = np.geomspace(kurtosis["hidden_units"].min(), kurtosis["hidden_units"].max(), 50)
    exact_at_one = kurtosis["predicted"].iloc[0] * kurtosis["hidden_units"].iloc[0]
    ax_kurtosis.plot(grid, exact_at_one / grid, "k--", label="exact finite-$H$ value (slope $-1$)")
    ax_kurtosis.set_xscale("log")
    ax_kurtosis.set_yscale("log")
    ax_kurtosis.set_xlabel("hidden units $H$")
    ax_kurtosis.set_ylabel("excess kurtosis of $f(x_0)$")
    ax_kurtosis.set_title("(b) approach to the Gaussian: excess kurtosis $\\propto 1/H$")
    ax_kurtosis.legend(fontsize="small")

    wide = config["wide_hidden_units"]
    span = 8 * laws["gamma"] + 3 * config["cauchy_output_bias_sd"]
    t = np.linspace(-span, span, 801)
    _ecdf(ax_cauchy, arrays["cauchy_wide"], f"draws, $H = {wide:,}$")
    ax_cauchy.plot(t, laws["cauchy"](t), "k--", label="limit: Cauchy $*$ bias Gaussian")
    ax_cauchy.set_xlim(-span, span)
    ax_cauchy.set_title(
        f"(c) Cauchy $v$, $\\sigma_b = {config['cauchy_output_bias_sd']:g}$ (KS {ks['cauchy_limit']:.3f})"
    )

    nobias = arrays["cauchy_wide_nobias"]
    span = 8 * laws["gamma"]
    t = np.linspace(-span, span, 801)
    _ecdf(ax_nobias, nobias, f"draws, $H = {wide:,}$")
    ax_nobias.plot(t, laws["cauchy_nobias"](t), "k--", label=f"limit: Cauchy, scale $\\gamma = {laws['gamma']:.3f}$")
    ax_nobias.plot(t, matched_gaussian(nobias).cdf(t), ":", color="C3", lw=2, label="Gaussian, same median and IQR")
    ax_nobias.set_xlim(-span, span)
    ax_nobias.set_title(f"(d) Cauchy $v$, $\\sigma_b = 0$ (KS to that Gaussian {ks['cauchy_vs_gaussian']:.3f})")
    for ax in (ax_cauchy, ax_nobias):
        ax.set_xlabel("$f(x_0)$")
        ax.set_ylabel("cumulative probability")
        ax.legend(fontsize="small", loc="upper left")
    fig.tight_layout()
    save_figure(fig, outputs["png"])
