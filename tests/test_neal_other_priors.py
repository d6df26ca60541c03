"""Neal's other priors: the alpha-stable sampler against its characteristic function, the largest-unit share on
samples with known answers, the fractional Brownian construction's roughness exponent, two hidden layers."""

import math

import jax
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from replications.core.stats import loglog_slope
from replications.neal import fractional, two_hidden_layers
from replications.neal.measures import dominance_slope_estimate, largest_unit_share, median_interval
from replications.neal.prior import Prior, sample_at_point, sample_functions, symmetric_stable

KEY = jax.random.key(0)


@pytest.mark.parametrize("index", [0.5, 1.0, 1.5, 2.0])
def test_stable_sampler_has_the_closed_form_characteristic_function(index):
    """E exp(i t X) = exp(-|t|^alpha): the empirical CF of 200 000 draws (standard error < 0.0016) at a few t."""
    x = np.asarray(symmetric_stable(KEY, index, (200_000,)), np.float64)
    assert np.all(np.isfinite(x))
    for t in (0.3, 1.0, 2.5):
        assert np.mean(np.cos(t * x)) == pytest.approx(math.exp(-(t**index)), abs=0.008)
        assert abs(np.mean(np.sin(t * x))) < 0.008  # symmetric


def test_stable_sampler_special_cases():
    x = np.asarray(symmetric_stable(KEY, 1.0, (100_000,)), np.float64)
    assert stats.kstest(x, stats.cauchy.cdf).pvalue > 1e-3
    x = np.asarray(symmetric_stable(KEY, 2.0, (100_000,)), np.float64)
    assert stats.kstest(x, stats.norm(scale=math.sqrt(2)).cdf).pvalue > 1e-3


def test_stable_output_weights_scale_and_one_point_sampler():
    prior = Prior(100, "tanh", "stable", output_weight_scale=2.0, stable_index=1.5)
    assert prior.output_weight_sd == pytest.approx(2.0 * 100 ** (-1 / 1.5))
    small = Prior(5, "tanh", "stable", output_bias_sd=0.5, stable_index=1.5)
    fast = sample_at_point(KEY, small, 1.0, 100_000)
    full = sample_functions(jax.random.key(1), small, np.array([[1.0]]), 100_000)[:, 0]
    assert stats.ks_2samp(fast, full).pvalue > 1e-3


def test_largest_unit_share_by_hand():
    contributions = np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, -5.0, 0.0], [-3.0, 1.0, 1.0, 1.0]])
    np.testing.assert_allclose(largest_unit_share(contributions), [0.25, 1.0, 0.5])
    np.testing.assert_allclose(np.asarray(largest_unit_share(jax.numpy.asarray(contributions))), [0.25, 1.0, 0.5])


def test_largest_unit_share_of_exponentials_has_the_largest_spacing_law():
    """For H iid Exp(1) magnitudes, max / sum is the largest of H uniform spacings:
    P(share <= s) = sum_k (-1)^k C(H, k) (1 - k s)_+^(H - 1). Its median must sit at probability 1/2."""
    width = 6
    share = largest_unit_share(np.random.default_rng(0).exponential(size=(100_000, width)))
    median = np.median(share)
    cdf = sum((-1) ** k * math.comb(width, k) * max(0.0, 1 - k * median) ** (width - 1) for k in range(width + 1))
    assert cdf == pytest.approx(0.5, abs=0.01)


def test_dominance_slope_of_an_exact_power_law():
    widths = np.array([10, 100, 1000])
    rows = [
        {"stable_index": 2.0, "hidden_units": h, "draw": d, "share": s / h}
        for h in widths
        for d, s in enumerate(np.linspace(1.0, 3.0, 9))
    ]
    estimate = dominance_slope_estimate(pd.DataFrame(rows), 2.0)
    assert estimate.value == pytest.approx(-1.0)
    assert estimate.n == 27


def test_median_interval_is_the_binomial_order_statistic_interval():
    """n = 9: P(Binomial(9, 1/2) <= 1) = 10/512 < 0.025 < P(<= 2) = 46/512, so the 95 % interval is (x_(2), x_(8))."""
    assert median_interval(np.arange(1.0, 10.0)) == (2.0, 8.0)


def test_fractional_prior_roughness_exponent():
    """Small sample: 300 nets of 2000 units; the slope of the mean squared increment over two decades of delta
    is near the set exponent eta = 1 + alpha (1.5 here)."""
    delta = np.logspace(-3, -1, 5)
    increments = fractional.sample_functions(
        KEY, delta, 300, hidden_units=2000, roughness_exponent=1.5, reference=0.0
    ).astype(np.float64)
    assert loglog_slope(delta, np.mean(increments**2, axis=0)) == pytest.approx(1.5, abs=0.15)


def test_fractional_prior_is_reproducible_and_rejects_bad_exponents():
    x = np.linspace(-1, 1, 5)
    a = fractional.sample_functions(KEY, x, 3, hidden_units=500, roughness_exponent=1.25)
    b = fractional.sample_functions(KEY, x, 5, hidden_units=500, roughness_exponent=1.25)[:3]
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="roughness_exponent"):
        fractional.sample_functions(KEY, x, 1, hidden_units=10, roughness_exponent=2.0)


def test_two_layer_gaussian_variance():
    """Gaussian v: Var f(x) = sigma_b^2 + omega_v^2 E[h2(x)^2] <= sigma_b^2 + omega_v^2 at every width, and the
    draws are finite and reproducible."""
    prior = two_hidden_layers.TwoLayerPrior(20, 30, "cauchy", "gaussian", output_bias_sd=0.5, output_weight_scale=1.0)
    f = two_hidden_layers.sample_functions(KEY, prior, np.array([0.3]), 400)[:, 0]
    assert np.all(np.isfinite(f))
    assert 0.25 < np.var(f) < 1.25 * 1.2
    np.testing.assert_array_equal(f[:5], two_hidden_layers.sample_functions(KEY, prior, np.array([0.3]), 5)[:, 0])
    with pytest.raises(ValueError, match="unknown weight prior"):
        two_hidden_layers.sample_functions(KEY, prior._replace(hidden_prior="laplace"), np.array([0.3]), 1)
