"""Tensor Programs V's Fig 5 for the Transformer under Adam: in the standard parametrization the logits (and the
attention logits) move more and more after a few steps as the width grows; under muP every tracked activation
moves by the same amount at every width.

Two rows of log-log (base 2) panels of mean |a_t - a_0| against width, SP (grey face, as in `mup`'s plots) and muP,
one column per step t, one line per tracked activation (mean over seeds, the seeds as faint dots). The row titles
state the claims: muP's largest ratio over activations and steps 1-3 of the movement at the wide over the narrow
width (mup.tfm.coord_ratio) and SP's logit growth at step 2 (mup.tfm.sp_logit_growth). The footer checks Adam's
eps against the smallest non-zero gradient RMS of any tensor at the widest width, SP and muP (steps 2 on: at step
1 only the readout has a gradient, the readout and queries starting at zero). Zeros cannot be drawn on log axes
and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.lines import Line2D

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.mup.fig_coordcheck import SP_FACE, _lr, step_panels
from replications.mup.measures import coord_ratio, logit_growth


def _label(layer: str) -> str:
    if layer.startswith("attn_logits"):
        return f"attention logits, block {int(layer[-1]) + 1}"
    if layer.startswith("block"):
        return f"block {int(layer[-1]) + 1} output"
    return {"embedding": "token + position embedding", "logits": "logits"}[layer]


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """The 2 x steps grid from inputs["transformer_coord_deltas"], with the eps check from
    inputs["transformer_grad_rms"]."""
    set_theme()
    deltas = read_table(inputs["transformer_coord_deltas"])
    rms = read_table(inputs["transformer_grad_rms"])
    widths = sorted(deltas["width"].unique().tolist())
    wide = 1024 if 1024 in widths else max(widths)
    narrow = 64 if 64 in widths and wide > 64 else min(widths)
    layers = list(dict.fromkeys(deltas["layer"]))
    colors = dict(zip(layers, sns.color_palette("colorblind", n_colors=len(layers)), strict=True))
    steps = config["steps"]
    fig = plt.figure(figsize=(2.9 * steps + 1.6, 7.5), layout="constrained")
    ratio = coord_ratio(deltas, parametrization="mup", optimizer="adam", wide=wide, narrow=narrow, steps=(1, 2, 3))
    growth = logit_growth(deltas, parametrization="sp", optimizer="adam", wide=wide, narrow=narrow, step=2)
    titles = {
        "sp": f"SP: |Δ logits| at t = 2 is {growth:.1f}× larger at n = {wide} than at n = {narrow} "
        f"(∝ n: {wide / narrow:g}×)",
        "mup": f"μP: largest max(q, 1/q), q = |Δa| at n = {wide} over n = {narrow}, any activation, t = 1–3: "
        f"{ratio:.2f} (width-independent: 1)",
    }
    for subfig, parametrization in zip(fig.subfigures(2, 1), ("sp", "mup"), strict=True):
        axes = np.atleast_1d(subfig.subplots(1, steps, sharey=True))
        rows = deltas[deltas["parametrization"] == parametrization]
        step_panels(axes, rows, colors, SP_FACE if parametrization == "sp" else "white")
        for ax in axes:
            ax.set_xlabel("width $n$ ($d_{model}$)", fontsize="small")
        axes[0].set_ylabel("mean |Δa|")
        subfig.suptitle(titles[parametrization] if wide != narrow else parametrization, fontsize="medium",
                        fontweight="bold")  # fmt: skip
    at_wide = rms[(rms["width"] == rms["width"].max()) & (rms["step"] >= 2) & (rms["grad_rms"] > 0)]
    smallest = [
        f"{'SP' if p == 'sp' else 'μP'} {rows['grad_rms'].min():.2g} ({rows.loc[rows['grad_rms'].idxmin(), 'tensor']})"
        for p, rows in at_wide.groupby("parametrization", sort=False)
    ]
    eps_check = (
        f"Adam's ε = {config['adam_eps']:g}; smallest non-zero gradient RMS of any tensor at n = {rms['width'].max()}, "
        f"t ≥ 2: {', '.join(smallest) if smallest else 'none measured'}"
    )
    handles = [Line2D([], [], color=colors[k], lw=1.8, marker="o", ms=4, label=_label(k)) for k in layers]
    handles.append(Line2D([], [], ls="", color="0.4", alpha=0.5, marker="o", ms=4, mew=0, label="single seeds"))
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=(len(handles) + 1) // 2,
        frameon=False,
        title=f"Lines: mean over seeds; zeros left out (at t = 1 only the logits move: the readout and the queries "
        f"start at zero).  {eps_check}",
        title_fontsize="small",
    )
    seeds = config["seeds"]
    fig.suptitle(
        "Coordinate check of the Transformer under Adam: how much each activation moves after t steps, SP vs μP "
        f"(base width {config['base_width']})\n{config['layers']}-layer {'pre' if config['pre_ln'] else 'post'}-LN "
        f"byte-level Transformer, {config['heads']} heads, one fixed batch of {config['batch']} × {config['seq']} "
        f"bytes, Adam η = {_lr(config['learning_rate'])}, readout multiplier {config['readout_mult']:g}, "
        f"{seeds} seed{'s' if seeds > 1 else ''}"
    )
    save_figure(fig, outputs["png"])
