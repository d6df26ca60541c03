"""The numbers the NTK claims and figures are judged by, computed from the results tables.

Each claim measure returns an `Estimate`: the value, its 95 % interval and how many initializations or seeds it
rests on. Statistics of many initializations carry a BCa bootstrap interval (resampled within each width, a fixed
seed, so the same tables give the same numbers); slopes through the means over seeds carry the jackknife's
interval over the seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from replications.core.claims import Estimate
from replications.core.stats import bootstrap_interval, mean_loglog_slope_estimate, t_interval


def circle_matrix(table: pd.DataFrame, value: str, **where: object) -> np.ndarray:
    """The `value` column as an (inits, angles) matrix, rows in init order, columns in gamma order."""
    rows = table
    for column, wanted in where.items():
        rows = rows[rows[column] == wanted]
    return rows.pivot(index="init", columns="gamma", values=value).to_numpy(np.float64)


def _narrow_wide(table: pd.DataFrame) -> tuple[int, int]:
    widths = sorted(table["width"].unique())
    return int(widths[0]), int(widths[-1])


def kernels_at_init(kernels: pd.DataFrame, width: int) -> np.ndarray:
    """Theta_0(x0, x(gamma)) of every initialization of one width: (inits, angles)."""
    return circle_matrix(kernels, "ntk", width=width, time=0.0)


def relative_movement(kernels: pd.DataFrame, width: int) -> np.ndarray:
    """||Theta_T - Theta_0|| / ||Theta_0|| along the circle (L2 over the angle grid), per trained net."""
    trained = kernels[kernels["trained"]]
    end = trained["time"].max()
    theta0 = circle_matrix(trained, "ntk", width=width, time=0.0)
    thetaT = circle_matrix(trained, "ntk", width=width, time=end)
    return np.linalg.norm(thetaT - theta0, axis=1) / np.linalg.norm(theta0, axis=1)


def _bootstrapped(statistic, *samples: np.ndarray) -> Estimate:
    """statistic(*samples) with its bootstrap interval, n the draws of all samples together."""
    return Estimate(statistic(*samples), bootstrap_interval(statistic, samples), sum(len(s) for s in samples))


def _mean_std(theta_IxA: np.ndarray) -> float:
    return float(np.mean(np.std(theta_IxA, axis=0, ddof=1)))


def std_ratio(kernels: pd.DataFrame) -> Estimate:
    """(mean over gamma of the std over inits of Theta_0 at the widest width / the same at the narrowest)
    / sqrt(n_narrow / n_wide): 1 when fluctuations scale as n^-1/2."""
    narrow, wide = _narrow_wide(kernels)
    theory = np.sqrt(narrow / wide)
    ratio = lambda a, b: _mean_std(b) / _mean_std(a) / theory  # noqa: E731
    samples = kernels_at_init(kernels, narrow), kernels_at_init(kernels, wide)
    return _bootstrapped(ratio, *samples)


def move_ratio(kernels: pd.DataFrame) -> Estimate:
    """(mean relative movement of Theta during training at the widest width / the same at the narrowest)
    / sqrt(n_narrow / n_wide): 1 for an O(n^-1/2) movement, sqrt(n_narrow / n_wide) for O(1/n)."""
    narrow, wide = _narrow_wide(kernels)
    theory = np.sqrt(narrow / wide)
    ratio = lambda a, b: float(np.mean(b) / np.mean(a) / theory)  # noqa: E731
    samples = relative_movement(kernels, narrow), relative_movement(kernels, wide)
    return _bootstrapped(ratio, *samples)


def limit_error(kernels: pd.DataFrame, limit: pd.DataFrame) -> Estimate:
    """Relative L2 error along the circle of the mean Theta_0 at the widest width against the analytic limit."""
    _, wide = _narrow_wide(kernels)
    reference = limit.sort_values("gamma")["ntk"].to_numpy(np.float64)
    error = lambda t: float(np.linalg.norm(t.mean(axis=0) - reference) / np.linalg.norm(reference))  # noqa: E731
    sample = kernels_at_init(kernels, wide)
    return _bootstrapped(error, sample)


def function_errors(functions: pd.DataFrame, limit: pd.DataFrame) -> dict[str, Estimate]:
    """At the widest width of Fig 2, with mean_p and std_p the predicted (infinite-width) mean and std along the
    circle: mean_err = mean_gamma |mean_inits f_T - mean_p| / mean_gamma std_p, and std_ratio = mean_gamma of the
    std over inits of f_T / mean_gamma std_p."""
    _, wide = _narrow_wide(functions)
    limit = limit.sort_values("gamma")
    mean_p, std_p = limit["mean"].to_numpy(np.float64), limit["std"].to_numpy(np.float64)
    sample = circle_matrix(functions, "f", width=wide)
    mean_err = lambda f: float(np.mean(np.abs(f.mean(axis=0) - mean_p)) / np.mean(std_p))  # noqa: E731
    ratio = lambda f: float(np.mean(np.std(f, axis=0, ddof=1)) / np.mean(std_p))  # noqa: E731
    return {"mean_err": _bootstrapped(mean_err, sample), "std_ratio": _bootstrapped(ratio, sample)}


def lambda_ratio(eigenvalues: pd.DataFrame, kernel: str = "analytic") -> float:
    """lambda_1 / lambda_2 of one kernel's PCA."""
    lam = eigenvalues[eigenvalues["kernel"] == kernel].set_index("rank")["eigenvalue"]
    return float(lam[1] / lam[2])


def local_slopes(table: pd.DataFrame, column: str, by: str = "width") -> pd.DataFrame:
    """Per-octave (between consecutive widths) log-log slopes of `column`, each seed's slope taken apart:
    one row per pair of widths with the geometric-mean width, the mean slope and its Student-t interval."""
    pivot = table.pivot(index="seed", columns=by, values=column).sort_index(axis=1)
    widths = pivot.columns.to_numpy(np.float64)
    logs = np.log(pivot.to_numpy(np.float64))
    rows = []
    for i in range(len(widths) - 1):
        per_seed = (logs[:, i + 1] - logs[:, i]) / np.log(widths[i + 1] / widths[i])
        interval = t_interval(per_seed)
        rows.append(
            {by: float(np.sqrt(widths[i] * widths[i + 1])), "slope": float(np.mean(per_seed))}
            | {"lo": interval[0] if interval else np.nan, "hi": interval[1] if interval else np.nan}
        )
    return pd.DataFrame(rows)


def lee_slopes(changes: pd.DataFrame, activation: str, parametrization: str = "ntk") -> dict[str, Estimate]:
    """Slopes against width of the relative changes of theta, Theta_hat and K_hat for one activation and
    parametrization (the columns of the relchange table)."""
    rows = changes[(changes["activation"] == activation) & (changes["parametrization"] == parametrization)]
    return {
        column: mean_loglog_slope_estimate(rows, column)
        for column in ("weight_change", "first_layer_change", "ntk_change", "nngp_change")
    }


def decay_rates(training: pd.DataFrame, width: int, lambda_2: float, column: str = "g") -> np.ndarray:
    """Per trial at one width: the least-squares decay rate of |g_t| (minus the slope of log |g_t| against t) over
    the theory's first e-fold, 0 <= t <= 1 / lambda_2, divided by lambda_2 (1 at infinite width)."""
    rows = training[(training["width"] == width) & (training["time"] <= 1.0 / lambda_2)]
    return np.array(
        [-np.polyfit(run["time"], np.log(np.abs(run[column])), 1)[0] / lambda_2 for _, run in rows.groupby("trial")]
    )


def decay_ratio(training: pd.DataFrame, eigenvalues: pd.DataFrame, width: int, column: str = "g") -> Estimate:
    """`decay_rates` of one width: their mean with its Student-t interval over trials."""
    lam = eigenvalues[eigenvalues["kernel"] == "analytic"].set_index("rank")["eigenvalue"]
    ratios = decay_rates(training, width, float(lam[2]), column)
    return Estimate(float(np.mean(ratios)), t_interval(ratios), len(ratios))
