"""Tensor Programs IV (Yang & Hu 2021), Table 1 and the phase picture of abc-parametrizations (its Fig. 4),
recomputed from the stability, non-triviality and feature-learning conditions of `core.parametrization`.

Table. Each named parametrization (SP, SP with learning rate 1/n, NTP, MFP with one hidden layer, muP) is built as
exact exponents (a_l, b_l, c) and classified; its feature speed r (features move by Theta(n^-r)), readout
learning-rate exponent 2 a_{L+1} + c and readout exponent a_{L+1} + b_{L+1} + r are written beside TP4 Table 1's
values (`PAPER_TABLE1`) and compared cell by cell.

Phase grid. An MLP with L = 2 hidden layers and c = 0 (no loss of generality: (a, b, c) -> (a + theta, b - theta,
c - 2 theta) changes nothing) whose hidden layers satisfy the stability equalities a_1 + b_1 = 0 and a_2 + b_2 = 1/2
depends, through the conditions, only on three numbers:

    m = min_l (2 a_l + 1(l = 1))   (hidden layers' learning speed),
    A = a_3 + b_3                  (readout at initialization),
    B = 2 a_3 + c                  (readout learning rate),

with r = min(A, B) + c - 1 + m. Two 2-D slices are classified on an exact grid of step 1/denominator into
"unstable", "trivial" (stable, the function does not move), "kernel" (nontrivial, r > 0) and "feature_learning"
(nontrivial, r = 0): "maximal_readout_lr" (B = 1; x = A, y = m) and "muP_hidden" (m = 0; x = A, y = B).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd

from replications.core.parametrization import (
    ABC,
    feature_speed,
    is_feature_learning,
    is_kernel_regime,
    is_nontrivial,
    is_stable,
    named_parametrization,
)
from replications.core.results import write_results

HALF = Fraction(1, 2)
NAMES = ("sp", "sp_lr_1/n", "ntp", "mfp", "mup")
LABELS = {"sp": "SP", "sp_lr_1/n": "SP (LR 1/n)", "ntp": "NTP", "mfp": "MFP (L = 1)", "mup": "μP"}
QUANTITIES = ("r", "stable", "nontrivial", "feature_learning", "kernel_regime")
TABLE1_COLUMNS = ("sp_lr_1/n", "ntp", "mfp", "mup")  # the parametrizations that are columns of TP4 Table 1

# Yang & Hu 2021, "Tensor Programs IV: Feature Learning in Infinite-Width Neural Networks", ICML, Table 1:
# r, stable, nontrivial, feature learning, kernel regime of each column. SP proper (c = 0) appears only as unstable.
PAPER_TABLE1: dict[str, dict[str, float | bool]] = {
    "sp": {"stable": False},
    "sp_lr_1/n": {"r": 0.5, "stable": True, "nontrivial": True, "feature_learning": False, "kernel_regime": True},
    "ntp": {"r": 0.5, "stable": True, "nontrivial": True, "feature_learning": False, "kernel_regime": True},
    "mfp": {"r": 0.0, "stable": True, "nontrivial": True, "feature_learning": True, "kernel_regime": False},
    "mup": {"r": 0.0, "stable": True, "nontrivial": True, "feature_learning": True, "kernel_regime": False},
}

PHASE_HIDDEN_LAYERS = 2
# panel -> ((x_lo, x_hi), (y_lo, y_hi)), exact
PANELS: dict[str, tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]]] = {
    "maximal_readout_lr": ((Fraction(0), Fraction(3, 2)), (-HALF, Fraction(3, 2))),
    "muP_hidden": ((Fraction(0), Fraction(2)), (Fraction(0), Fraction(2))),
}
REGIONS = ("unstable", "trivial", "kernel", "feature_learning")


def _fractions(values: tuple[Fraction, ...]) -> str:
    return ", ".join(str(v) for v in values)


def abc_table(hidden_layers: int) -> pd.DataFrame:
    """One row per named parametrization (MFP with one hidden layer, the rest with `hidden_layers`): exponents,
    computed r, 2 a_{L+1} + c, a_{L+1} + b_{L+1} + r and classification, TP4 Table 1's values (`paper_<x>`, NaN
    where the paper gives none) and `match_<x>` (True iff the paper gives a value and it equals the computed one)."""
    rows = []
    for name in NAMES:
        layers = 1 if name == "mfp" else hidden_layers
        p = named_parametrization(name, layers)
        r = feature_speed(p)
        computed = {
            "r": float(r),
            "stable": is_stable(p),
            "nontrivial": is_nontrivial(p),
            "feature_learning": is_feature_learning(p),
            "kernel_regime": is_kernel_regime(p),
        }
        row: dict[str, Any] = {
            "parametrization": name,
            "label": LABELS[name],
            "hidden_layers": layers,
            "a": _fractions(p.a),
            "b": _fractions(p.b),
            "c": str(p.c),
            "r": float(r),
            "out_lr": float(2 * p.a[-1] + p.c),
            "out_init": float(p.a[-1] + p.b[-1] + r),
        }
        row.update({x: computed[x] for x in QUANTITIES[1:]})
        paper = PAPER_TABLE1[name]
        for x in QUANTITIES:
            row[f"paper_{x}"] = paper.get(x, math.nan)
        for x in QUANTITIES:
            row[f"match_{x}"] = x in paper and computed[x] == paper[x]
        rows.append(row)
    return pd.DataFrame(rows)


def _equal(computed: Any, paper: Any) -> bool:
    if paper is None or (isinstance(paper, float) and math.isnan(paper)):
        return False
    return float(computed) == float(paper)


def table_cells_reproduced(table_df: pd.DataFrame) -> int:
    """How many of TP4 Table 1's 20 cells (r, stable, nontrivial, feature learning, kernel regime x SP with LR 1/n,
    NTP, MFP, muP) equal the computed value in `table_df` (as written by `abc`, or read back)."""
    rows = table_df[table_df["parametrization"].isin(TABLE1_COLUMNS)]
    return sum(_equal(row[x], row[f"paper_{x}"]) for _, row in rows.iterrows() for x in QUANTITIES)


def slice_point(panel: str, x: Fraction, y: Fraction) -> ABC:
    """The L = 2, c = 0 parametrization at (x, y) of `panel`, hidden layers uniform at speed m:

        a_1 = (m - 1)/2, b_1 = -a_1,   a_2 = m/2, b_2 = 1/2 - a_2   (so min_l (2 a_l + 1(l = 1)) = m,
                                                                    a_1 + b_1 = 0, a_2 + b_2 = 1/2),
        a_3 = B/2, b_3 = A - B/2       (A = a_3 + b_3, B = 2 a_3 + c).

    "maximal_readout_lr": B = 1, x = A, y = m.  "muP_hidden": m = 0, x = A, y = B.
    """
    x, y = Fraction(x), Fraction(y)
    if panel == "maximal_readout_lr":
        A, B, m = x, Fraction(1), y
    elif panel == "muP_hidden":
        A, B, m = x, y, Fraction(0)
    else:
        raise ValueError(f"unknown panel {panel!r}; known: {', '.join(PANELS)}")
    a = ((m - 1) / 2, m / 2, B / 2)
    b = (-a[0], HALF - a[1], A - B / 2)
    return ABC(a, b, Fraction(0))


def region(p: ABC) -> str:
    """ "unstable", "trivial" (stable, not nontrivial), "kernel" (r > 0) or "feature_learning" (r = 0)."""
    if not is_stable(p):
        return "unstable"
    if not is_nontrivial(p):
        return "trivial"
    if is_feature_learning(p):
        return "feature_learning"
    assert is_kernel_regime(p)
    return "kernel"


def _grid(lo: Fraction, hi: Fraction, denominator: int) -> list[Fraction]:
    """The multiples of 1/denominator in [lo, hi], exact."""
    return [Fraction(k, denominator) for k in range(math.ceil(lo * denominator), math.floor(hi * denominator) + 1)]


def phase_table(denominator: int) -> pd.DataFrame:
    """Every grid point of both panels (step 1/denominator): panel, x, y, region, r (floats)."""
    rows = []
    for panel, ((x_lo, x_hi), (y_lo, y_hi)) in PANELS.items():
        for y in _grid(y_lo, y_hi, denominator):
            for x in _grid(x_lo, x_hi, denominator):
                p = slice_point(panel, x, y)
                rows.append(
                    {"panel": panel, "x": float(x), "y": float(y), "region": region(p), "r": float(feature_speed(p))}
                )
    return pd.DataFrame(rows)


def _coordinates(panel: str, p: ABC) -> tuple[Fraction, Fraction]:
    """(x, y) of `p`, shifted to c = 0, in `panel`'s coordinates."""
    q = p.shifted(p.c / 2)
    A, B = q.a[-1] + q.b[-1], 2 * q.a[-1] + q.c
    m = min(2 * a + (1 if layer == 0 else 0) for layer, a in enumerate(q.a[:-1]))
    return (A, m) if panel == "maximal_readout_lr" else (A, B)


def named_points() -> list[dict[str, Any]]:
    """Where NTP and muP (L = 2) sit: NTP in "maximal_readout_lr", muP in both panels (panel, name, x, y)."""
    points = []
    for panel, name in (("maximal_readout_lr", "ntp"), ("maximal_readout_lr", "mup"), ("muP_hidden", "mup")):
        p = named_parametrization(name, PHASE_HIDDEN_LAYERS)
        x, y = _coordinates(panel, p)
        assert slice_point(panel, x, y) == p.shifted(p.c / 2), f"{name} is not on the slice {panel}"
        points.append({"panel": panel, "name": name, "x": float(x), "y": float(y)})
    return points


def abc(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """TP4 Table 1 at config["hidden_layers"] (outputs["abc_table"]) and the phase grid at step
    1/config["grid_step_denominator"] (outputs["abc_phase"])."""
    write_results(outputs["abc_table"], abc_table(int(config["hidden_layers"])), config)
    write_results(outputs["abc_phase"], phase_table(int(config["grid_step_denominator"])), config)
