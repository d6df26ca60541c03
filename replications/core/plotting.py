"""One look for every figure: a seaborn theme, and saving as PNG (>= 150 dpi) and PDF side by side."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from replications.core.provenance import atomic_write

DPI = 200
PALETTE = "colorblind"


def set_theme() -> None:
    """The archive's seaborn theme: white grid, paper context, colour-blind palette."""
    sns.set_theme(context="paper", style="whitegrid", palette=PALETTE, font_scale=1.1)
    plt.rcParams.update({"figure.dpi": 100, "savefig.bbox": "tight", "axes.titlesize": "medium"})


def save_figure(fig: plt.Figure, path: str | os.PathLike) -> None:
    """Save `fig` as `<path>.png` and `<path>.pdf` (path given with either suffix or none), then close it.

    Each file is written by `atomic_write` (a temporary name, then renamed), so a crash never leaves half a figure.
    """
    stem = Path(path).with_suffix("")
    for suffix in (".png", ".pdf"):
        metadata = {"CreationDate": None} if suffix == ".pdf" else None
        atomic_write(stem.with_suffix(suffix), lambda tmp: fig.savefig(tmp, dpi=DPI, metadata=metadata))  # noqa: B023
    plt.close(fig)


def width_log_axes(ax: plt.Axes, xlabel: str = "width $n$") -> None:
    """Log-log axes for a quantity against width: base-2 x axis, plain numbers (not powers of ten) on the y axis."""
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(xlabel)
