"""The exact tanh kernel by the Hermite series (`core.kernels.hermite`, used by `core.sphere` for equal-norm inputs):
against the general quadrature, against an independent iteration of the correlation map on a collapsed pair, and
against the paper's lattice there."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from replications.core import sphere
from replications.core.kernels import (
    PAPER_GRID,
    LatticeGrid,
    activation_moments,
    activation_second_moment,
    fc_kernel,
)
from replications.core.kernels.hermite import MAX_VARIANCE, equal_variance_layer, series_coefficients
from replications.core.sphere import angle_interpolation, angular_kernels, input_angles, kernel_from_angles

RNG = np.random.default_rng(3)


def _series(activation: str, var: float, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(E[phi(u) phi(v)], E[phi'(u) phi'(v)], E[phi^2]) by the series at variance var and correlations rho."""
    with jax.enable_x64(True):
        rho = jnp.asarray(rho, jnp.float64)
        second, distance, dphi = equal_variance_layer(activation)(jnp.float64(var), var * (1 - rho), jnp.ones_like(rho))
        return np.asarray(second - distance), np.asarray(dphi), float(second)


@pytest.mark.parametrize("var", [0.05, 1.0, 4.0, MAX_VARIANCE])
def test_series_matches_the_general_quadrature(var):
    rho = np.array([-0.95, -0.3, 0.0, 0.5, 0.9, 0.999, 0.99999])
    phi, dphi, second = _series("tanh", var, rho)
    ref_phi, ref_dphi = activation_moments("tanh", [var], (rho * var)[None, :], np.full(rho.size, var))
    np.testing.assert_allclose(phi, ref_phi[0], rtol=0, atol=1e-10 * second)
    np.testing.assert_allclose(dphi, ref_dphi[0], rtol=1e-7)


def test_series_coefficients_sum_to_the_second_moment_and_tanh_is_odd():
    with jax.enable_x64(True):
        c = np.asarray(series_coefficients("tanh", jnp.float64(2.0)))
    z, w = np.polynomial.hermite_e.hermegauss(200)  # itself good to ~1e-11 only: tanh's poles slow Gauss-Hermite
    assert c.sum() == pytest.approx(np.sum(w * np.tanh(np.sqrt(2.0) * z) ** 2) / w.sum(), rel=1e-10)
    assert c.sum() == pytest.approx(activation_second_moment("tanh", [2.0])[0], rel=1e-10)
    assert np.max(c[0::2]) < 1e-28  # even Hermite coefficients of an odd function vanish


def test_angular_series_matches_fc_kernel_and_the_general_path():
    x = RNG.normal(size=(12, 20))
    x /= np.sqrt(np.sum(x * x, axis=1, keepdims=True) / 20)
    kernels = angular_kernels("tanh", [0.7, 2.5], [0.1, 0.8], [1, 3])
    at = angle_interpolation(input_angles(x), len(kernels.theta_A))
    for s, (weight_var, bias_var) in enumerate([(0.7, 0.1), (2.5, 0.8)]):
        direct = fc_kernel(x, depth=3, activation="tanh", weight_var=weight_var, bias_var=bias_var)
        for approx, exact in ((kernels.nngp_SxLxA, direct.nngp), (kernels.ntk_SxLxA, direct.ntk)):
            read = kernel_from_angles(at, approx[s, 1])
            assert np.max(np.abs(read - exact)) / np.max(np.abs(exact)) < 1e-6
    # on the grid's own nodes (no interpolation) against the general quadrature's layers
    theta = np.linspace(0, np.pi, 33)
    args = ("tanh", np.array([0.7, 2.5]), np.array([0.1, 0.8]), (1, 3), "exact", theta, PAPER_GRID)
    series, general = sphere._compute(*args, True), sphere._compute(*args, False)
    for i in range(3):  # nngp, ntk, var
        assert np.max(np.abs(series[i] - general[i]) / np.abs(general[i]).max()) < 1e-8


def test_variances_beyond_the_series_range_fall_back_to_the_general_quadrature():
    kernels = angular_kernels("tanh", [0.5, 7.5], [0.1, 1.0], [2], angles=17)
    assert 7.5 + 1.0 > MAX_VARIANCE  # the first layer's variance: outside the series' range
    theta = np.linspace(0, np.pi, 17)
    general = sphere._compute("tanh", np.array([7.5]), np.array([1.0]), (2,), "exact", theta, PAPER_GRID, False)
    np.testing.assert_array_equal(kernels.nngp_SxLxA[1], general[0][0])


def _correlation_map_reference(weight_var: float, bias_var: float, theta: float, depth: int) -> float:
    """1 - c after `depth` layers by an independent route: 2-D Gauss-Hermite in numpy, with 1 - c carried as
    (1/2) E[(tanh(u) - tanh(v))^2] / q so that it keeps its relative precision."""
    z, w = np.polynomial.hermite_e.hermegauss(120)
    w = w / w.sum()
    z1, z2 = np.meshgrid(z, z, indexing="ij")
    w2 = np.outer(w, w)
    q = bias_var + weight_var
    distance = weight_var * 2 * np.sin(theta / 2) ** 2
    for _ in range(depth):
        eps = distance / q  # 1 - rho
        a, b = np.sqrt(q * (1 - eps / 2)), np.sqrt(q * eps / 2)  # u, v = a z1 +- b z2: corr 1 - eps
        half_gap = np.tanh(a * z1 + b * z2) - np.tanh(a * z1 - b * z2)
        distance = weight_var * 0.5 * np.sum(w2 * half_gap**2)
        q = bias_var + weight_var * np.sum(w * np.tanh(np.sqrt(q) * z) ** 2)
    return distance / q


def test_collapsed_pair_exact_map_against_the_lattice(tmp_path, monkeypatch):
    """tanh, weight_var 0.1, bias_var 0.5, depth 5 (the ordered corner of Fig 4): the exact kernel's 1 - c is
    ~1e-7 and still orders the pairs by their input angle; the lattice reads every pair at its clamp c = 0.99999
    and gives them all one value (its kernel is a constant plus the diagonal)."""
    theta = np.array([np.pi / 8, np.pi / 4, np.pi / 2, 3 * np.pi / 4])
    args = ("tanh", np.array([0.1]), np.array([0.5]), (5,))
    exact = sphere._compute(*args, "exact", theta, PAPER_GRID, True)
    exact_1mc = exact[4][0, 0] / exact[2][0, 0]
    reference = [_correlation_map_reference(0.1, 0.5, t, 5) for t in theta]
    np.testing.assert_allclose(exact_1mc, reference, rtol=1e-8)
    assert np.all(exact_1mc < 1e-5) and np.all(exact_1mc > 1e-9) and np.all(np.diff(exact_1mc) > 0)
    monkeypatch.setenv("REPLICATIONS_CACHE", str(tmp_path))
    grid = LatticeGrid(n_gauss=301, n_var=101, max_var=10.0, n_corr=200)  # max_corr 0.99999 as the paper's
    lattice = sphere._compute(*args, "lattice", theta, grid, False)
    lattice_1mc = lattice[4][0, 0] / lattice[2][0, 0]
    assert np.ptp(lattice_1mc) == 0.0  # every pair alike: no information left
    assert np.all(np.abs(lattice_1mc - exact_1mc) > exact_1mc)  # off by more than the whole exact value


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="activation"):
        equal_variance_layer("no-such-activation")
    with pytest.raises(ValueError, match="non-negative"):
        angular_kernels("tanh", [-1.0], [0.1], [2])
