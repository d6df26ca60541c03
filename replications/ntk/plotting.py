"""Plot helpers the NTK figures share: angle ticks, power-law reference lines, readable log axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

PI_TICKS = (np.linspace(-np.pi, np.pi, 5), ["$-\\pi$", "$-\\pi/2$", "0", "$\\pi/2$", "$\\pi$"])


def reference_line(ax: plt.Axes, widths: np.ndarray, values: np.ndarray, label: str = "$\\propto n^{-1/2}$") -> None:
    """An n^(-1/2) line through the geometric mean of (widths, values)."""
    anchor_w, anchor_v = np.exp(np.mean(np.log(widths))), np.exp(np.mean(np.log(values)))
    ax.plot(widths, anchor_v * np.sqrt(anchor_w / widths), "k:", lw=1.4, label=label)


def time_axis(ax: plt.Axes) -> None:
    """Gradient-flow time on a log axis (plot only t > 0 on it)."""
    ax.set_xscale("log")
    ax.set_xlabel("$t$ (learning rate $\\times$ steps)")
