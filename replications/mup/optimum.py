"""The optimal learning rate of a sweep, per seed, refined between grid points; its transfer across width or depth.

A sweep table has one `train_loss` per (group, log2_lr, seed), NaN where the run diverged. For each (group, seed)
curve L(x) over the grid x = log2 eta (step h):
- eta* is refined by the parabola through the grid minimum x_m and its two neighbours (a, b, c the losses at
  x_m - h, x_m, x_m + h): x* = x_m + h (a - c) / (2 (a - 2b + c)), L* = b - (a - c)^2 / (8 (a - 2b + c)). A minimum
  on the grid's edge has no such parabola: x* is NaN (the optimum may lie outside the grid), flagged `at_edge`. A
  minimum next to a diverged rate keeps its grid point (x_m, b), flagged `unrefined`: the curve ends in a cliff.
- a curve that never trained (best loss above UNTRAINED_FRACTION ln 10, the loss of a uniform guess) is flagged
  and excluded from every fit: its eta* says nothing.
From the per-seed optima: the slope of log2 eta* against log2 width (or depth) over the groups that trained, the
shift |log2 eta*(last trained group) - log2 eta*(base)|, and the transfer regret: the largest group's loss at the
base group's eta* (read off the parabola through the three grid points around it; a diverged point counts as
ln 10) minus that group's own L*. Each is computed within a seed; the claims report the mean over seeds with its
Student-t interval (`replications.core.stats.t_interval`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from replications.core.claims import Estimate
from replications.core.stats import t_interval

CLASSES = 10
UNTRAINED_FRACTION = 0.95  # best loss above this fraction of ln(CLASSES): the net never trained


def _parabola(a: float, b: float, c: float) -> tuple[float, float]:
    """(offset of the vertex in grid steps, vertex value) of the parabola through (-1, a), (0, b), (1, c)."""
    curvature = a - 2 * b + c
    if curvature <= 0:
        return 0.0, b
    return (a - c) / (2 * curvature), b - (a - c) ** 2 / (8 * curvature)


def refined_optimum(log2_lrs: np.ndarray, losses: np.ndarray, classes: int = CLASSES) -> dict[str, float | bool]:
    """eta* of one curve (grid ascending, equally spaced): log2_lr, loss (the parabola's vertex value L*),
    grid_loss (the best loss measured on the grid), and the flags `at_edge`, `unrefined`, `trained` (best loss
    below UNTRAINED_FRACTION ln `classes`)."""
    x, y = np.asarray(log2_lrs, np.float64), np.asarray(losses, np.float64)
    if not np.isfinite(y).any():
        return {"log2_lr": np.nan, "loss": np.nan, "grid_loss": np.nan, "at_edge": False, "unrefined": False,
                "trained": False}  # fmt: skip
    m = int(np.nanargmin(y))
    trained = bool(y[m] < UNTRAINED_FRACTION * np.log(classes))
    if m in (0, len(x) - 1):
        return {"log2_lr": np.nan, "loss": y[m], "grid_loss": y[m], "at_edge": True, "unrefined": False,
                "trained": trained}  # fmt: skip
    if not (np.isfinite(y[m - 1]) and np.isfinite(y[m + 1])):
        return {"log2_lr": x[m], "loss": y[m], "grid_loss": y[m], "at_edge": False, "unrefined": True,
                "trained": trained}  # fmt: skip
    offset, vertex = _parabola(y[m - 1], y[m], y[m + 1])
    step = x[m + 1] - x[m]
    return {"log2_lr": x[m] + offset * step, "loss": vertex, "grid_loss": y[m], "at_edge": False, "unrefined": False,
            "trained": trained}  # fmt: skip


def loss_at(log2_lrs: np.ndarray, losses: np.ndarray, log2_lr: float) -> float:
    """The curve's loss at `log2_lr`, read off the parabola through the three grid points around it (the nearest
    grid point and its neighbours, moved inwards at the grid's ends); a diverged point among them counts as
    ln(CLASSES), the loss of a diverged net."""
    x, y = np.asarray(log2_lrs, np.float64), np.asarray(losses, np.float64)
    if not np.isfinite(log2_lr):
        return np.nan
    y = np.where(np.isfinite(y), y, np.log(CLASSES))
    centre = int(np.clip(np.argmin(np.abs(x - log2_lr)), 1, len(x) - 2))
    a, b, c = y[centre - 1 : centre + 2]
    t = (log2_lr - x[centre]) / (x[centre + 1] - x[centre])
    return float(b + t * (c - a) / 2 + t**2 * (a - 2 * b + c) / 2)


def optima(sweep: pd.DataFrame, by: str, classes: int = CLASSES) -> pd.DataFrame:
    """One row per (value of `by`, seed): the refined eta* (`log2_lr`), its loss and the flags."""
    rows = []
    for (key, seed), curve in sweep.sort_values("log2_lr").groupby([by, "seed"]):
        rows.append({by: key, "seed": seed, **refined_optimum(curve["log2_lr"], curve["train_loss"], classes)})
    return pd.DataFrame(rows)


def untrained(sweep: pd.DataFrame, by: str, classes: int = CLASSES) -> list:
    """The values of `by` at which a seed's net never trained (its best loss above the margin)."""
    found = optima(sweep, by, classes)
    return sorted(found.loc[~found["trained"], by].unique().tolist())


def _fit_rows(found: pd.DataFrame, by: str) -> pd.DataFrame:
    """Optima usable in fits: trained, inside the grid."""
    return found[found["trained"] & np.isfinite(found["log2_lr"])]


def slope(sweep: pd.DataFrame, by: str, classes: int = CLASSES) -> Estimate:
    """Slope of log2 eta* against log2 `by`, within each seed over the values that trained (at least two)."""
    per_seed = []
    for _, rows in _fit_rows(optima(sweep, by, classes), by).groupby("seed"):
        if rows[by].nunique() >= 2:
            per_seed.append(float(np.polyfit(np.log2(rows[by].to_numpy(float)), rows["log2_lr"], 1)[0]))
    return _mean_estimate(per_seed)


def shift(sweep: pd.DataFrame, by: str, base: float, classes: int = CLASSES) -> Estimate:
    """|log2 eta*(largest value of `by` that trained in every seed) - log2 eta*(base)| within each seed."""
    found = optima(sweep, by, classes)
    usable = _fit_rows(found, by)
    seeds = found["seed"].nunique()
    everywhere = usable.groupby(by)["seed"].nunique()
    top = everywhere[everywhere == seeds].index
    if base not in top or top.max() == base:
        return Estimate(np.nan, None, seeds)
    table = usable[usable[by].isin([base, top.max()])].pivot(index="seed", columns=by, values="log2_lr")
    return _mean_estimate(np.abs(table[top.max()] - table[base]).to_numpy())


def deepest_trained(sweep: pd.DataFrame, by: str, classes: int = CLASSES) -> float:
    """The largest value of `by` whose eta* is usable (trained, inside the grid) in every seed."""
    found = optima(sweep, by, classes)
    everywhere = _fit_rows(found, by).groupby(by)["seed"].nunique()
    top = everywhere[everywhere == found["seed"].nunique()].index
    return float(top.max()) if len(top) else np.nan


def regret(sweep: pd.DataFrame, by: str, base: float) -> Estimate:
    """Per seed, L_wide(eta*_base) - L*_wide at the largest value of `by`: what transferring the base optimum
    costs there (nats). A base optimum outside the grid makes it NaN."""
    widest = sweep[by].max()
    per_seed = []
    for _, rows in sweep.sort_values("log2_lr").groupby("seed"):
        base_curve, wide_curve = rows[rows[by] == base], rows[rows[by] == widest]
        base_opt = refined_optimum(base_curve["log2_lr"], base_curve["train_loss"])
        wide_opt = refined_optimum(wide_curve["log2_lr"], wide_curve["train_loss"])
        transferred = loss_at(wide_curve["log2_lr"], wide_curve["train_loss"], base_opt["log2_lr"])
        per_seed.append(transferred - wide_opt["loss"])
    return _mean_estimate(per_seed)


def wider_better(sweep: pd.DataFrame, classes: int = CLASSES) -> Estimate:
    """Per seed, the fraction of consecutive width pairs in which the wider net's L* is below the narrower's."""
    per_seed = []
    for _, rows in optima(sweep, "width", classes).sort_values("width").groupby("seed"):
        best = rows["loss"].to_numpy()
        per_seed.append(float(np.mean(best[1:] < best[:-1])))
    return _mean_estimate(per_seed)


def beats(sweep: pd.DataFrame, challenger: str, reference: str, classes: int = CLASSES) -> Estimate:
    """Per seed, the `challenger` parametrization's best measured loss at the largest width minus the `reference`'s
    least measured loss over every width (TP5 Fig 1's dashed line): negative when the widest challenger beats the
    reference's best. Measured grid points, not parabola vertices: next to a loss cliff the vertex can fall far
    below every loss a net reached."""
    per_seed = []
    for _, rows in sweep.groupby("seed"):
        found = {p: optima(rows[rows["parametrization"] == p], "width", classes) for p in (challenger, reference)}
        widest = found[challenger][found[challenger]["width"] == found[challenger]["width"].max()]["grid_loss"]
        per_seed.append(float(widest.iloc[0]) - float(found[reference]["grid_loss"].min()))
    return _mean_estimate(per_seed)


def _mean_estimate(per_seed) -> Estimate:
    values = np.asarray(per_seed, np.float64)
    if len(values) == 0 or not np.isfinite(values).all():
        return Estimate(np.nan, None, len(values))
    return Estimate(float(values.mean()), t_interval(values), len(values))


def optimum_summary(sweep: pd.DataFrame, by: str, classes: int = CLASSES) -> pd.DataFrame:
    """Per value of `by`: the mean refined log2 eta* over the seeds where it is usable, its Student-t interval,
    and how many seeds trained (for the figures)."""
    found = optima(sweep, by, classes)
    rows = []
    for key, group in found.groupby(by):
        usable = _fit_rows(group, by)["log2_lr"].to_numpy()
        interval = t_interval(usable) or (np.nan, np.nan)
        rows.append(
            {
                by: key,
                "log2_lr": float(usable.mean()) if len(usable) else np.nan,
                "low": interval[0],
                "high": interval[1],
                "loss": float(group["loss"].mean()),
                "trained": bool(group["trained"].all()),
                "seeds_usable": len(usable),
            }
        )
    return pd.DataFrame(rows)
