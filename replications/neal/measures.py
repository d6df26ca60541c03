"""What the Neal claims measure, computed from the results tables; the figures show the same numbers.

Claim measures return an `Estimate` (value, 95 % interval, draws): the kurtosis and roughness slopes by the delta
method from each point's standard error; the KS distances to a fixed limit law with the Dvoretzky-Kiefer-Wolfowitz
interval (`stats.ks_interval`), the distance to the Gaussian matched to the draws by a BCa bootstrap over the draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from replications.core.claims import Estimate
from replications.core.stats import (
    bootstrap_interval,
    ks_interval,
    loglog_slope,
    normal_interval,
    relative_frobenius_error,
    slope_interval_from_errors,
)
from replications.neal.limits import cauchy_limit_cdf, gaussian_limit_sd, ks_distance, matched_gaussian_cdf


def kurtosis_slope(kurtosis: pd.DataFrame) -> float:
    """Log-log slope of the measured excess kurtosis of f(x0) against H (theory: -1)."""
    return loglog_slope(kurtosis["hidden_units"], kurtosis["excess_kurtosis"])


def kurtosis_slope_estimate(kurtosis: pd.DataFrame) -> Estimate:
    """`kurtosis_slope` with its interval: each H is an independent sample with its own standard error."""
    h, k, se = (kurtosis[c].to_numpy(np.float64) for c in ("hidden_units", "excess_kurtosis", "standard_error"))
    return Estimate(loglog_slope(h, k), slope_interval_from_errors(h, k, se), int(kurtosis["draws"].sum()))


def kurtosis_error(kurtosis: pd.DataFrame, hidden_units: int) -> Estimate:
    """|measured / predicted excess kurtosis - 1| at one H, the interval that of |.| of the normal interval."""
    row = kurtosis.set_index("hidden_units").loc[hidden_units]
    low, high = normal_interval(row["excess_kurtosis"] / row["predicted"] - 1, row["standard_error"] / row["predicted"])
    interval = (0.0, max(-low, high)) if low <= 0 <= high else tuple(sorted((abs(low), abs(high))))
    return Estimate(abs(row["excess_kurtosis"] / row["predicted"] - 1), interval, int(row["draws"]))


def limit_laws(arrays: Mapping[str, np.ndarray], config: Mapping[str, Any]) -> dict[str, Any]:
    """The CDFs of the limits of f(x0): Gaussian v, Cauchy v (with bias), Cauchy v without bias."""
    sd = gaussian_limit_sd(config["output_bias_sd"], config["output_weight_scale"], float(arrays["hidden_m2"]))
    gamma = config["output_weight_scale"] * float(arrays["hidden_m1"])
    return {
        "gaussian": stats.norm(scale=sd).cdf,
        "gaussian_sd": sd,
        "cauchy": lambda t: cauchy_limit_cdf(t, gamma, config["cauchy_output_bias_sd"]),
        "cauchy_nobias": lambda t: cauchy_limit_cdf(t, gamma, 0.0),
        "gamma": gamma,
    }


def _dkw_interval(sample: np.ndarray, statistic: Callable[[np.ndarray], float]) -> tuple[float, float] | None:
    return ks_interval(statistic(sample), len(sample))


def _bca_interval(sample: np.ndarray, statistic: Callable[[np.ndarray], float]) -> tuple[float, float] | None:
    return bootstrap_interval(statistic, [sample])


def _ks_statistics(arrays: Mapping[str, np.ndarray], config: Mapping[str, Any]) -> dict[str, tuple]:
    """name -> (sample, KS statistic of the sample, its interval's method): the draws' distances to their limit
    laws (DKW), and the bias-free Cauchy draws' to their matched Gaussian (a law estimated from the draws themselves:
    BCa). For a fixed law F the sample is F(draws), whose KS distance to the uniform law is the draws' to F (F is
    continuous and increasing): F, a 101-node quadrature for the Cauchy limit, is evaluated once."""
    laws = limit_laws(arrays, config)

    def to_uniform(u: np.ndarray) -> float:
        return ks_distance(u, lambda t: np.clip(t, 0.0, 1.0))

    return {
        "gaussian_limit": (laws["gaussian"](arrays["gaussian_wide"].astype(np.float64)), to_uniform, _dkw_interval),
        "cauchy_limit": (laws["cauchy"](arrays["cauchy_wide"].astype(np.float64)), to_uniform, _dkw_interval),
        "cauchy_vs_gaussian": (
            arrays["cauchy_wide_nobias"],
            lambda f: ks_distance(f, matched_gaussian_cdf(f)),
            _bca_interval,
        ),
    }


def ks_distances(arrays: Mapping[str, np.ndarray], config: Mapping[str, Any]) -> dict[str, float]:
    """KS distances of the wide-net draws of f(x0) to their limit laws and to the matched Gaussian."""
    return {name: statistic(draws) for name, (draws, statistic, _) in _ks_statistics(arrays, config).items()}


def ks_estimates(arrays: Mapping[str, np.ndarray], config: Mapping[str, Any]) -> dict[str, Estimate]:
    """`ks_distances` with 95 % intervals: `stats.ks_interval` (DKW) for a distance to a fixed law; for the distance
    to the Gaussian matched to the draws, far from 0 and re-estimated on every resample, the BCa bootstrap."""
    estimates = {}
    for name, (draws, statistic, interval) in _ks_statistics(arrays, config).items():
        estimates[name] = Estimate(statistic(draws), interval(draws, statistic), len(draws))
    return estimates


def _covariance_matrices(covariance: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    size = int(covariance["i"].max()) + 1
    ordered = covariance.sort_values(["i", "j"])
    return (ordered[c].to_numpy().reshape(size, size) for c in ("empirical", "analytic"))


def covariance_error(covariance: pd.DataFrame) -> float:
    """Relative Frobenius error of the empirical covariance matrix against the analytic kernel."""
    return relative_frobenius_error(*_covariance_matrices(covariance))


def covariance_sampling_floor(covariance: pd.DataFrame, draws: int) -> float:
    """The error that sampling alone gives: sqrt(E||S - K||_F^2) / ||K||_F for the sample covariance S of `draws`
    Gaussian vectors of covariance K, E||S - K||_F^2 = sum_ij (K_ij^2 + K_ii K_jj) / draws."""
    _, kernel = _covariance_matrices(covariance)
    diagonal = np.diag(kernel)
    expected_sq = np.sum(kernel**2 + np.outer(diagonal, diagonal)) / draws
    return float(np.sqrt(expected_sq) / np.linalg.norm(kernel))


def roughness_slopes(roughness: pd.DataFrame) -> dict[str, float]:
    """Log-log slope of E[(f(x + delta) - f(x))^2] against delta, per activation."""
    return {
        activation: loglog_slope(rows["delta"], rows["mean_sq_increment"])
        for activation, rows in roughness.groupby("activation", sort=False)
    }


def roughness_slope_estimates(roughness: pd.DataFrame, draws: int) -> dict[str, Estimate]:
    """`roughness_slopes` with intervals that treat the deltas' standard errors as independent. The same functions
    serve every delta, so the errors are positively correlated; were they equally correlated (rho), a slope's
    variance would shrink by 1 - rho, so the interval errs on the wide side."""
    return {
        activation: Estimate(
            loglog_slope(rows["delta"], rows["mean_sq_increment"]),
            slope_interval_from_errors(rows["delta"], rows["mean_sq_increment"], rows["standard_error"]),
            draws,
        )
        for activation, rows in roughness.groupby("activation", sort=False)
    }


def largest_unit_share(contributions_NxH):
    """Share of the largest unit in each row: max_j |c_j| / sum_j |c_j| (numpy or JAX arrays, rows of unit
    contributions c_j = v_j h_j). 1/H when all units contribute equally; 1 when one unit carries everything."""
    magnitude_NxH = abs(contributions_NxH)
    return magnitude_NxH.max(axis=-1) / magnitude_NxH.sum(axis=-1)


def median_interval(sample: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Distribution-free interval for the median: the order statistics x_(l) and x_(n + 1 - l), where l is the
    largest rank with P(Binomial(n, 1/2) < l) <= (1 - level) / 2; it covers the median with at least `level`."""
    ordered = np.sort(np.asarray(sample, np.float64))
    rank = max(1, int(stats.binom.ppf((1 - level) / 2, len(ordered), 0.5)))
    return float(ordered[rank - 1]), float(ordered[len(ordered) - rank])


def dominance_shares(dominance: pd.DataFrame, stable_index: float) -> tuple[np.ndarray, list[np.ndarray]]:
    """The widths and, for each, the largest-unit shares of every draw, at one output-weight index alpha."""
    rows = dominance[np.isclose(dominance["stable_index"], stable_index)]
    widths = np.sort(rows["hidden_units"].unique())
    return widths, [rows.loc[rows["hidden_units"] == h, "share"].to_numpy(np.float64) for h in widths]


def dominance_slope_estimate(dominance: pd.DataFrame, stable_index: float) -> Estimate:
    """Log-log slope against H of the median largest-unit share, with a BCa bootstrap interval that resamples the
    draws of every H independently; n is the number of draws in all."""
    widths, shares = dominance_shares(dominance, stable_index)

    def slope(*samples: np.ndarray) -> float:
        return loglog_slope(widths, np.array([np.median(s) for s in samples]))

    return Estimate(slope(*shares), bootstrap_interval(slope, shares), int(sum(len(s) for s in shares)))


def fractional_slopes(fractional_roughness: pd.DataFrame) -> dict[float, float]:
    """Log-log slope of E[(f(x + delta) - f(x))^2] against delta, per set roughness exponent eta."""
    return {
        float(exponent): loglog_slope(rows["delta"], rows["mean_sq_increment"])
        for exponent, rows in fractional_roughness.groupby("roughness_exponent", sort=True)
    }
