"""Tensor Programs V's Fig 5 (the `mup` package's coordinate check): in the standard parametrization the layers'
outputs move more and more after a few steps as the width grows, under muP they move by the same amount at every
width.

A grid of log-log (base 2) panels of mean |h_t - h_0| against width: rows SP and muP with SGD, then with Adam; one
column per step t; one line per layer (mean over seeds, the seeds as faint dots). SP rows have a grey face as in
`mup`'s plots. The rows' titles state the claims' numbers: muP's largest ratio over layers and steps 1-3 of
the movement at the wide over the narrow width (mup.coord.mup_ratio with SGD, mup.coord.mup_ratio_adam with Adam)
and SP's logit growth at step 2 under SGD (mup.coord.sp_logit_growth). Zeros (every hidden layer at t = 1: the
readout starts at zero and passes back no gradient) cannot be drawn on log axes and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.mup import datasets
from replications.mup.measures import coord_ratio, coord_widths, logit_growth

LAYERS = {
    "h1": "$h^1 = \\sqrt{\\iota}\\,W^1\\xi$",
    "h2": "$h^2 = W^2x^1$",
    "x2": "$x^2$ (readout input)",
    "logits": "logits",
}
ROWS = (("sp", "sgd"), ("mup", "sgd"), ("sp", "adam"), ("mup", "adam"))
NAMES = {"sp": "SP", "mup": "μP", "sgd": "SGD", "adam": "Adam"}
SP_FACE = "0.92"


def _lr(value: float) -> str:
    """A learning rate as 2^k when it is one, else plainly."""
    power = np.log2(value)
    return f"$2^{{{int(power)}}}$" if power == round(power) else f"{value:g}"


def _claim_text(deltas: pd.DataFrame, parametrization: str, optimizer: str, wide: int, narrow: int) -> str:
    """The claim number a row's title states ("" for the Adam rows)."""
    if parametrization == "mup":
        ratio = coord_ratio(
            deltas, parametrization="mup", optimizer=optimizer, wide=wide, narrow=narrow, steps=(1, 2, 3)
        )
        return (
            f"largest max(q, 1/q), q = |Δh| at n = {wide} over n = {narrow}, any layer, t = 1–3: {ratio:.2f} "
            "(width-independent: 1)"
        )
    if (parametrization, optimizer) == ("sp", "sgd"):
        growth = logit_growth(deltas, parametrization="sp", optimizer="sgd", wide=wide, narrow=narrow, step=2)
        return (
            f"|Δ logits| at t = 2 is {growth:.1f}× larger at n = {wide} than at n = {narrow} (∝ n: {wide / narrow:g}×)"
        )
    return ""  # SP under Adam: no claim of its own (the Transformer's coordinate check has one)


def step_panels(axes: np.ndarray, rows: pd.DataFrame, colors: dict, face: str) -> None:
    """One panel per step: seeds as dots, the mean over seeds as a line, zeros left out; one line per key of
    `colors` (the tracked activations)."""
    for t, ax in enumerate(axes, start=1):
        at_step = rows[rows["step"] == t]
        for layer in colors:
            runs = at_step[(at_step["layer"] == layer) & (at_step["mean_abs_delta"] > 0)]
            ax.plot(runs["width"], runs["mean_abs_delta"], "o", color=colors[layer], alpha=0.35, ms=3.5, mew=0)
            means = at_step[at_step["layer"] == layer].groupby("width")["mean_abs_delta"].mean()
            means = means[means > 0]
            ax.plot(means.index, means.to_numpy(), "o-", color=colors[layer], lw=1.8, ms=4)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log", base=2)
        ax.set_facecolor(face)
        ax.set_title(f"t = {t}", fontsize="small")
        ax.tick_params(labelsize="small")


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """The 4 x steps grid from the coordinate-check table (inputs["coordcheck_deltas"])."""
    set_theme()
    deltas = read_table(inputs["coordcheck_deltas"])
    steps = config["steps"]
    wide, narrow = coord_widths(sorted(deltas["width"].unique().tolist()))
    palette = sns.color_palette(n_colors=5)
    colors = dict(zip(LAYERS, [palette[i] for i in (0, 2, 4, 3)], strict=True))
    fig = plt.figure(figsize=(2.9 * steps + 1.6, 12.5), layout="constrained")
    for subfig, (parametrization, optimizer) in zip(fig.subfigures(len(ROWS), 1), ROWS, strict=True):
        axes = np.atleast_1d(subfig.subplots(1, steps, sharey=True))
        rows = deltas[(deltas["parametrization"] == parametrization) & (deltas["optimizer"] == optimizer)]
        step_panels(axes, rows, colors, SP_FACE if parametrization == "sp" else "white")
        axes[0].set_ylabel("mean |Δh|")
        for ax in axes:
            ax.set_xlabel("width $n$", fontsize="small")
        claim = _claim_text(deltas, parametrization, optimizer, wide, narrow) if wide != narrow else ""
        name = f"{NAMES[parametrization]}, {NAMES[optimizer]} (η = {_lr(config[f'{optimizer}_learning_rate'])})"
        subfig.suptitle(f"{name}:  {claim}" if claim else name, fontsize="medium", fontweight="bold")
    handles = [Line2D([], [], color=colors[k], lw=1.8, marker="o", ms=4, label=v) for k, v in LAYERS.items()]
    handles.append(Line2D([], [], ls="", color="0.4", alpha=0.5, marker="o", ms=4, mew=0, label="single seeds"))
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=len(handles),
        frameon=False,
        title="Lines: mean over seeds. Zeros are left out (log axes): at t = 1 the hidden layers have not moved, "
        "since the readout starts at zero and passes back no gradient.",
        title_fontsize="small",
    )
    seeds = config["seeds"]
    fig.suptitle(
        "Coordinate check: how much each layer's output moves after t steps, SP vs μP "
        f"(base width {config['base_width']})\n2-hidden-layer ReLU MLP, cross-entropy, one fixed batch of "
        f"{config['batch']} {datasets.examples(config)}, SGD η = {_lr(config['sgd_learning_rate'])}, "
        f"Adam η = {_lr(config['adam_learning_rate'])}, {seeds} seed{'s' if seeds > 1 else ''}"
    )
    save_figure(fig, outputs["png"])
