"""The numbers the NTK claims and figures are judged by, computed from the results tables.

Standard errors are bootstrap estimates over initializations (resampled within each width, a fixed seed, so the
same tables give the same numbers).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from replications.core.stats import mean_loglog_slope

BOOTSTRAP_RESAMPLES = 1000


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


def _bootstrap(statistic: Callable[..., float], *samples: np.ndarray) -> float:
    """Bootstrap standard error of statistic(*samples), each sample resampled along its first axis."""
    rng = np.random.default_rng(0)
    values = [statistic(*(s[rng.integers(0, len(s), len(s))] for s in samples)) for _ in range(BOOTSTRAP_RESAMPLES)]
    return float(np.std(values, ddof=1))


def _mean_std(theta_IxA: np.ndarray) -> float:
    return float(np.mean(np.std(theta_IxA, axis=0, ddof=1)))


def std_ratio(kernels: pd.DataFrame) -> tuple[float, float]:
    """(mean over gamma of the std over inits of Theta_0 at the widest width / the same at the narrowest)
    / sqrt(n_narrow / n_wide), and its standard error: 1 when fluctuations scale as n^-1/2."""
    narrow, wide = _narrow_wide(kernels)
    theory = np.sqrt(narrow / wide)
    ratio = lambda a, b: _mean_std(b) / _mean_std(a) / theory  # noqa: E731
    samples = kernels_at_init(kernels, narrow), kernels_at_init(kernels, wide)
    return ratio(*samples), _bootstrap(ratio, *samples)


def move_ratio(kernels: pd.DataFrame) -> tuple[float, float]:
    """(mean relative movement of Theta during training at the widest width / the same at the narrowest)
    / sqrt(n_narrow / n_wide), and its standard error."""
    narrow, wide = _narrow_wide(kernels)
    theory = np.sqrt(narrow / wide)
    ratio = lambda a, b: float(np.mean(b) / np.mean(a) / theory)  # noqa: E731
    samples = relative_movement(kernels, narrow), relative_movement(kernels, wide)
    return ratio(*samples), _bootstrap(ratio, *samples)


def limit_error(kernels: pd.DataFrame, limit: pd.DataFrame) -> tuple[float, float]:
    """Relative L2 error along the circle of the mean Theta_0 at the widest width against the analytic limit."""
    _, wide = _narrow_wide(kernels)
    reference = limit.sort_values("gamma")["ntk"].to_numpy(np.float64)
    error = lambda t: float(np.linalg.norm(t.mean(axis=0) - reference) / np.linalg.norm(reference))  # noqa: E731
    sample = kernels_at_init(kernels, wide)
    return error(sample), _bootstrap(error, sample)


def function_errors(functions: pd.DataFrame, limit: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """At the widest width of Fig 2, with mean_p and std_p the predicted (infinite-width) mean and std along the
    circle: mean_err = mean_gamma |mean_inits f_T - mean_p| / mean_gamma std_p, and std_ratio = mean_gamma of the
    std over inits of f_T / mean_gamma std_p; each with its standard error."""
    _, wide = _narrow_wide(functions)
    limit = limit.sort_values("gamma")
    mean_p, std_p = limit["mean"].to_numpy(np.float64), limit["std"].to_numpy(np.float64)
    sample = circle_matrix(functions, "f", width=wide)
    mean_err = lambda f: float(np.mean(np.abs(f.mean(axis=0) - mean_p)) / np.mean(std_p))  # noqa: E731
    ratio = lambda f: float(np.mean(np.std(f, axis=0, ddof=1)) / np.mean(std_p))  # noqa: E731
    return {
        "mean_err": (mean_err(sample), _bootstrap(mean_err, sample)),
        "std_ratio": (ratio(sample), _bootstrap(ratio, sample)),
    }


def lambda_ratio(eigenvalues: pd.DataFrame, kernel: str = "analytic") -> float:
    """lambda_1 / lambda_2 of one kernel's PCA."""
    lam = eigenvalues[eigenvalues["kernel"] == kernel].set_index("rank")["eigenvalue"]
    return float(lam[1] / lam[2])


def relchange_slopes(changes: pd.DataFrame, parametrization: str = "ntk") -> dict[str, float]:
    """Slopes of the relative weight and kernel changes against width in one parametrization."""
    rows = changes[changes["parametrization"] == parametrization]
    return {"weight": mean_loglog_slope(rows, "weight_change"), "kernel": mean_loglog_slope(rows, "kernel_change")}
