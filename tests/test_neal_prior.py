"""Neal's prior: scaling conventions, the exact one-point sampler against the full network, the finite-H
kurtosis formula, the analytic covariance, and reproducibility."""

import jax
import numpy as np
import pytest
from scipy import stats

from replications.core.stats import ks_interval, loglog_slope
from replications.neal.experiments import excess_kurtosis, limit_covariance
from replications.neal.limits import (
    cauchy_limit_cdf,
    cauchy_vs_matched_gaussian_ks,
    ks_distance,
    matched_gaussian,
    matched_gaussian_cdf,
)
from replications.neal.measures import ks_distances, ks_estimates
from replications.neal.prior import Prior, excess_kurtosis_exact, hidden_moments, sample_at_point, sample_functions

KEY = jax.random.key(0)
X0 = np.array([[1.0]])


def test_output_weight_scaling_with_width():
    assert Prior(100, output_prior="gaussian", output_weight_scale=2.0).output_weight_sd == pytest.approx(0.2)
    assert Prior(100, output_prior="cauchy", output_weight_scale=2.0).output_weight_sd == pytest.approx(0.02)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hidden_units", 0, "hidden_units"),
        ("activation", "relu", "unknown activation"),
        ("output_prior", "laplace", "unknown output_prior"),
        ("input_weight_sd", -1.0, "input_weight_sd"),
    ],
)
def test_bad_prior_is_rejected(field, value, message):
    with pytest.raises(ValueError, match=message):
        Prior(10)._replace(**{field: value}).check()


def test_single_unit_by_hand():
    """H = 1, no bias: f(x) = v h(a + u x) with v ~ N(0, omega^2): the variance at x is omega^2 E h(z)^2."""
    prior = Prior(1, "step", "gaussian", input_weight_sd=1.0, hidden_bias_sd=1.0, output_bias_sd=0.0)
    f = sample_functions(KEY, prior, X0, 20000)[:, 0]
    # step units: h^2 = 1, so f ~ N(0, omega^2) exactly
    assert stats.kstest(f, stats.norm.cdf).pvalue > 1e-3


@pytest.mark.parametrize("output_prior", ["gaussian", "cauchy"])
def test_one_point_sampler_has_the_network_law(output_prior):
    prior = Prior(5, "tanh", output_prior, output_bias_sd=0.5)
    fast = sample_at_point(KEY, prior, 1.0, 100_000)
    full = sample_functions(jax.random.key(1), prior, X0, 100_000)[:, 0]
    assert stats.ks_2samp(fast, full).pvalue > 1e-3


def test_kurtosis_formula_matches_simulation_at_small_width():
    prior = Prior(3, "tanh", "gaussian", output_bias_sd=0.0)
    f = sample_at_point(KEY, prior, 1.0, 1_000_000)
    measured, standard_error = excess_kurtosis(f)
    predicted = excess_kurtosis_exact(prior, 1.0)
    assert abs(measured - predicted) < 4 * standard_error
    assert standard_error < predicted / 10


def test_kurtosis_decays_as_one_over_width():
    widths = [1, 2, 4, 8]
    predicted = [excess_kurtosis_exact(Prior(h, "tanh", output_bias_sd=0.3), 1.0) for h in widths]
    assert loglog_slope(np.array(widths), np.array(predicted)) == pytest.approx(-1.0)


def test_step_moments_are_exact():
    moments = hidden_moments(Prior(1, "step"), 1.0)
    assert moments == pytest.approx({"m1": 1.0, "m2": 1.0, "m4": 1.0})


def test_limit_covariance_is_the_empirical_covariance():
    """Gaussian v: the covariance is exact at every H, so a small net with many draws must match it."""
    theta = np.linspace(0, np.pi, 5)
    x = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    prior = Prior(50, "erf", "gaussian", output_bias_sd=0.5)
    f = sample_functions(KEY, prior, x, 40_000).astype(np.float64)
    empirical = np.cov(f, rowvar=False)
    analytic = limit_covariance(x, prior)
    assert np.linalg.norm(empirical - analytic) / np.linalg.norm(analytic) < 0.03


def test_erf_limit_covariance_closed_form():
    x = np.array([[0.3, -0.2], [1.0, 0.5]])
    prior = Prior(1, "erf", output_bias_sd=0.7, output_weight_scale=1.3, input_weight_sd=0.9, hidden_bias_sd=0.4)
    s = prior.hidden_bias_sd**2 + prior.input_weight_sd**2 * x @ x.T
    arcsine = 2 / np.pi * np.arcsin(2 * s / np.sqrt(np.outer(1 + 2 * np.diag(s), 1 + 2 * np.diag(s))))
    expected = prior.output_bias_sd**2 + prior.output_weight_scale**2 * arcsine
    np.testing.assert_allclose(limit_covariance(x, prior), expected, rtol=1e-10)


def test_cauchy_limit_cdf():
    t = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(cauchy_limit_cdf(t, 0.7, 0.0), stats.cauchy(scale=0.7).cdf(t), atol=1e-12)
    # with a Gaussian bias the law is symmetric and wider than the bare Cauchy in the centre
    with_bias = cauchy_limit_cdf(t, 0.7, 1.0)
    np.testing.assert_allclose(with_bias + with_bias[::-1], 1.0, atol=1e-12)
    assert with_bias[6] < stats.cauchy(scale=0.7).cdf(t[6])


def test_matched_gaussian_of_cauchy_is_far_from_it():
    samples = stats.cauchy.rvs(size=200_000, random_state=np.random.default_rng(0))
    gauss = matched_gaussian(samples)
    assert gauss.std() == pytest.approx(1 / stats.norm.ppf(0.75), rel=0.02)
    assert cauchy_vs_matched_gaussian_ks() == pytest.approx(0.081, abs=0.001)


@pytest.mark.parametrize("n", [1, 2, 9, 1000])
def test_ks_distance_is_scipys_statistic_bit_for_bit(n):
    rng = np.random.default_rng(n)
    for draws in (rng.standard_cauchy(n), rng.normal(size=n), np.round(rng.normal(size=n), 1)):
        assert ks_distance(draws, stats.norm.cdf) == stats.kstest(draws, stats.norm.cdf).statistic
        if n > 1:
            fast, frozen = matched_gaussian_cdf(draws), matched_gaussian(draws).cdf
            np.testing.assert_array_equal(fast(draws), frozen(draws))
            assert ks_distance(draws, fast) == stats.kstest(draws, frozen).statistic
    no_spread = np.array([0.0, 0.0, 0.0, 0.0, 1.0])  # IQR 0: no matched Gaussian, a NaN distance either way
    with np.errstate(divide="ignore", invalid="ignore"):
        assert np.isnan(ks_distance(no_spread, matched_gaussian_cdf(no_spread)))
        assert np.isnan(stats.kstest(no_spread, matched_gaussian(no_spread).cdf).statistic)
    with pytest.raises(ValueError, match="at least one"):
        ks_distance(np.array([]), stats.norm.cdf)


def test_ks_estimates_give_dkw_to_a_fixed_law_and_bca_to_the_matched_gaussian():
    rng = np.random.default_rng(0)
    arrays = {
        "hidden_m2": np.array(0.5), "hidden_m1": np.array(0.6), "gaussian_wide": rng.normal(0, 1.2, 400),
        "cauchy_wide": rng.standard_cauchy(400), "cauchy_wide_nobias": rng.standard_cauchy(400),
    }  # fmt: skip
    config = {"output_bias_sd": 1.0, "output_weight_scale": 1.0, "cauchy_output_bias_sd": 1.0}
    estimates, distances = ks_estimates(arrays, config), ks_distances(arrays, config)
    for name in ("gaussian_limit", "cauchy_limit"):
        assert estimates[name].ci == ks_interval(distances[name], 400) and estimates[name].n == 400
    matched = estimates["cauchy_vs_gaussian"]
    assert matched.value == distances["cauchy_vs_gaussian"] and matched.ci != ks_interval(matched.value, 400)
    assert matched.ci[0] < matched.value < matched.ci[1]


def test_samples_are_reproducible_and_independent_of_chunking():
    prior = Prior(2500, "tanh", "cauchy")
    x = np.linspace(-1, 1, 7)[:, None]
    a = sample_functions(KEY, prior, x, 5)
    b = sample_functions(KEY, prior, x, 12)[:5]
    np.testing.assert_array_equal(a, b)


def test_increments_equal_differences_of_the_function():
    prior = Prior(3000, "tanh", "gaussian")
    x, delta = np.array([0.2]), np.array([0.01, 0.1])
    f = sample_functions(KEY, prior, np.array([[0.2], [0.21], [0.3]]), 4).astype(np.float64)
    increments = sample_functions(KEY, prior, x + delta[:, None], 4, reference_D=x)
    np.testing.assert_allclose(increments, f[:, 1:] - f[:, :1], atol=2e-4)
