"""What the NNGP claims measure, from the results tables; the figures show the same numbers.

The claim measures return an `Estimate` (value, 95 % interval, test points or grid cells behind it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats

from replications.core.claims import Estimate
from replications.core.stats import (
    bootstrap_interval,
    normal_interval,
    t_interval,
    wilson_interval,
)
from replications.nngp import nn_search

KERNEL_METHODS = ("lattice", "exact")  # Fig 4's: the paper's lookup table beside the exact kernel


def selected_gp(search: pd.DataFrame, activation: str, train_size: int) -> pd.Series:
    """The NNGP chosen on validation for one activation and training size (its test metrics filled in)."""
    rows = search[(search["activation"] == activation) & (search["train_size"] == train_size) & search["selected"]]
    if len(rows) != 1:
        raise ValueError(f"expected one selected NNGP for {activation}, {train_size}; found {len(rows)}")
    return rows.iloc[0]


def best_nn(runs: pd.DataFrame, **match: object) -> pd.Series:
    """The searched net of highest validation accuracy among the runs matching `match` (diverged runs excluded;
    ties go to the lower validation loss)."""
    rows = runs
    for column, value in match.items():
        rows = rows[rows[column] == value]
    if rows.empty or rows["diverged"].all():
        raise ValueError(f"no converged run matches {match}")
    return nn_search.best_point(rows)


def retrained_nn(retrained: pd.DataFrame, activation: str, train_size: int, width: int) -> pd.DataFrame:
    """The retrained seeds of the best net of one (activation, training size, width)."""
    rows = retrained[
        (retrained["activation"] == activation)
        & (retrained["train_size"] == train_size)
        & (retrained["width"] == width)
    ]
    if rows.empty:
        raise ValueError(f"no retrained net for {activation}, {train_size} points, width {width}")
    return rows


def selected_nn(
    searched: pd.DataFrame, retrained: pd.DataFrame, activation: str, train_size: int
) -> tuple[pd.Series, pd.DataFrame]:
    """Table 1's net of one activation and training size: the search's best over every width and grid point (on
    validation), and the rows of its retrained seeds."""
    best = best_nn(searched, activation=activation, train_size=train_size)
    return best, retrained_nn(retrained, activation, train_size, int(best["width"]))


def seed_estimate(values: pd.Series | np.ndarray) -> Estimate:
    """Mean over retrained seeds with the Student-t interval over them (a seed that diverged counts as NaN and is
    left out of both)."""
    values = np.asarray(values, np.float64)
    finite = values[np.isfinite(values)]
    return Estimate(float(finite.mean()) if len(finite) else None, t_interval(finite), len(finite))


def edge_optima(searched: pd.DataFrame, section: Mapping[str, Any]) -> list[str]:
    """The (activation, training size, width) cells whose best point lies on an edge of the searched grid: the
    smallest or largest learning rate or weight_var, or the largest bias_var (bias_var = 0 is the domain's own
    boundary, not the grid's)."""
    edges = {
        "learning_rate": (min(section["learning_rates"]), max(section["learning_rates"])),
        "weight_var": (min(section["weight_vars"]), max(section["weight_vars"])),
        "bias_var": (max(section["bias_vars"]),) if len(section["bias_vars"]) > 1 else (),
    }
    cells = []
    for (activation, size, width), cell in searched.groupby(["activation", "train_size", "width"]):
        best = nn_search.best_point(cell)
        on = [name for name, ends in edges.items() if any(np.isclose(best[name], end, rtol=1e-6) for end in ends)]
        if on:
            cells.append(f"{activation} n={size} width {width} ({', '.join(on)})")
    return cells


def binned_uncertainty(points: pd.DataFrame, points_per_bin: int) -> pd.DataFrame:
    """Test points sorted by predicted variance, in bins of `points_per_bin`: mean predicted variance and mean
    realized MSE per bin (Lee et al. Fig 3)."""
    ordered = fig3_test_points(points).sort_values("predicted_variance").reset_index(drop=True)
    bins = len(ordered) // points_per_bin
    ordered = ordered.iloc[: bins * points_per_bin]
    ordered["bin"] = np.arange(len(ordered)) // points_per_bin
    return ordered.groupby("bin")[["predicted_variance", "realized_mse"]].mean()


def variance_scale(points: pd.DataFrame) -> float:
    """The kernel scale s fitted on the validation points: with K -> s K the posterior mean is unchanged and the
    predictive variance becomes s var, and if each output's error is N(0, s var) the maximum-likelihood s is
    mean(realized MSE / predicted variance)."""
    validation = points[points["part"] == "validation"]
    if validation.empty:
        raise ValueError("no validation points to fit the kernel scale on (fig3_uncertainty.split.validation)")
    return float(np.mean(validation["realized_mse"] / validation["predicted_variance"]))


def fig3_test_points(points: pd.DataFrame) -> pd.DataFrame:
    """Fig 3's test points (a table without a `part` column is all test points)."""
    return points if "part" not in points else points[points["part"] == "test"]


def rank_correlation_estimate(points: pd.DataFrame) -> Estimate:
    """Spearman's rank correlation of predicted variance and realized MSE over the test points themselves (no
    bins), with the bootstrap interval over the test points."""
    test = fig3_test_points(points)[["predicted_variance", "realized_mse"]].to_numpy()

    def statistic(pairs_Nx2: np.ndarray) -> float:
        return float(scipy.stats.spearmanr(pairs_Nx2[:, 0], pairs_Nx2[:, 1]).statistic)

    return Estimate(statistic(test), bootstrap_interval(statistic, [test], resamples=1000), len(test))


def uncertainty_correlation(points: pd.DataFrame, points_per_bin: int) -> float:
    """Pearson correlation of binned predicted variance and binned realized MSE."""
    binned = binned_uncertainty(points, points_per_bin)
    return float(np.corrcoef(binned["predicted_variance"], binned["realized_mse"])[0, 1])


def _cells(phase: pd.DataFrame, activation: str, depth: int, method: str | None) -> pd.DataFrame:
    """The grid cells of one activation and depth, of one kernel method (any, for a table of one method)."""
    cells = phase[(phase["activation"] == activation) & (phase["depth"] == depth)]
    return cells if method is None else cells[cells["method"] == method]


def critical_advantage(
    phase: pd.DataFrame, activation: str, depth: int, near: float = 0.1, far: float = 0.5, method: str | None = None
) -> float:
    """Mean test accuracy of cells with |log chi_1| <= near minus that of cells with |log chi_1| >= far."""
    cells = _cells(phase, activation, depth, method)
    log_chi = np.abs(np.log(cells["chi1"]))
    return float(cells.loc[log_chi <= near, "test_accuracy"].mean() - cells.loc[log_chi >= far, "test_accuracy"].mean())


def accuracy_estimate(accuracy: float, test_points: int) -> Estimate:
    """A test accuracy with Wilson's interval over the test points (the test set's sampling; a model's training
    seed adds its own spread, which one seed cannot show)."""
    correct = round(accuracy * test_points)
    return Estimate(float(accuracy), wilson_interval(correct, test_points), test_points)


def uncertainty_estimate(points: pd.DataFrame, points_per_bin: int) -> Estimate:
    """`uncertainty_correlation` with Fisher's interval for a Pearson correlation of n pairs (n = the bins):
    atanh(r) +- z / sqrt(n - 3). Resampling the test points instead would duplicate points inside the bins, which
    biases the binned correlation upwards (a bootstrap interval then misses the estimate)."""
    bins = len(fig3_test_points(points)) // points_per_bin
    r = uncertainty_correlation(points, points_per_bin)
    low, high = normal_interval(float(np.arctanh(r)), 1 / np.sqrt(bins - 3)) if bins > 3 else (np.nan, np.nan)
    return Estimate(r, (float(np.tanh(low)), float(np.tanh(high))) if bins > 3 else None, bins)


def critical_estimate(
    phase: pd.DataFrame, activation: str, depth: int, near: float = 0.1, far: float = 0.5, method: str | None = None
) -> Estimate:
    """`critical_advantage` with a bootstrap over the grid cells of each group (near and far from criticality)."""
    cells = _cells(phase, activation, depth, method)
    log_chi = np.abs(np.log(cells["chi1"]))
    near_cells = cells.loc[log_chi <= near, "test_accuracy"].to_numpy()
    far_cells = cells.loc[log_chi >= far, "test_accuracy"].to_numpy()
    interval = bootstrap_interval(lambda a, b: float(a.mean() - b.mean()), [near_cells, far_cells])
    value = critical_advantage(phase, activation, depth, near, far, method)
    return Estimate(value, interval, len(near_cells) + len(far_cells))


def _correct_MxS(cells: pd.DataFrame) -> np.ndarray:
    """The `correct` strings of the cells as a (test points, cells) boolean array."""
    return np.array([np.frombuffer(c.encode(), np.uint8) == ord("y") for c in cells["correct"]]).T


def paired_cells(phase: pd.DataFrame, activation: str, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """(lattice, exact) correctness arrays (test points, cells), the cells in the same (weight_var, bias_var)
    order for both."""
    key = ["weight_var", "bias_var"]
    lattice, exact = (_cells(phase, activation, depth, m).sort_values(key) for m in ("lattice", "exact"))
    if lattice[key].to_numpy().tolist() != exact[key].to_numpy().tolist():
        raise ValueError(f"the lattice and exact grids of {activation}, depth {depth} differ")
    return _correct_MxS(lattice), _correct_MxS(exact)


def collapse_fraction(lattice_MxS: np.ndarray, exact_MxS: np.ndarray, margin: float = 0.2) -> float:
    """Fraction of the cells where the lattice's test accuracy is at least `margin` below the exact kernel's."""
    gap_S = lattice_MxS.mean(axis=0) - exact_MxS.mean(axis=0)
    return float(np.mean(gap_S <= -margin + 1e-12))  # 1e-12: a gap of exactly `margin` counts despite rounding


def collapse_estimate(phase: pd.DataFrame, activation: str, depth: int, margin: float = 0.2) -> Estimate:
    """`collapse_fraction` over one activation's grid at one depth, with the bootstrap interval over the test points
    (every cell's and both methods' accuracies resampled together, as the same test digits judge them all); n is
    the number of grid cells."""
    lattice_MxS, exact_MxS = paired_cells(phase, activation, depth)

    cells = lattice_MxS.shape[1]

    def statistic(both_MxS2: np.ndarray) -> float:
        return collapse_fraction(both_MxS2[:, :cells], both_MxS2[:, cells:], margin)

    interval = bootstrap_interval(statistic, [np.concatenate([lattice_MxS, exact_MxS], axis=1)])
    return Estimate(collapse_fraction(lattice_MxS, exact_MxS, margin), interval, cells)


def nearest_gap_to_margin(phase: pd.DataFrame, activation: str, depth: int, margin: float = 0.2) -> float:
    """min over cells of |(lattice - exact accuracy) + margin|: how far the closest cell is from the threshold (when
    it is far, no resampling of the test points moves a cell across, and the interval is a point)."""
    lattice_MxS, exact_MxS = paired_cells(phase, activation, depth)
    return float(np.min(np.abs(lattice_MxS.mean(axis=0) - exact_MxS.mean(axis=0) + margin)))
