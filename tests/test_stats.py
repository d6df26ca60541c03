"""The interval helpers of claims v2: coverage at the sample sizes the claims use, on problems with known answers."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from replications.core.stats import (
    bootstrap_interval,
    jackknife_interval,
    ks_interval,
    loglog_slope,
    mean_loglog_slope_estimate,
    per_seed_loglog_slopes,
    slope_interval_from_errors,
    t_interval,
    wilson_interval,
)


def test_t_interval_covers_a_synthetic_slope_at_n4():
    """Four seeds, each a noisy power law y = c x^-0.5: the per-seed slopes' Student-t interval covers -0.5 in at
    least 90 % of 1000 repetitions (nominal 95 %)."""
    rng = np.random.default_rng(0)
    widths = 2.0 ** np.arange(6, 13)
    covered = 0
    for _ in range(1000):
        slopes = [loglog_slope(widths, widths**-0.5 * np.exp(rng.normal(0, 0.3, widths.size))) for _ in range(4)]
        low, high = t_interval(slopes)
        covered += low <= -0.5 <= high
    assert covered >= 900


def test_t_interval_is_the_textbook_formula():
    values = [1.0, 2.0, 4.0]
    low, high = t_interval(values)
    half = scipy_stats.t.ppf(0.975, 2) * np.std(values, ddof=1) / np.sqrt(3)
    assert low == pytest.approx(np.mean(values) - half) and high == pytest.approx(np.mean(values) + half)
    assert t_interval([1.0]) is None and t_interval([1.0, float("nan")]) is None


def test_jackknife_of_the_mean_is_the_t_interval():
    values = np.array([1.0, 2.0, 4.0, 3.5])
    leave_one_out = [np.delete(values, i).mean() for i in range(4)]
    assert jackknife_interval(values.mean(), leave_one_out) == pytest.approx(t_interval(values))
    assert jackknife_interval(1.0, [1.0]) is None and jackknife_interval(1.0, [1.0, float("nan")]) is None
    assert jackknife_interval(float("inf"), [1.0, 2.0]) is None


def _largest_ratio(a_SxL: np.ndarray, b_SxL: np.ndarray) -> float:
    """max over layers of max(q, 1/q), q = mean over seeds of a / mean over seeds of b (mup's coordinate check)."""
    q = a_SxL.mean(0) / b_SxL.mean(0)
    return float(np.max(np.maximum(q, 1 / q)))


def test_jackknife_covers_a_largest_ratio_of_means_where_per_seed_t_does_not():
    """Four seeds of three layers' |Delta h| at two widths (15 % noise a seed), true q = (1.1, 1.05, 0.97): the
    jackknife interval around the statistic of the seeds' means covers its true value 1.1 in at least 90 % of 1000
    repetitions (nominal 95 %). The Student-t interval over the statistic of each seed alone, which estimates
    something larger (one seed's noise raises a maximum of max(q, 1/q)), covers it in under 70 %. Where every q = 1
    (muP's prediction) the statistic has a kink and the jackknife covers less than nominal (about 86 %; at least
    80 % here), its lower end floored at 1, the least value of max(q, 1/q)."""
    rng = np.random.default_rng(0)
    for true_q, at_least in ((np.array([1.1, 1.05, 0.97]), 900), (np.ones(3), 800)):
        truth = np.max(np.maximum(true_q, 1 / true_q))
        jackknife = per_seed_t = 0
        for _ in range(1000):
            a, b = true_q * (1 + 0.15 * rng.standard_normal((4, 3))), 1 + 0.15 * rng.standard_normal((4, 3))
            leave_one_out = [_largest_ratio(np.delete(a, i, 0), np.delete(b, i, 0)) for i in range(4)]
            low, high = jackknife_interval(_largest_ratio(a, b), leave_one_out, lowest=1.0)
            jackknife += low <= truth <= high
            assert low >= 1.0
            low, high = t_interval([_largest_ratio(a[i : i + 1], b[i : i + 1]) for i in range(4)])
            per_seed_t += low <= truth <= high
        assert jackknife >= at_least and per_seed_t < 700, (truth, jackknife, per_seed_t)


def test_per_seed_slopes():
    import pandas as pd

    rows = [{"seed": s, "width": w, "y": (s + 1) * w ** -(0.5 + s)} for s in range(3) for w in (64, 128, 256)]
    assert per_seed_loglog_slopes(pd.DataFrame(rows), "y") == pytest.approx([-0.5, -1.5, -2.5])


def test_bootstrap_interval_covers_a_mean_and_matches_scipy_bca():
    rng = np.random.default_rng(1)
    covered = 0
    for _ in range(200):
        sample = rng.exponential(size=40)
        low, high = bootstrap_interval(np.mean, [sample], resamples=500, seed=int(rng.integers(1 << 30)))
        covered += low <= 1.0 <= high
    assert covered >= 0.88 * 200
    sample = rng.exponential(size=60)
    ours = bootstrap_interval(np.mean, [sample], resamples=4000)
    theirs = scipy_stats.bootstrap((sample,), np.mean, n_resamples=4000, method="BCa", random_state=0)
    assert ours == pytest.approx(tuple(theirs.confidence_interval), abs=0.03)


def test_bootstrap_interval_of_two_samples_and_small_samples():
    rng = np.random.default_rng(2)
    a, b = rng.normal(1.0, 1.0, 50), rng.normal(3.0, 1.0, 80)
    low, high = bootstrap_interval(lambda x, y: y.mean() - x.mean(), [a, b])
    assert low < 2.0 < high and high - low < 1.0
    low, high = bootstrap_interval(np.mean, [np.array([1.0, 2.0, 3.0])])  # percentile below 8 draws
    assert 1.0 <= low <= high <= 3.0
    assert bootstrap_interval(lambda x: float("nan"), [a]) is None


def test_wilson_interval_at_the_edges():
    low, high = wilson_interval(10, 10)
    assert high == 1.0 and 0.65 < low < 0.75  # 10 of 10: not the bootstrap's point [1, 1]
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and 0.25 < high < 0.35
    low, high = wilson_interval(2814, 3000)
    assert low < 0.938 < high and high - low < 0.02


def test_slope_interval_from_errors_covers_the_rate():
    rng = np.random.default_rng(3)
    x = np.array([1.0, 3.0, 10.0, 30.0, 100.0])
    truth = 6.0 / x
    se = 0.05 * truth
    covered = sum(
        low <= -1.0 <= high
        for low, high in (slope_interval_from_errors(x, truth + rng.normal(0, se), se) for _ in range(1000))
    )
    assert covered >= 920


def test_ks_interval_covers_the_distance_to_a_fixed_law():
    """DKW's interval covers the population KS distance: for draws of the law itself (distance 0) with probability
    P(D_n <= eps), exact from Kolmogorov's distribution, at least 95 % at every n; for a shifted law (distance
    0.119) in at least 95 % of 400 samples of 200 draws (its coverage is about 0.99)."""
    for n in (1, 2, 10, 200, 10_000):
        assert scipy_stats.kstwo.cdf(ks_interval(0.0, n)[1], n) >= 0.95
    rng = np.random.default_rng(0)
    distance = scipy_stats.norm.cdf(0.15) - scipy_stats.norm.cdf(-0.15)  # sup_t |Phi(t - 0.3) - Phi(t)|, at t = 0.15
    covered = 0
    for _ in range(400):
        low, high = ks_interval(scipy_stats.kstest(rng.normal(0.3, 1.0, 200), scipy_stats.norm.cdf).statistic, 200)
        covered += low <= distance <= high
    assert covered >= 0.95 * 400
    assert ks_interval(0.006, 10_000) == pytest.approx((0.0, 0.006 + 0.01358), abs=1e-5)
    assert ks_interval(float("nan"), 100) is None
    with pytest.raises(ValueError, match="n >= 1"):
        ks_interval(0.1, 0)


def test_mean_loglog_slope_estimate_covers_a_synthetic_slope_at_n4():
    """Four seeds of the noisy power law above: the slope through the means over seeds, with the jackknife's
    interval over the seeds, covers -0.5 in at least 90 % of 400 repetitions (nominal 95 %) and always holds its own
    value, which the per-seed slopes' Student-t interval need not."""
    rng = np.random.default_rng(1)
    widths = 2.0 ** np.arange(6, 13)
    covered = 0
    for _ in range(400):
        noise = np.exp(rng.normal(0, 0.3, (4, widths.size)))
        table = pd.DataFrame(
            {
                "width": np.tile(widths, 4),
                "seed": np.repeat(np.arange(4), widths.size),
                "y": (widths**-0.5 * noise).ravel(),
            }
        )
        estimate = mean_loglog_slope_estimate(table, "y")
        low, high = estimate.ci
        assert estimate.n == 4 and low <= estimate.value <= high
        covered += low <= -0.5 <= high
    assert covered >= 360
