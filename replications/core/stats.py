"""Small statistics shared by the groups' claims and figures: log-log slopes and the 95 % intervals of claims v2.

Which interval, by what the measurement rests on (claims contract, DESIGN.md):
- a statistic computed once per seed: `t_interval` over the per-seed values, mean +- t_{n-1, 0.975} s / sqrt(n).
  With few seeds a percentile bootstrap undercovers badly (about 48 % coverage at n = 2, 79 % at n = 4); the
  Student-t interval is exact for Gaussian per-seed values and is wide when n is small, as it should be;
- a statistic of the seeds' means that is not a per-seed value (a log-log slope through the means, a ratio of means,
  a largest ratio of means over layers, a largest gap of a mean curve): `jackknife_estimate` (`jackknife_interval`
  over the seeds, around the statistic itself). The Student-t interval over the statistic computed within each seed
  estimates another quantity (one seed's noise raises a maximum; per-seed slopes average to the slope through the
  geometric means) and can exclude the estimate (the muP coordinate check under Adam did: 1.031 in [1.047, 1.116]);
- a statistic of pooled draws (initializations, test points, particles): `bootstrap_interval`, BCa where every
  sample has at least 8 draws (its acceleration from a delete-a-group jackknife when a sample is large), the
  percentile interval below that;
- a proportion of independent trials (seeds that converged, test points classified right): `wilson_interval`,
  which keeps its coverage at 0/n and n/n where a bootstrap collapses to a point;
- a log-log slope through points with known standard errors: `slope_interval_from_errors` (the delta method);
- the Kolmogorov-Smirnov distance of draws to a fixed law: `ks_interval`, from the Dvoretzky-Kiefer-Wolfowitz
  inequality. A bootstrap fails there: a resample's empirical CDF adds its own noise, so nearly every replicate
  exceeds the estimate, and BCa's bias correction then puts the interval at the lowest replicates (for Neal's
  Gaussian limit at H = 10 000 it gave [0.0051, 0.0063] around 0.0063).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from replications.core.claims import Estimate

LEVEL = 0.95
BOOTSTRAP_RESAMPLES = 2000
JACKKNIFE_GROUPS = 100  # a larger sample's jackknife deletes one of this many groups at a time
BCA_MIN_DRAWS = 8

Interval = tuple[float, float]


def loglog_slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of log y against log x (a power law y ~ x^slope). NaN if any y <= 0."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if len(x) < 2 or np.any(y <= 0) or np.any(x <= 0):
        return float("nan")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def mean_loglog_slope(table: pd.DataFrame, column: str, by: str = "width") -> float:
    """`loglog_slope` of `column` averaged over the rows of each value of `by` (seeds, initializations)."""
    means = table.groupby(by)[column].mean()
    return loglog_slope(means.index.to_numpy(), means.to_numpy())


def per_seed_loglog_slopes(table: pd.DataFrame, column: str, by: str = "width", seed: str = "seed") -> np.ndarray:
    """`loglog_slope` of `column` against `by` within each seed: one slope per seed, in seed order."""
    return np.array([loglog_slope(rows[by], rows[column]) for _, rows in table.sort_values(by).groupby(seed)])


def mean_loglog_slope_estimate(table: pd.DataFrame, column: str, by: str = "width") -> Estimate:
    """`mean_loglog_slope`, the slope through the means over seeds, with the jackknife's interval over the seeds
    (`jackknife_estimate`; n: the seeds). The mean of the per-seed slopes is the slope through the seeds' geometric
    means, another quantity: a Student-t interval over them is not centred on this slope."""
    return jackknife_estimate(table, lambda rows: mean_loglog_slope(rows, column, by=by))


def relative_frobenius_error(estimate: np.ndarray, reference: np.ndarray) -> float:
    """||estimate - reference||_F / ||reference||_F."""
    return float(np.linalg.norm(estimate - reference) / np.linalg.norm(reference))


def t_interval(values: Sequence[float], level: float = LEVEL) -> Interval | None:
    """mean +- t_{n-1} s / sqrt(n) over per-seed values; None with fewer than two finite values."""
    values = np.asarray(values, np.float64)
    values = values[np.isfinite(values)]
    if len(values) < 2:
        return None
    half = stats.t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return float(values.mean() - half), float(values.mean() + half)


def jackknife_interval(
    estimate: float, leave_one_out: Sequence[float], level: float = LEVEL, lowest: float = -np.inf
) -> Interval | None:
    """estimate +- t_{n-1} se around a statistic of n groups (seeds), with the jackknife's standard error
    se^2 = (n - 1)/n sum_i (theta_(i) - mean_j theta_(j))^2 of its leave-one-out values theta_(i) (the statistic of
    every group but i); the lower end no lower than `lowest`, the least value the statistic can take. For the mean
    over groups it is `t_interval` exactly, for a smooth function of the groups' means (a ratio of means) that
    interval's delta-method extension, and it always holds the estimate. A maximum over layers of max(q, 1/q) is not
    smooth where every q = 1 (what muP predicts): there it covers less than `level` (tests/test_stats.py: 86 % at 4
    seeds, nominal 95 %). None with fewer than two groups or a non-finite value."""
    values = np.asarray(leave_one_out, np.float64)
    if len(values) < 2 or not np.isfinite(estimate) or not np.all(np.isfinite(values)):
        return None
    n = len(values)
    half = stats.t.ppf(0.5 + level / 2, n - 1) * np.sqrt((n - 1) / n * np.sum((values - values.mean()) ** 2))
    return float(max(estimate - half, lowest)), float(estimate + half)


def jackknife_estimate(
    table: pd.DataFrame, statistic: Callable[[pd.DataFrame], float], group: str = "seed", lowest: float = -np.inf
) -> Estimate:
    """statistic(table), a statistic of the means over the table's `group`s (seeds, trials), with
    `jackknife_interval` over them: the statistic recomputed on the table with each group's rows left out; `lowest`:
    the least value the statistic can take. No interval from one group, which leaves none to recompute it on, nor
    where the statistic with some group left out is not finite (a per-group Student-t interval would drop that group
    instead)."""
    groups = table[group].unique()
    estimate = statistic(table)
    if len(groups) < 2:
        return Estimate(estimate, None, len(groups))
    leave_one_out = [statistic(table[table[group] != g]) for g in groups]
    return Estimate(estimate, jackknife_interval(estimate, leave_one_out, lowest=lowest), len(groups))


def ks_interval(distance: float, n: int, level: float = LEVEL) -> Interval | None:
    """The interval for d = sup_t |F(t) - G(t)|, the KS distance of the law F that drew `n` independent samples to a
    fixed law G, around their empirical distance D_n = sup_t |F_n(t) - G(t)|. |D_n - d| <= sup_t |F_n(t) - F(t)|
    (the triangle inequality), and P(sup_t |F_n - F| > eps) <= 2 exp(-2 n eps^2) for every F, continuous or not
    (Dvoretzky-Kiefer-Wolfowitz, with Massart's 1990 constant), so [max(0, D_n - eps), D_n + eps] with
    eps = sqrt(ln(2 / (1 - level)) / (2 n)) covers d with probability at least `level` (0.0136 at n = 10 000).
    None when the distance is not finite (as `bootstrap_interval`)."""
    if n < 1:
        raise ValueError(f"the KS interval needs n >= 1 draws, got {n}")
    if not np.isfinite(distance):
        return None
    eps = float(np.sqrt(np.log(2 / (1 - level)) / (2 * n)))
    return max(0.0, distance - eps), distance + eps


def normal_interval(estimate: float, standard_error: float, level: float = LEVEL) -> Interval:
    """estimate +- z standard_error (an asymptotically normal estimate of known standard error)."""
    half = stats.norm.ppf(0.5 + level / 2) * standard_error
    return float(estimate - half), float(estimate + half)


def wilson_interval(successes: int, trials: int, level: float = LEVEL) -> Interval:
    """Wilson's score interval of a binomial proportion."""
    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / trials
    centre = (p + z**2 / (2 * trials)) / (1 + z**2 / trials)
    half = z / (1 + z**2 / trials) * np.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2))
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # the bounds are exactly 0 and 1 at the edges
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return float(low), float(high)


def slope_interval_from_errors(x: np.ndarray, y: np.ndarray, standard_error: np.ndarray, level: float = LEVEL):
    """Interval of the least-squares slope of log y against log x when each y_i carries an independent standard error:
    the slope is sum_i c_i log y_i, so its variance is sum_i c_i^2 (se_i / y_i)^2 (the delta method)."""
    log_x = np.log(np.asarray(x, np.float64))
    centred = log_x - log_x.mean()
    weights = centred / np.sum(centred**2)
    relative = np.asarray(standard_error, np.float64) / np.asarray(y, np.float64)
    return normal_interval(loglog_slope(x, y), float(np.sqrt(np.sum(weights**2 * relative**2))), level)


def _jackknife(statistic: Callable[..., float], samples: list[np.ndarray], k: int) -> np.ndarray:
    """Delete-a-group jackknife values of `statistic` over sample k (groups of consecutive draws)."""
    sample = samples[k]
    groups = np.array_split(np.arange(len(sample)), min(len(sample), JACKKNIFE_GROUPS))
    values = []
    for group in groups:
        kept = np.delete(sample, group, axis=0)
        values.append(statistic(*(kept if j == k else s for j, s in enumerate(samples))))
    return np.asarray(values, np.float64)


def _acceleration(statistic: Callable[..., float], samples: list[np.ndarray]) -> float:
    """BCa's acceleration from the (grouped) jackknife of each sample, summed over samples as in
    scipy.stats.bootstrap: a = sum U^3 / (6 (sum U^2)^(3/2)), U = (g - 1)(mean jackknife - jackknife value) / g."""
    numerator, denominator = 0.0, 0.0
    for k in range(len(samples)):
        jack = _jackknife(statistic, samples, k)
        g = len(jack)
        u = (g - 1) * (jack.mean() - jack)
        numerator += np.sum(u**3) / g**3
        denominator += np.sum(u**2) / g**2
    return float(numerator / (6 * denominator**1.5)) if denominator > 0 else 0.0


def bootstrap_interval(
    statistic: Callable[..., float],
    samples: Sequence[np.ndarray],
    *,
    level: float = LEVEL,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> Interval | None:
    """The bootstrap interval of statistic(*samples), each sample resampled independently along its first axis:
    BCa (Efron 1987) when every sample has at least 8 draws, else the percentile interval. A fixed seed, so the
    same tables give the same interval. None when the statistic is not finite."""
    samples = [np.asarray(s) for s in samples]
    estimate = statistic(*samples)
    if not np.isfinite(estimate):
        return None
    rng = np.random.default_rng(seed)
    replicates = np.array(
        [statistic(*(s[rng.integers(0, len(s), len(s))] for s in samples)) for _ in range(resamples)], np.float64
    )
    replicates = replicates[np.isfinite(replicates)]
    tails = np.array([0.5 - level / 2, 0.5 + level / 2])
    if min(len(s) for s in samples) >= BCA_MIN_DRAWS:
        below = np.mean(replicates < estimate) + 0.5 * np.mean(replicates == estimate)
        bias = stats.norm.ppf(np.clip(below, 1 / resamples, 1 - 1 / resamples))
        accel = _acceleration(statistic, samples)
        z = stats.norm.ppf(tails)
        tails = stats.norm.cdf(bias + (bias + z) / (1 - accel * (bias + z)))
    low, high = np.quantile(replicates, tails)
    return float(low), float(high)
