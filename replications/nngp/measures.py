"""What the NNGP claims measure, from the results tables; the figures show the same numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd


def selected_gp(search: pd.DataFrame, activation: str, train_size: int) -> pd.Series:
    """The NNGP chosen on validation for one activation and training size (its test metrics filled in)."""
    rows = search[(search["activation"] == activation) & (search["train_size"] == train_size) & search["selected"]]
    if len(rows) != 1:
        raise ValueError(f"expected one selected NNGP for {activation}, {train_size}; found {len(rows)}")
    return rows.iloc[0]


def best_nn(runs: pd.DataFrame, **match: object) -> pd.Series:
    """The trained net of highest validation accuracy among the runs matching `match` (diverged runs excluded;
    ties go to the lower validation loss)."""
    rows = runs[~runs["diverged"]]
    for column, value in match.items():
        rows = rows[rows[column] == value]
    if rows.empty:
        raise ValueError(f"no converged run matches {match}")
    return rows.sort_values(["val_accuracy", "val_mse"], ascending=[False, True]).iloc[0]


def binned_uncertainty(points: pd.DataFrame, points_per_bin: int) -> pd.DataFrame:
    """Test points sorted by predicted variance, in bins of `points_per_bin`: mean predicted variance and mean
    realized MSE per bin (Lee et al. Fig 3)."""
    ordered = points.sort_values("predicted_variance").reset_index(drop=True)
    bins = len(ordered) // points_per_bin
    ordered = ordered.iloc[: bins * points_per_bin]
    ordered["bin"] = np.arange(len(ordered)) // points_per_bin
    return ordered.groupby("bin")[["predicted_variance", "realized_mse"]].mean()


def uncertainty_correlation(points: pd.DataFrame, points_per_bin: int) -> float:
    """Pearson correlation of binned predicted variance and binned realized MSE."""
    binned = binned_uncertainty(points, points_per_bin)
    return float(np.corrcoef(binned["predicted_variance"], binned["realized_mse"])[0, 1])


def critical_advantage(phase: pd.DataFrame, activation: str, depth: int, near: float = 0.1, far: float = 0.5) -> float:
    """Mean test accuracy of cells with |log chi_1| <= near minus that of cells with |log chi_1| >= far."""
    cells = phase[(phase["activation"] == activation) & (phase["depth"] == depth)]
    log_chi = np.abs(np.log(cells["chi1"]))
    return float(cells.loc[log_chi <= near, "test_accuracy"].mean() - cells.loc[log_chi >= far, "test_accuracy"].mean())
