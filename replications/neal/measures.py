"""What the Neal claims measure, computed from the results tables; the figures show the same numbers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from replications.core.stats import loglog_slope, relative_frobenius_error
from replications.neal.limits import cauchy_limit_cdf, gaussian_limit_sd, ks_distance, matched_gaussian


def kurtosis_slope(kurtosis: pd.DataFrame) -> float:
    """Log-log slope of the measured excess kurtosis of f(x0) against H (theory: -1)."""
    return loglog_slope(kurtosis["hidden_units"], kurtosis["excess_kurtosis"])


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


def ks_distances(arrays: Mapping[str, np.ndarray], config: Mapping[str, Any]) -> dict[str, float]:
    """KS distances of the wide-net draws of f(x0) to their limit laws and to the matched Gaussian."""
    laws = limit_laws(arrays, config)
    nobias = arrays["cauchy_wide_nobias"]
    return {
        "gaussian_limit": ks_distance(arrays["gaussian_wide"], laws["gaussian"]),
        "cauchy_limit": ks_distance(arrays["cauchy_wide"], laws["cauchy"]),
        "cauchy_vs_gaussian": ks_distance(nobias, matched_gaussian(nobias).cdf),
    }


def covariance_error(covariance: pd.DataFrame) -> float:
    """Relative Frobenius error of the empirical covariance matrix against the analytic kernel."""
    size = int(covariance["i"].max()) + 1
    empirical = covariance.sort_values(["i", "j"])["empirical"].to_numpy().reshape(size, size)
    analytic = covariance.sort_values(["i", "j"])["analytic"].to_numpy().reshape(size, size)
    return relative_frobenius_error(empirical, analytic)


def roughness_slopes(roughness: pd.DataFrame) -> dict[str, float]:
    """Log-log slope of E[(f(x + delta) - f(x))^2] against delta, per activation."""
    return {
        activation: loglog_slope(rows["delta"], rows["mean_sq_increment"])
        for activation, rows in roughness.groupby("activation", sort=False)
    }
