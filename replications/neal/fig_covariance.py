"""The covariance of f over draws from the prior is the infinite-width kernel (erf units: Williams' arcsine).

Inputs on a circle of radius r; (a) every entry of the empirical covariance matrix against the angle between its
two inputs, with the analytic kernel sigma_b^2 + omega_v^2 (2/pi) arcsin(2 s / sqrt((1 + 2 s_11)(1 + 2 s_22))),
s = sigma_a^2 + sigma_u^2 x.x'; (b) empirical against analytic entry by entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.neal.measures import covariance_error


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Two panels from the tidy covariance table `inputs["covariance"]`."""
    set_theme()
    table = read_table(inputs["covariance"])
    error = covariance_error(table)
    fig, (ax_angle, ax_parity) = plt.subplots(1, 2, figsize=(10, 4.2))
    ax_angle.scatter(table["angle"], table["empirical"], s=8, alpha=0.5, label=f"empirical, {config['draws']:,} draws")
    line = table.drop_duplicates("angle").sort_values("angle")
    ax_angle.plot(line["angle"], line["analytic"], "k-", lw=1.5, label="arcsine kernel ($H \\to \\infty$)")
    ax_angle.set_xticks(np.linspace(0, np.pi, 5), ["0", "$\\pi/4$", "$\\pi/2$", "$3\\pi/4$", "$\\pi$"])
    ax_angle.set_xlabel("angle between $x$ and $x'$")
    ax_angle.set_ylabel("Cov$[f(x), f(x')]$")
    ax_angle.set_title(
        f"(a) {config['activation']} units, $H = {config['hidden_units']:,}$, $|x| = {config['input_radius']:g}$"
    )
    ax_angle.legend(fontsize="small")
    lims = [table[["empirical", "analytic"]].min().min(), table[["empirical", "analytic"]].max().max()]
    ax_parity.plot(lims, lims, "k--", lw=1)
    ax_parity.scatter(table["analytic"], table["empirical"], s=8, alpha=0.5)
    ax_parity.set_xlabel("analytic kernel")
    ax_parity.set_ylabel("empirical covariance")
    ax_parity.set_title(f"(b) relative Frobenius error {error:.3f}")
    fig.tight_layout()
    save_figure(fig, outputs["png"])
