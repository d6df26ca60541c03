"""Tensor Programs IV, Table 1, recomputed: the exponents of SP, SP with learning rate 1/n, NTP, MFP and muP, their
feature speed r, readout exponents 2 a_{L+1} + c and a_{L+1} + b_{L+1} + r, and whether each is stable, nontrivial,
feature learning or in the kernel regime, decided exactly from the conditions (`mup.abc_space`). A computed cell that
differs from the paper's says "≠ paper: v". Written as markdown and as a PNG/PDF table.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import atomic_write, read_table
from replications.mup.abc_space import QUANTITIES, table_cells_reproduced

TITLE = "Tensor Programs IV, Table 1, recomputed from the stability, non-triviality and feature-learning conditions"
# (figure label, markdown label, table column): rows as in the paper, parametrizations as columns
ROWS = (
    ("hidden layers $L$", "hidden layers L", "hidden_layers"),
    ("$a_l$  ($l = 1, \\ldots, L+1$)", "a_l (l = 1, …, L+1)", "a"),
    ("$b_l$  ($l = 1, \\ldots, L+1$)", "b_l (l = 1, …, L+1)", "b"),
    ("$c$", "c", "c"),
    ("$r$", "r", "r"),
    ("$2a_{L+1}+c$", "2a_{L+1} + c", "out_lr"),
    ("$a_{L+1}+b_{L+1}+r$", "a_{L+1} + b_{L+1} + r", "out_init"),
    ("stable", "stable", "stable"),
    ("nontrivial", "nontrivial", "nontrivial"),
    ("feature learning", "feature learning", "feature_learning"),
    ("kernel regime", "kernel regime", "kernel_regime"),
)


def _value(v: Any) -> str:
    """✓/✗ for a truth value, an exact fraction for a number, the string itself otherwise."""
    if str(v) in ("True", "False"):  # bool or numpy bool
        return "✓" if str(v) == "True" else "✗"
    if isinstance(v, numbers.Real):
        return str(Fraction(float(v)).limit_denominator(1000))
    return str(v)


def _cell(row: pd.Series, column: str) -> str:
    text = _value(row[column])
    paper = row.get(f"paper_{column}") if column in QUANTITIES else None
    known = paper is not None and not (isinstance(paper, float) and math.isnan(paper))
    if known and _value(paper) != text:
        text += f" (≠ paper: {_value(paper)})"
    return text


def cells(table_df: pd.DataFrame, *, tex: bool = True) -> tuple[list[str], list[list[str]]]:
    """(column headers, rows of cells) of the table: quantities as rows, parametrizations as columns; row labels
    in matplotlib's mathtext (`tex`) or plain text."""
    headers = ["", *table_df["label"]]
    body = [
        [tex_label if tex else md_label, *(_cell(row, column) for _, row in table_df.iterrows())]
        for tex_label, md_label, column in ROWS
    ]
    return headers, body


def footnote(table_df: pd.DataFrame) -> str:
    """Two lines: SP proper's verdict, and how many of Table 1's 20 cells are reproduced."""
    sp = table_df[table_df["parametrization"] == "sp"].iloc[0]
    count = table_cells_reproduced(table_df)
    return (
        f"SP proper (c = 0, the paper's 'unstable' SP) is computed {'stable' if _is_true(sp['stable']) else 'unstable'}"
        f" (r = {_value(sp['r'])}).\n{count} of the 20 cells of TP4 Table 1 (r, stable, nontrivial, feature learning, "
        "kernel regime × SP (LR 1/n), NTP, MFP, μP) reproduced."
    )


def _is_true(v: Any) -> bool:
    return str(v) == "True"


def markdown(table_df: pd.DataFrame) -> str:
    headers, body = cells(table_df, tex=False)
    lines = [f"**{TITLE}**", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join([*lines, "", footnote(table_df).replace("\n", "\n\n")]) + "\n"


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """The recomputed Table 1 as markdown (outputs["md"]) and PNG/PDF (outputs["png"], outputs["pdf"])."""
    if Path(outputs["pdf"]).with_suffix("") != Path(outputs["png"]).with_suffix(""):
        raise ValueError(f"png and pdf must share a stem (save_figure), got {outputs['png']}, {outputs['pdf']}")
    set_theme()
    table_df = read_table(inputs["abc_table"])
    atomic_write(outputs["md"], lambda tmp: tmp.write_text(markdown(table_df)))
    headers, body = cells(table_df)
    fig, ax = plt.subplots(figsize=(11, 0.3 * len(body) + 1.3))
    ax.axis("off")
    widths = [0.2] + [0.16] * (len(headers) - 1)
    grid = ax.table(cellText=body, colLabels=headers, colWidths=widths, bbox=[0, 0, 1, 1], cellLoc="center")
    grid.auto_set_font_size(False)
    grid.set_fontsize(10)
    for (i, j), cell in grid.get_celld().items():
        if i == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("#eaeaf2")
        if j == 0:
            cell.set_text_props(ha="left")
            cell.PAD = 0.04
        if "≠" in cell.get_text().get_text():
            cell.set_facecolor("#fbd9d3")
    ax.set_title(TITLE, fontsize=11.5)
    ax.text(0, -0.04, footnote(table_df), transform=ax.transAxes, ha="left", va="top", fontsize=9)
    save_figure(fig, outputs["png"])  # writes outputs["pdf"] beside it
