"""Tensor Programs V's Fig 1: a Transformer's optimal Adam learning rate drifts with width in the standard
parametrization, and wide nets get worse; under muP it stays put and wider is better.

Two panels sharing the loss axis, SP (left) and muP with base width n0 (right), in the layout of
`plotting.sweep_figure`: the training loss (nats per byte, mean over seeds) against log2 of the Adam learning rate,
one curve per width, darker = wider, each width's refined eta* (mean over seeds, with its 95 % interval); the dashed
line is SP's best loss over all widths, drawn in both panels as in the paper. The panels state the slopes of log2
eta* against log2 width (claims mup.tfm.sp_slope, mup_slope); the muP panel the fraction of consecutive width pairs
in which the wider net is better (wider_better) and its widest net's best loss against SP's best (mup_beats_sp).
The suptitle names the multipliers tuned at the base width and the FLOP rate the widest width's program reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.mup import optimum
from replications.mup.plotting import format_estimate, sweep_figure
from replications.mup.transformer import VOCAB


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """SP and muP panels from the Transformer's losses, tuning and timing tables."""
    set_theme()
    losses = read_table(inputs["transformer_losses"])
    tuning = read_table(inputs["transformer_tuning"])
    timing = read_table(inputs["transformer_timing"])
    chosen = tuning[tuning["chosen"].astype(str) == "True"].iloc[0]
    base, widest = config["base_width"], losses["width"].max()
    sp, mup = (losses[losses["parametrization"] == p] for p in ("sp", "mup"))
    beats = format_estimate(optimum.beats(losses, "mup", "sp", VOCAB), 3)
    mup_lines = [
        f"wider better at its own $\\eta^*$: {format_estimate(optimum.wider_better(mup, VOCAB))} of width pairs",
        f"best loss at $n$ = {widest} − best SP loss: {beats}",
    ]
    panels = [("Standard parametrization", sp, []), (f"μP (base width {base})", mup, mup_lines)]
    fastest = timing[timing["width"] == timing["width"].max()].iloc[-1]
    seeds = config["seeds"]
    fig = sweep_figure(
        panels,
        "width",
        "n",
        base,
        "best SP loss (any $n$)",
        f"{config['layers']}-layer {'pre' if config['pre_ln'] else 'post'}-LN byte-level Transformer, "
        f"{config['heads']} heads, Adam, {config['steps']} steps of {config['batch']} × {config['seq']} bytes "
        f"({config['corpus']}), {seeds} seed{'s' if seeds > 1 else ''};\nreadout multiplier "
        f"{chosen['readout_mult']:g} and attention multiplier {chosen['attn_mult']:g} tuned at width {base} "
        f"(of {tuning['readout_mult'].nunique()} × {tuning['attn_mult'].nunique()}, on seeds of their own); "
        f"width {fastest['width']:g}: {fastest['gflop_per_s']:.0f} GFLOP/s",
        xlabel="$\\log_2$ Adam learning rate $\\eta$",
        chance="$\\ln 256$ (uniform over bytes)",
        classes=VOCAB,
    )
    fig.axes[0].set_ylabel("training loss (nats per byte, mean over seeds)")
    save_figure(fig, outputs["png"])
