"""The limit laws of f(x0) as H -> infinity, and the distances the claims measure to them.

Gaussian v:  f(x0) -> N(0, sigma_b^2 + omega_v^2 E[h^2]).
Cauchy v:    sum_j v_j h_j = Cauchy(0, (omega_v / H) sum_j |h_j|) -> Cauchy(0, gamma), gamma = omega_v E|h|, so
             f(x0) -> Cauchy(0, gamma) * N(0, sigma_b^2) (a Voigt law; * is convolution).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import special, stats

_BIAS_NODES = 101


def gaussian_limit_sd(output_bias_sd: float, output_weight_scale: float, hidden_m2: float) -> float:
    """Standard deviation of the Gaussian limit: sqrt(sigma_b^2 + omega_v^2 E h^2)."""
    return math.sqrt(output_bias_sd**2 + output_weight_scale**2 * hidden_m2)


def cauchy_limit_cdf(t: np.ndarray, gamma: float, output_bias_sd: float) -> np.ndarray:
    """CDF of Cauchy(0, gamma) convolved with N(0, sigma_b^2): E_b[1/2 + arctan((t - b) / gamma) / pi].

    The expectation over the bias b ~ N(0, sigma_b^2) is Gauss-Hermite quadrature (exact for sigma_b = 0).
    """
    z_Q, w_Q = hermegauss(_BIAS_NODES)
    w_Q = w_Q / w_Q.sum()
    t_TxQ = np.asarray(t, np.float64)[..., None] - output_bias_sd * z_Q
    return np.sum(w_Q * (0.5 + np.arctan(t_TxQ / gamma) / np.pi), axis=-1)


_IQR_PER_SD = 2 * stats.norm.ppf(0.75)  # 1.349: the standard Gaussian's interquartile range


def matched_gaussian(samples: np.ndarray) -> stats.rv_continuous:
    """The Gaussian with the samples' median and interquartile range (IQR = 2 * 0.6745 sd)."""
    median, sd = _median_and_iqr_sd(samples)
    return stats.norm(loc=median, scale=sd)


def matched_gaussian_cdf(samples: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """`matched_gaussian(samples).cdf` without building a scipy distribution (the same values, bit for bit: Phi of
    (t - median) / sd), for statistics evaluated once per bootstrap resample. Samples whose IQR is 0 have no matched
    Gaussian: scipy's CDF is NaN everywhere, this one NaN at the median only; the KS distance is NaN with either."""
    median, sd = _median_and_iqr_sd(samples)
    return lambda t: special.ndtr((np.asarray(t, np.float64) - median) / sd)


def _median_and_iqr_sd(samples: np.ndarray) -> tuple[float, float]:
    q1, median, q3 = np.quantile(samples, [0.25, 0.5, 0.75])
    return median, (q3 - q1) / _IQR_PER_SD


def ks_distance(samples: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    """Kolmogorov-Smirnov distance sup_t |F_n(t) - F(t)| between the samples' empirical CDF and the continuous
    `cdf`: over the sorted samples x_(1) <= ... <= x_(n), max_i max(i/n - F(x_(i)), F(x_(i)) - (i-1)/n), the
    statistic of `scipy.stats.kstest` (same operations, same bits) without its p-value, which costs more than the
    statistic and which a bootstrap over the statistic never reads."""
    x_N = np.sort(np.asarray(samples, np.float64))
    n = len(x_N)
    if n == 0:
        raise ValueError("the KS distance needs at least one sample")
    cdf_N = cdf(x_N)
    above = (np.arange(1.0, n + 1) / n - cdf_N).max()
    below = (cdf_N - np.arange(0.0, n) / n).max()
    return float(max(above, below))


def cauchy_vs_matched_gaussian_ks() -> float:
    """The theoretical KS distance between a Cauchy law and the Gaussian with its median and IQR (~0.08)."""
    t = np.linspace(-50, 50, 200001)
    gauss = stats.norm(scale=1 / stats.norm.ppf(0.75))
    return float(np.max(np.abs(stats.cauchy.cdf(t) - gauss.cdf(t))))
