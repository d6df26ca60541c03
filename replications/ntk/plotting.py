"""Plot helpers the NTK figures share: angle ticks, power-law reference lines, readable log axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

PI_TICKS = (np.linspace(-np.pi, np.pi, 5), ["$-\\pi$", "$-\\pi/2$", "0", "$\\pi/2$", "$\\pi$"])


def reference_line(ax: plt.Axes, widths: np.ndarray, values: np.ndarray, label: str = "$\\propto n^{-1/2}$") -> None:
    """An n^(-1/2) line through the geometric mean of (widths, values)."""
    anchor_w, anchor_v = np.exp(np.mean(np.log(widths))), np.exp(np.mean(np.log(values)))
    ax.plot(widths, anchor_v * np.sqrt(anchor_w / widths), "k:", lw=1.4, label=label)


def width_log_axes(ax: plt.Axes) -> None:
    """Log-log axes with width on a base-2 x axis and plain numbers (not powers of ten) on the y axis."""
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("width $n$")


def time_axis(ax: plt.Axes) -> None:
    """Gradient-flow time on a log axis (plot only t > 0 on it)."""
    ax.set_xscale("log")
    ax.set_xlabel("$t$ (learning rate $\\times$ steps)")
