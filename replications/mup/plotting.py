"""Drawing helpers shared by the muP figures: colours from light (narrow, shallow) to dark (wide, deep), and
`sweep_figure`, the layout of TP5 Fig 3 and TP6 Fig 10 for any learning-rate sweep.

A sweep panel draws the training loss (mean over seeds) against log2 learning rate, one curve per width or depth,
and each curve's eta* as a dot at the mean over seeds of the refined optima (`replications.mup.optimum`) with its
Student-t interval as a horizontal bar; a curve whose net never trained (in any seed) is dashed and has no dot.
Learning rates at which a seed diverged are crosses at the top edge, losses above the axis (which ends a little
above ln 10) triangles there. A note in each panel gives the slope of log2 eta* with its interval, the shift from
the base, and any optimum excluded from the fits (on the grid's edge, or of a net that never trained).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy

from replications.core.claims import Estimate
from replications.mup import optimum
from replications.mup.measures import mean_curves

CLASSES = 10
HEADROOM = 0.25  # the loss axis ends this far above the initial loss ln 10 at most
OVER = {"marker": "^", "mfc": "white", "mew": 1.4, "ms": 6}  # a loss above the axis, at its top edge
DIVERGED = {"marker": "x", "mew": 2, "ms": 7}  # a learning rate at which a seed diverged, at the top edge


def sequential_colors(count: int) -> list:
    """`count` colours of viridis from light (first) to dark (last)."""
    return [plt.get_cmap("viridis")(v) for v in np.linspace(0.85, 0.05, count)]


def _limits(curves: Sequence[pd.DataFrame], classes: int = CLASSES) -> tuple[float, float]:
    """Loss axis from the finite means, ending at most HEADROOM above ln(classes)."""
    values = np.concatenate([c.to_numpy(float).ravel() for c in curves])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, np.log(classes) + HEADROOM
    lo, hi = values.min(), min(values.max(), np.log(classes) + HEADROOM)
    pad = 0.05 * max(hi - lo, 0.1)
    return lo - pad, hi + pad


def _panel(
    ax: plt.Axes, curves: pd.DataFrame, summary: pd.DataFrame, colors: list, ylim: tuple[float, float]
) -> set[str]:
    """The curves, eta* dots with their intervals and edge markers of one panel; returns the kinds of markers drawn.
    Edge markers at the same learning rate are stacked downwards from the top edge, so that none hides another."""
    bottom, top = ylim
    drawn, stacked = set(), {}
    for key, color in zip(curves.columns, colors, strict=True):
        curve = curves[key]
        best = summary.loc[key]
        x, y = curve.index.to_numpy(float), curve.to_numpy(float)
        style = "-" if best["trained"] else "--"
        drawn |= set() if best["trained"] else {"untrained"}
        ax.plot(x, np.minimum(y, top + 100 * (top - bottom)), style, color=color, lw=1.8)
        for kind, mask, style in (("over", y > top, OVER), ("diverged", ~np.isfinite(y), DIVERGED)):
            for lr in x[mask]:
                shift = offset_copy(ax.transData, fig=ax.figure, y=-6 * stacked.get(lr, 0), units="points")
                ax.plot(lr, top, ls="", color=color, clip_on=False, transform=shift, zorder=4, **style)
                stacked[lr] = stacked.get(lr, 0) + 1
                drawn.add(kind)
        if best["trained"] and np.isfinite(best["log2_lr"]):
            xerr = (
                [[best["log2_lr"] - best["low"]], [best["high"] - best["log2_lr"]]]
                if best["seeds_usable"] > 1
                else None
            )
            ax.errorbar(best["log2_lr"], min(best["loss"], top), xerr=xerr, fmt="o", color=color, mec="black",
                        ecolor=color, elinewidth=2, capsize=3, ms=7, zorder=5, clip_on=False)  # fmt: skip
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


def format_estimate(estimate: Estimate, digits: int = 2) -> str:
    """'v [lo, hi]' (the 95 % interval), or 'v' without one, or 'undefined'."""
    if estimate.value is None or not np.isfinite(estimate.value):
        return "undefined"
    text = f"{estimate.value:.{digits}f}"
    if estimate.ci is not None:
        text += f" [{estimate.ci[0]:.{digits}f}, {estimate.ci[1]:.{digits}f}]"
    return text.replace("-", "−")


def _optima_lines(rows: pd.DataFrame, by: str, symbol: str, base: float, classes: int = CLASSES) -> list[str]:
    """The panel note: slope and shift of eta*, and the optima excluded from them."""
    slope, shift = optimum.slope(rows, by, classes), optimum.shift(rows, by, base, classes)
    top = optimum.deepest_trained(rows, by, classes)
    lines = [f"slope of $\\log_2\\eta^*$: {format_estimate(slope)}"]
    if np.isfinite(top):
        shifted = f"$|\\log_2\\eta^*({symbol}={top:g}) - \\log_2\\eta^*({symbol}={base:g})|$"
        lines.append(f"{shifted} = {format_estimate(shift)}")
    else:
        lines.append(f"no ${symbol}$ trained in every seed: no shift")
    found = optimum.optima(rows, by, classes)
    if found["at_edge"].any():
        edge = ", ".join(map(str, sorted(found.loc[found["at_edge"], by].unique())))
        lines.append(f"$\\eta^*$ on the grid's edge (excluded): {symbol} = {edge}")
    if untrained := optimum.untrained(rows, by, classes):
        lines.append(f"never trained (excluded): {symbol} = {', '.join(map(str, untrained))}")
    return lines


def sweep_figure(
    panels: Sequence[tuple[str, pd.DataFrame, list[str]]],
    by: str,
    symbol: str,
    base: float,
    reference: str,
    suptitle: str,
    xlabel: str = "$\\log_2$ learning rate $\\eta$",
    chance: str = "$\\ln 10$ (uniform prediction)",
    classes: int = CLASSES,
) -> plt.Figure:
    """Panels of mean training loss against log2 learning rate side by side, one curve per value of `by`.

    `panels`: (title, sweep rows, extra lines of the panel's note) each; `symbol` names a value of `by` in the notes
    and the legend (e.g. "n"); `base` is the value the shifts start from; the dashed line is the best loss of the
    first panel, labelled `reference`, the dotted one ln(classes), labelled `chance`.
    """
    curves = [mean_curves(rows, by).sort_index(axis=1) for _, rows, _ in panels]
    summaries = [optimum.optimum_summary(rows, by, classes).set_index(by) for _, rows, _ in panels]
    keys = sorted(set().union(*(c.columns for c in curves)))
    palette = dict(zip(keys, sequential_colors(len(keys)), strict=True))
    ylim = _limits(curves, classes)
    fig, axes = plt.subplots(1, len(panels), figsize=(5.4 * len(panels), 5.4), sharey=True, layout="constrained")
    axes = np.atleast_1d(axes)
    reference_loss = (
        float(np.nanmin(curves[0].to_numpy(float))) if np.isfinite(curves[0].to_numpy(float)).any() else np.nan
    )
    drawn = set()
    for ax, (title, rows, extra), curve, summary in zip(axes, panels, curves, summaries, strict=True):
        drawn |= _panel(ax, curve, summary, [palette[k] for k in curve.columns], ylim)
        if np.isfinite(reference_loss):
            ax.axhline(reference_loss, color="0.3", ls="--", lw=1.2, zorder=1)
        ax.axhline(np.log(classes), color="0.3", ls=":", lw=1.2, zorder=1)
        _note(ax, _optima_lines(rows, by, symbol, base, classes) + extra)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(plt.MultipleLocator(1))
    axes[0].set_ylabel("training loss (mean over seeds)")
    markers = [
        Line2D([], [], ls="-", marker="o", color="0.5", mec="black", ms=7, label="$\\eta^*$ (refined, mean) ± 95 %"),
        Line2D([], [], color="0.3", ls="--", lw=1.2, label=reference),
        Line2D([], [], color="0.3", ls=":", lw=1.2, label=chance),
    ]
    if "untrained" in drawn:
        markers.append(Line2D([], [], color="0.5", ls="--", lw=1.8, label="never trained"))
    if "diverged" in drawn:
        markers.append(Line2D([], [], ls="", color="0.3", label="diverged (a seed)", **DIVERGED))
    if "over" in drawn:
        markers.append(Line2D([], [], ls="", color="0.3", label="loss above the axis", **OVER))
    _two_row_legend(fig, [Line2D([], [], color=palette[k], lw=2, label=f"${symbol}$ = {k}") for k in keys], markers)
    fig.suptitle(suptitle)
    return fig
