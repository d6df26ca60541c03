"""Plot helpers the NTK figures share: angle ticks, power-law reference lines, readable log axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

PI_TICKS = (np.linspace(-np.pi, np.pi, 5), ["$-\\pi$", "$-\\pi/2$", "0", "$\\pi/2$", "$\\pi$"])


def reference_line(
    ax: plt.Axes, widths: np.ndarray, values: np.ndarray, exponent: float = -0.5, style: str = "k:"
) -> None:
    """An n^exponent line through the geometric mean of (widths, values), labelled with its exponent."""
    anchor_w, anchor_v = np.exp(np.mean(np.log(widths))), np.exp(np.mean(np.log(values)))
    label = {-0.5: "$\\propto n^{-1/2}$", -1.0: "$\\propto n^{-1}$"}.get(exponent, f"$\\propto n^{{{exponent:g}}}$")
    ax.plot(widths, anchor_v * (widths / anchor_w) ** exponent, style, lw=1.2, label=label)


def time_axis(ax: plt.Axes) -> None:
    """Gradient-flow time on a log axis (plot only t > 0 on it)."""
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("$t$ (learning rate $\\times$ steps)")
