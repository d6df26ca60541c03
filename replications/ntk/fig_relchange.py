"""Lee et al. 2019's relative-change figure: how much the parameters, the empirical NTK and the empirical NNGP
kernel move when a one-hidden-layer net is trained to convergence, against its width.

Top row: (a) ||theta_T - theta_0|| / ||theta_0|| over all parameters, (b) ||Theta_T - Theta_0||_F / ||Theta_0||_F,
(c) ||K_T - K_0||_F / ||K_0||_F on the training set, mean over seeds (dots: single seeds), erf and ReLU, NTK (solid)
and standard (dashed) parametrization, with n^(-1/2) (Lee et al.'s bound) and n^(-1) (the rate for smooth
activations, Dyer & Gur-Ari 2020) guide lines. Bottom row: the NTK parametrization's per-octave slopes with their
95 % intervals over seeds (claims ntk.lee.*, ntk.relchange.weight_slope).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import seaborn as sns

from replications.core.plotting import save_figure, set_theme, width_log_axes
from replications.core.provenance import read_table
from replications.ntk.measures import local_slopes
from replications.ntk.plotting import reference_line

PANELS = (
    ("weight_change", "$\\|\\theta_T - \\theta_0\\| \\,/\\, \\|\\theta_0\\|$", "(a) parameters $\\theta$"),
    ("ntk_change", "$\\|\\hat\\Theta_T - \\hat\\Theta_0\\|_F \\,/\\, \\|\\hat\\Theta_0\\|_F$", "(b) empirical NTK"),
    ("nngp_change", "$\\|\\hat K_T - \\hat K_0\\|_F \\,/\\, \\|\\hat K_0\\|_F$", "(c) empirical NNGP kernel"),
)
STYLES = {"ntk": "-", "standard": "--"}
NAMES = {"ntk": "NTK", "standard": "standard"}


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Six panels from the relative-change table."""
    set_theme()
    changes = read_table(inputs["relchange"])
    activations = list(dict.fromkeys(changes["activation"]))
    colors = dict(zip(activations, sns.color_palette(n_colors=len(activations)), strict=True))
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.6), sharex=True)
    for col, (column, ylabel, title) in enumerate(PANELS):
        ax, ax_slope = axes[0, col], axes[1, col]
        for (activation, parametrization), runs in changes.groupby(["activation", "parametrization"], sort=False):
            color = colors[activation]
            means = runs.groupby("width")[column].mean()
            ax.plot(runs["width"], runs[column], ".", color=color, alpha=0.35, ms=4)
            ax.plot(means.index, means, "o" + STYLES[parametrization], color=color, lw=1.8, ms=4,
                    label=f"{activation}, {NAMES[parametrization]} param.")  # fmt: skip
            if parametrization != "ntk":
                continue
            slopes = local_slopes(runs, column)
            shift = 1.06 ** (activations.index(activation) - (len(activations) - 1) / 2)  # bars side by side
            bars = [slopes["slope"] - slopes["lo"], slopes["hi"] - slopes["slope"]]
            ax_slope.errorbar(slopes["width"] * shift, slopes["slope"], yerr=bars, fmt="o-", color=color, capsize=3,
                              lw=1.5, label=f"{activation}, NTK param.")  # fmt: skip
        anchor = changes[(changes["parametrization"] == "ntk") & (changes["activation"] == activations[0])]
        anchor = anchor.groupby("width")[column].mean()
        reference_line(ax, anchor.index.to_numpy(), anchor.to_numpy(), -0.5, "k:")
        reference_line(ax, anchor.index.to_numpy(), anchor.to_numpy(), -1.0, "k-.")
        width_log_axes(ax, xlabel="")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(fontsize="x-small")
        for rate, style in ((-0.5, ":"), (-1.0, "-.")):
            ax_slope.axhline(rate, color="k", ls=style, lw=1)
        ax_slope.set_xscale("log", base=2)
        ax_slope.set_xlabel("width $n$ (geometric mean of the octave)")
        ax_slope.set_ylabel("local slope per octave (95 % CI)")
        ax_slope.set_ylim(-2.0, 0.4)
        ax_slope.legend(fontsize="x-small", loc="lower right")
    seeds = changes.groupby(["activation", "parametrization", "width"])["seed"].nunique().min()
    fig.suptitle(
        f"One hidden layer, {config['train_points']} {config['dataset']['name']} digits of classes "
        f"{config['classes'][0]} / {config['classes'][1]} (targets $\\pm$1), full-batch GD (NTK param.: "
        f"lr {config['learning_rate']:g}; standard: {config['standard_lr_fraction']:g} $\\eta_{{critical}}$) until "
        f"the loss is {config['tolerance']:g} of its start; {seeds} seeds",
        fontsize="medium",
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
