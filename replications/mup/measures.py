"""The numbers the muP claims and figures report, from the tables the compute tasks write.

A sweep table has a `train_loss` per (group, log2_lr, seed): `mean_curves` draws the mean over seeds at each
learning rate, NaN where any seed diverged. The optimal learning rates and what the transfer claims measure from
them are in `replications.mup.optimum`.

`core.stats.jackknife_estimate` gives the coordinate checks' claims their interval: the statistic of the means over
seeds, with the jackknife's interval over seeds (the statistic recomputed with each seed left out). A Student-t
interval over the statistic computed within each seed would estimate another quantity: for a maximum over layers of
max(q, 1/q), one seed's noise raises it, and such an interval excluded its own claim's value
(mup.coord.mup_ratio_adam: 1.031 in [1.047, 1.116]).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from replications.core.claims import Estimate


def mean_curves(sweep: pd.DataFrame, by: str) -> pd.DataFrame:
    """Mean training loss over seeds: rows log2_lr, one column per value of `by`; NaN where a seed diverged."""
    return sweep.groupby([by, "log2_lr"])["train_loss"].agg(lambda v: v.mean(skipna=False)).unstack(by)


def maxlr_slope(maxlr: pd.DataFrame, parametrization: str) -> float:
    """Least-squares slope of log2 (largest stable learning rate) against log2 width; NaN when a width's rate was
    not measured (outside the grid) or there are fewer than two widths."""
    rows = maxlr[maxlr["parametrization"] == parametrization]
    if rows["log2_max_lr"].isna().any() or rows["width"].nunique() < 2:
        return float("nan")
    return float(np.polyfit(np.log2(rows["width"]), rows["log2_max_lr"], 1)[0])


def coord_widths(widths: list[int]) -> tuple[int, int]:
    """(wide, narrow) widths of the coordinate-check claims: 2^12 and 2^8 as registered; where a profile lacks
    them, the largest width and the smallest."""
    wide = 4096 if 4096 in widths else max(widths)
    narrow = 256 if 256 in widths and wide > 256 else min(widths)
    return wide, narrow


def coord_ratio(
    deltas: pd.DataFrame, *, parametrization: str, optimizer: str, wide: int, narrow: int, steps: tuple[int, ...]
) -> float:
    """The largest of max(q, 1/q) over layers and `steps`, q = mean |Delta h| at width `wide` over that at `narrow`
    (means over seeds). Entries that are 0 at both widths (the hidden layers at step 1, when the readout starts at
    zero and passes back no gradient) are left out."""
    rows = deltas[(deltas["parametrization"] == parametrization) & (deltas["optimizer"] == optimizer)]
    means = rows[rows["step"].isin(steps)].groupby(["layer", "step", "width"])["mean_abs_delta"].mean().unstack()
    a, b = means[wide], means[narrow]
    moved = ~((a == 0) & (b == 0))
    q = (a[moved] / b[moved]).to_numpy()
    if q.size == 0 or not np.isfinite(q).all() or (q == 0).any():
        return float("nan")  # nothing moved, or a layer moved at one width only: no ratio to report
    return float(np.max(np.maximum(q, 1 / q)))


def logit_growth(
    deltas: pd.DataFrame, *, parametrization: str, optimizer: str, wide: int, narrow: int, step: int
) -> float:
    """mean |Delta logits| at `step` at width `wide` over that at `narrow` (means over seeds)."""
    rows = deltas[
        (deltas["parametrization"] == parametrization)
        & (deltas["optimizer"] == optimizer)
        & (deltas["layer"] == "logits")
        & (deltas["step"] == step)
    ]
    means = rows.groupby("width")["mean_abs_delta"].mean()
    return float(means[wide] / means[narrow])


def maxlr_slope_estimate(maxlr: pd.DataFrame, parametrization: str, resolution: float, seeds: int) -> Estimate:
    """`maxlr_slope` with the interval that the grid's resolution leaves: each width's edge is known only to lie
    in [log2_max_lr, log2_max_lr + resolution], and the slope sum_i c_i y_i ranges over
    [slope + resolution sum_i min(c_i, 0), slope + resolution sum_i max(c_i, 0)]. The seeds are judged jointly
    (a rate is stable when every seed is), so there is no per-seed spread to add."""
    slope = maxlr_slope(maxlr, parametrization)
    if not np.isfinite(slope):
        return Estimate(slope, None, seeds)
    log_w = np.log2(maxlr.loc[maxlr["parametrization"] == parametrization, "width"].to_numpy(np.float64))
    weights = (log_w - log_w.mean()) / np.sum((log_w - log_w.mean()) ** 2)
    interval = (slope + resolution * np.minimum(weights, 0).sum(), slope + resolution * np.maximum(weights, 0).sum())
    return Estimate(slope, (float(interval[0]), float(interval[1])), seeds)
