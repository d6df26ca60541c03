"""Tensor Programs V's Fig 3: the optimal learning rate of an MLP shifts with width in the standard parametrization
and stays put under muP.

Two panels sharing the loss axis, SP (left) and muP with base width 128 (right): the training loss (mean over
seeds) against log2 of the SGD learning rate, one curve per width, darker = wider, each width's eta* (least mean
loss) a dot; the dashed line is SP's best loss over all widths, drawn in both panels as in the paper. Learning
rates at which a seed diverged are crosses at the top edge, losses above the axis (which ends a little above the
initial loss ln 10) triangles there. Each panel states |log2 eta*(widest) - log2 eta*(narrowest)| (claims
mup.transfer.sp_shift and mup_shift), the muP panel also the fraction of consecutive width pairs in which the
wider net is better (mup.transfer.wider_better).

`sweep_figure` draws the same layout for any sweep (the depth figure uses it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.mup.measures import at_grid_edge, best_log2_lr, best_loss, mean_curves, optimum_shift, wider_better

CLASSES = 10
HEADROOM = 0.25  # the loss axis ends this far above the initial loss ln 10 at most
OVER = {"marker": "^", "mfc": "white", "mew": 1.4, "ms": 6}  # a loss above the axis, at its top edge
DIVERGED = {"marker": "x", "mew": 2, "ms": 7}  # a learning rate at which a seed diverged, at the top edge


def sequential_colors(count: int) -> list:
    """`count` colours of viridis from light (first) to dark (last)."""
    return [plt.get_cmap("viridis")(v) for v in np.linspace(0.85, 0.05, count)]


def _limits(curves: Sequence[pd.DataFrame]) -> tuple[float, float]:
    """Loss axis from the finite means, ending at most HEADROOM above ln(CLASSES)."""
    values = np.concatenate([c.to_numpy(float).ravel() for c in curves])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, np.log(CLASSES) + HEADROOM
    lo, hi = values.min(), min(values.max(), np.log(CLASSES) + HEADROOM)
    pad = 0.05 * max(hi - lo, 0.1)
    return lo - pad, hi + pad


def _panel(ax: plt.Axes, curves: pd.DataFrame, colors: list, ylim: tuple[float, float]) -> set[str]:
    """The curves, eta* dots and edge markers of one panel; returns the kinds of edge markers drawn. Edge markers
    at the same learning rate are stacked downwards from the top edge, so that none hides another."""
    bottom, top = ylim
    drawn, stacked = set(), {}
    for key, color in zip(curves.columns, colors, strict=True):
        curve = curves[key]
        x, y = curve.index.to_numpy(float), curve.to_numpy(float)
        ax.plot(x, np.minimum(y, top + 100 * (top - bottom)), "-", color=color, lw=1.8)
        for kind, mask, style in (("over", y > top, OVER), ("diverged", ~np.isfinite(y), DIVERGED)):
            for lr in x[mask]:
                shift = offset_copy(ax.transData, fig=ax.figure, y=-6 * stacked.get(lr, 0), units="points")
                ax.plot(lr, top, ls="", color=color, clip_on=False, transform=shift, zorder=4, **style)
                stacked[lr] = stacked.get(lr, 0) + 1
                drawn.add(kind)
        if curve.notna().any():
            ax.plot(curve.idxmin(), min(curve.min(), top), "o", color=color, mec="black", ms=7, zorder=5, clip_on=False)
    ax.set_ylim(bottom, top)
    return drawn


def _note(ax: plt.Axes, lines: list[str]) -> None:
    """Text lines in a box where they cover the fewest data (a legend without handles, placed "best")."""
    blank = [Line2D([], [], alpha=0) for _ in lines]
    note = ax.legend(blank, lines, loc="best", handlelength=0, handletextpad=0, fontsize="small", framealpha=0.9)
    for text in note.get_texts():
        text.set_horizontalalignment("center")


def _two_row_legend(fig: plt.Figure, first: list, second: list) -> None:
    """A legend below the panels with `first` in its first row and `second` in its second."""
    ncol = max(len(first), len(second))
    blank = Line2D([], [], alpha=0, label=" ")
    rows = [row + [blank] * (ncol - len(row)) for row in (first, second)]
    handles = [h for pair in zip(*rows, strict=True) for h in pair]  # the legend fills column by column
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol, frameon=False)


def sweep_figure(
    panels: Sequence[tuple[str, pd.DataFrame, list[str]]],
    by: str,
    symbol: str,
    reference: str,
    suptitle: str,
    xlabel: str = "$\\log_2$ learning rate $\\eta$",
    chance: str = "$\\ln 10$ (uniform prediction)",
) -> plt.Figure:
    """Panels of mean training loss against log2 learning rate side by side, one curve per value of `by`.

    `panels`: (title, sweep rows, extra lines of the panel's note) each; `symbol` names a value of `by` in the notes
    and the legend (e.g. "n"); the dashed line is the best loss of the first panel, labelled `reference`, the dotted
    one ln(CLASSES), labelled `chance`.
    """
    curves = [mean_curves(rows, by).sort_index(axis=1) for _, rows, _ in panels]
    keys = sorted(set().union(*(c.columns for c in curves)))
    palette = dict(zip(keys, sequential_colors(len(keys)), strict=True))
    ylim = _limits(curves)
    fig, axes = plt.subplots(1, len(panels), figsize=(5.4 * len(panels), 5.2), sharey=True, layout="constrained")
    axes = np.atleast_1d(axes)
    reference_loss = float(best_loss(panels[0][1], by).min())
    drawn = set()
    for ax, (title, rows, extra), curve in zip(axes, panels, curves, strict=True):
        drawn |= _panel(ax, curve, [palette[k] for k in curve.columns], ylim)
        if np.isfinite(reference_loss):
            ax.axhline(reference_loss, color="0.3", ls="--", lw=1.2, zorder=1)
        ax.axhline(np.log(CLASSES), color="0.3", ls=":", lw=1.2, zorder=1)
        best = best_log2_lr(rows, by).sort_index()
        shift = optimum_shift(rows, by)
        lines = [
            f"$|\\log_2\\eta^*({symbol}={best.index[-1]}) - \\log_2\\eta^*({symbol}={best.index[0]})|$ = {shift:g}"
            if np.isfinite(shift)
            else "shift of $\\eta^*$ undefined"
        ]
        if best.isna().any():
            lines.append(f"every $\\eta$ diverged for {symbol} = {', '.join(map(str, best.index[best.isna()]))}")
        edge = at_grid_edge(rows, by)
        if edge:
            lines.append(f"$\\eta^*$ at the grid's edge for {symbol} = {', '.join(map(str, edge))}")
        _note(ax, lines + extra)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(plt.MultipleLocator(1))
    axes[0].set_ylabel("training loss (mean over seeds)")
    markers = [
        Line2D([], [], ls="", marker="o", color="0.5", mec="black", ms=7, label="$\\eta^*$ (least loss)"),
        Line2D([], [], color="0.3", ls="--", lw=1.2, label=reference),
        Line2D([], [], color="0.3", ls=":", lw=1.2, label=chance),
    ]
    if "diverged" in drawn:
        markers.append(Line2D([], [], ls="", color="0.3", label="diverged (a seed)", **DIVERGED))
    if "over" in drawn:
        markers.append(Line2D([], [], ls="", color="0.3", label="loss above the axis", **OVER))
    _two_row_legend(fig, [Line2D([], [], color=palette[k], lw=2, label=f"${symbol}$ = {k}") for k in keys], markers)
    fig.suptitle(suptitle)
    return fig


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """SP and muP panels from the transfer losses table (inputs["transfer_losses"])."""
    set_theme()
    losses = read_table(inputs["transfer_losses"])
    sp, mup = (losses[losses["parametrization"] == p] for p in ("sp", "mup"))
    pairs = mup["width"].nunique() - 1
    better = (
        [f"wider better at its own $\\eta^*$: {round(wider_better(mup) * pairs)} of {pairs} width pairs"]
        if pairs
        else []
    )
    panels = [("Standard parametrization", sp, []), (f"μP (base width {config['base_width']})", mup, better)]
    seeds = config["seeds"]
    fig = sweep_figure(
        panels,
        "width",
        "n",
        "best SP loss (any $n$)",
        f"2-hidden-layer ReLU MLP, cross-entropy, SGD momentum {config['momentum']:g}, batch {config['batch']}, "
        f"{config['steps']} steps on MNIST-1D, mean of {seeds} seed{'s' if seeds > 1 else ''}",
        chance="$\\ln 10$ (loss at initialization)",
    )
    save_figure(fig, outputs["png"])
