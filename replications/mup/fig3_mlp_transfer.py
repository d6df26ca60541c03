"""Tensor Programs V's Fig 3: the optimal learning rate of an MLP shifts with width in the standard parametrization
and stays put under muP.

Two panels sharing the loss axis, SP (left) and muP with base width n0 (right), in the layout of
`plotting.sweep_figure`: the training loss (mean over seeds) against log2 of the SGD learning rate, one curve per
width, darker = wider, each width's refined eta* (mean over seeds, with its 95 % interval); the dashed line is SP's
best loss over all widths, drawn in both panels as in the paper. Each panel states the slope of log2 eta* against
log2 width and the shift from the base width (claims mup.transfer.sp_slope, mup_slope, sp_shift, mup_shift) and
the transfer regret (sp_regret, mup_regret); the muP panel also the fraction of consecutive width pairs in which
the wider net is better (wider_better). The suptitle names the multipliers tuned at the base width.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.mup import datasets, optimum
from replications.mup.plotting import format_estimate, sweep_figure


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """SP and muP panels from the transfer losses and tuning tables (inputs["transfer_losses"],
    inputs["transfer_tuning"])."""
    set_theme()
    losses = read_table(inputs["transfer_losses"])
    tuning = read_table(inputs["transfer_tuning"])
    chosen = tuning[tuning["chosen"]].iloc[0]
    base, widest = config["base_width"], losses["width"].max()
    sp, mup = (losses[losses["parametrization"] == p] for p in ("sp", "mup"))

    def regret(rows) -> str:
        return f"regret at $n$ = {widest}: {format_estimate(optimum.regret(rows, 'width', base), 3)} nats"

    better = [f"wider better at its own $\\eta^*$: {format_estimate(optimum.wider_better(mup))} of width pairs"]
    panels = [
        ("Standard parametrization", sp, [regret(sp)]),
        (f"μP (base width {base})", mup, [regret(mup), *better]),
    ]
    seeds = config["seeds"]
    fig = sweep_figure(
        panels,
        "width",
        "n",
        base,
        "best SP loss (any $n$)",
        f"2-hidden-layer ReLU MLP, cross-entropy, SGD momentum {config['momentum']:g}, batch {config['batch']}, "
        f"{config['steps']} steps on {datasets.label(config)}, {seeds} seed{'s' if seeds > 1 else ''};\n"
        "multipliers tuned at "
        f"width {base}: input {chosen['input_mult']:g}, output {chosen['output_mult']:g} "
        f"(of {tuning['input_mult'].nunique()} x {tuning['output_mult'].nunique()}, on seeds of their own)",
        chance="$\\ln 10$ (loss at initialization)",
    )
    save_figure(fig, outputs["png"])
