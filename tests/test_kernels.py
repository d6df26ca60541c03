"""Tests of replications.core.kernels: closed forms, quadrature, Monte Carlo against wide finite nets, the lattice."""

from __future__ import annotations

import functools
import itertools
import math
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate, special

from replications.core import kernels
from replications.core.kernels import (
    LatticeGrid,
    activation_moments,
    activation_second_moment,
    fc_kernel,
    lattice,
    moments,
)

WEIGHT_VAR, BIAS_VAR, DEPTH = 1.6, 0.1, 2
PHI = {"relu": jax.nn.relu, "erf": jax.scipy.special.erf, "tanh": jnp.tanh}
# A table small enough to build in a second, fine enough for ~1e-3 agreement at variances of order one.
SMALL_GRID = LatticeGrid(n_gauss=301, n_var=101, max_var=10.0, n_corr=200)


@pytest.fixture(scope="module")
def x_PxD() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(6, 5))


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


# ---------------------------------------------------------------------------------------------------------------
# Closed forms and quadrature
# ---------------------------------------------------------------------------------------------------------------


def test_relu_depth_one_on_identical_inputs_is_half_the_input_kernel(x_PxD):
    k = fc_kernel(x_PxD, depth=1, activation="relu", weight_var=2.0, bias_var=0.3)
    k0_P = 0.3 + 2.0 * np.sum(x_PxD**2, axis=1) / x_PxD.shape[1]
    np.testing.assert_allclose(np.diag(k.nngp), 0.3 + 2.0 * k0_P / 2, rtol=1e-13)
    # Theta = K + weight_var E[phi' phi'] Theta0, with E[phi'(u)^2] = 1/2 and Theta0 = K0.
    np.testing.assert_allclose(np.diag(k.ntk), np.diag(k.nngp) + 2.0 * 0.5 * k0_P, rtol=1e-13)
    np.testing.assert_allclose(k.var1, np.diag(k.nngp), rtol=1e-13)


def test_deep_relu_diagonal_is_the_closed_form_recursion():
    """At correlation 1 every layer maps K -> b + w K / 2 and Theta -> K_new + w Theta / 2. A diagonal correlation
    one ulp below 1 (an XLA fusion recomputing K(x, x) with a fused multiply-add) would move Theta by ~1e-8 through
    arccos; found against neural-tangents (tests/benchmarks/bench_neural_tangents.py), where it was 9e-9 at depth 10."""
    x = np.random.default_rng(0).normal(size=(600, 784))
    x_PxD = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)
    k = fc_kernel(x_PxD, depth=10, activation="relu", weight_var=1.6, bias_var=0.1)
    k_P = 0.1 + 1.6 * np.sum(x_PxD**2, axis=1) / x_PxD.shape[1]
    theta_P = k_P
    for _ in range(10):
        k_P = 0.1 + 1.6 * k_P / 2
        theta_P = k_P + 1.6 * theta_P / 2
    np.testing.assert_allclose(np.diag(k.nngp), k_P, rtol=1e-14)
    np.testing.assert_allclose(np.diag(k.ntk), theta_P, rtol=1e-14)


def test_erf_depth_one_is_williams_arcsine(x_PxD):
    k = fc_kernel(x_PxD, depth=1, activation="erf", weight_var=1.3, bias_var=0.2)
    k0 = 0.2 + 1.3 * x_PxD @ x_PxD.T / x_PxD.shape[1]
    scale = 1 + 2 * np.diag(k0)
    expected = 0.2 + 1.3 * (2 / np.pi) * np.arcsin(2 * k0 / np.sqrt(np.outer(scale, scale)))
    np.testing.assert_allclose(k.nngp, expected, rtol=1e-13)
    derivative = (4 / np.pi) / np.sqrt(np.outer(scale, scale) - 4 * k0**2)
    np.testing.assert_allclose(k.ntk, expected + 1.3 * derivative * k0, rtol=1e-13)


def test_relu_arc_cosine_at_known_angles():
    # Unit variances: E[relu relu] = (sin t + (pi - t) cos t) / (2 pi), E[relu' relu'] = (pi - t) / (2 pi).
    angles = np.array([0.0, np.pi / 3, np.pi / 2, 2 * np.pi / 3, np.pi])
    phi, dphi = activation_moments("relu", [1.0], np.cos(angles)[None, :], np.ones(5))
    np.testing.assert_allclose(phi[0], [0.5, (np.sqrt(3) / 2 + 2 * np.pi / 3 / 2) / (2 * np.pi), 1 / (2 * np.pi),
                                        (np.sqrt(3) / 2 - np.pi / 3 / 2) / (2 * np.pi), 0.0], atol=1e-15)  # fmt: skip
    np.testing.assert_allclose(dphi[0], [0.5, 1 / 3, 1 / 4, 1 / 6, 0.0], atol=1e-15)


def test_fast_arcsin_and_arccos_match_numpy():
    x = np.concatenate([np.linspace(-1, 1, 20001), 1 - np.logspace(-16, 0, 200), -1 + np.logspace(-16, 0, 200)])
    with jax.enable_x64(True):
        np.testing.assert_allclose(moments._arcsin(jnp.asarray(x)), np.arcsin(x), rtol=5e-16, atol=3e-16)
        np.testing.assert_allclose(moments._arccos(jnp.asarray(x)), np.arccos(x), rtol=5e-16, atol=5e-16)


def _variances_and_covariances() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    var1 = np.array([0.01, 0.5, 2.0, 10.0, 400.0])
    var2 = np.array([0.05, 1.0, 5.0, 60.0])
    rho = np.random.default_rng(1).uniform(-1, 1, (5, 4))
    rho[0, 0], rho[2, 2], rho[4, 3] = 1.0, -1.0, 0.999
    return var1, rho * np.sqrt(np.outer(var1, var2)), var2


@pytest.mark.parametrize("activation", ["erf", "relu"])
def test_quadrature_matches_closed_forms(activation):
    var1, cov, var2 = _variances_and_covariances()
    closed = activation_moments(activation, var1, cov, var2)
    quadrature = activation_moments(activation, var1, cov, var2, quadrature=True)
    np.testing.assert_allclose(quadrature[0], closed[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(quadrature[1], closed[1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        activation_second_moment(activation, var1, quadrature=True),
        activation_second_moment(activation, var1),
        rtol=1e-9,
    )


def test_tanh_through_sigmoid_and_softplus_through_sigmoid():
    """tanh(w) = 2 sigmoid(2w) - 1 and softplus' = sigmoid: identities between differently split activations."""
    var1, cov, var2 = _variances_and_covariances()
    tanh_phi, tanh_dphi = activation_moments("tanh", var1, cov, var2)
    sigmoid_phi, sigmoid_dphi = activation_moments("sigmoid", 4 * var1, 4 * cov, 4 * var2)
    np.testing.assert_allclose(tanh_phi, 4 * sigmoid_phi - 1, atol=1e-10)
    np.testing.assert_allclose(tanh_dphi, 16 * sigmoid_dphi, rtol=1e-9)
    softplus_dphi = activation_moments("softplus", var1, cov, var2)[1]
    np.testing.assert_allclose(softplus_dphi, activation_moments("sigmoid", var1, cov, var2)[0], rtol=1e-9)


def _reference(phi, var1: float, var2: float, rho: float) -> float:
    """E[phi(u) phi(v)] by adaptive nested quadrature (scipy), v | u split at its kink/feature."""
    sd1, sd2, tau = math.sqrt(var1), math.sqrt(var2), math.sqrt(1 - rho**2)

    def inner(z1: float) -> float:
        density = lambda z2: phi(sd2 * (rho * z1 + tau * z2)) * math.exp(-z2 * z2 / 2)  # noqa: E731
        return integrate.quad(density, -12, 12, points=[-rho * z1 / tau, 0.0], limit=400, epsabs=1e-14)[0]

    outer = lambda z1: phi(sd1 * z1) * inner(z1) * math.exp(-z1 * z1 / 2)  # noqa: E731
    return integrate.quad(outer, -12, 12, points=[0.0], limit=400, epsabs=1e-13)[0] / (2 * math.pi)


@pytest.mark.parametrize(
    ("activation", "phi", "dphi"),
    [
        ("tanh", np.tanh, lambda w: 1 / np.cosh(w) ** 2),
        (
            "gelu",
            lambda w: w * special.ndtr(w),
            lambda w: special.ndtr(w) + w * np.exp(-w * w / 2) / np.sqrt(2 * np.pi),
        ),
    ],
)
@pytest.mark.parametrize(("var1", "var2", "rho"), [(1.0, 2.0, 0.6), (400.0, 400.0, 0.8), (0.3, 50.0, -0.95)])
def test_quadrature_against_adaptive_reference(activation, phi, dphi, var1, var2, rho):
    """Accurate at every variance (a 48^2-node Gauss-Hermite rule is off by 4e-2 at var = 400 for tanh)."""
    cov = rho * math.sqrt(var1 * var2)
    got_phi, got_dphi = activation_moments(activation, [var1], [[cov]], [var2])
    assert got_phi[0, 0] == pytest.approx(_reference(phi, var1, var2, rho), rel=1e-8, abs=1e-12)
    assert got_dphi[0, 0] == pytest.approx(_reference(dphi, var1, var2, rho), rel=1e-8, abs=1e-12)


def test_second_moment_is_the_pair_diagonal():
    var = np.array([0.02, 0.7, 3.0, 30.0])
    for activation in ("relu", "erf", "step", "tanh", "softplus"):  # the closed forms and both quadrature bases
        pair = activation_moments(activation, var, np.diag(var), var)[0]
        np.testing.assert_allclose(activation_second_moment(activation, var), np.diag(pair), rtol=1e-9)


def test_quadrature_residuals_are_confined_and_have_parity():
    """The quadrature's assumptions: each residual phi - base is negligible outside its window, even or odd."""
    for name, act in moments._ACTIVATIONS.items():
        if act.quadrature is None:
            continue
        q = act.quadrature
        w = np.linspace(0.0, 3 * q.window, 3001)
        with jax.enable_x64(True):
            for f, base in ((act.phi, q.phi_base), (act.dphi, q.dphi_base)):
                r = np.asarray(f(jnp.asarray(w)) - base(jnp.asarray(w)))
                r_minus = np.asarray(f(jnp.asarray(-w)) - base(jnp.asarray(-w)))
                assert np.max(np.abs(r[w >= q.window])) < 1e-15, name
                rounding = 1e-15 * (1 + w)  # phi - b rounds at the scale of phi (softplus(30) - 30)
                assert np.all(np.abs(r_minus - r) < rounding) or np.all(np.abs(r_minus + r) < rounding), name


# ---------------------------------------------------------------------------------------------------------------
# Monte Carlo: wide finite networks in the NTK parametrization
# ---------------------------------------------------------------------------------------------------------------


# Random draws come from numpy, outside the compiled programs: XLA compiles a program holding jax's threefry
# generator about four times slower, and compilation is most of these tests' time.


@functools.partial(jax.jit, static_argnames="activation")
def _empirical_nngp(w0_SxDxW, b0_SxW, z_SxLxPxW, x_PxD, *, activation: str):
    """Mean over S draws of bias_var + weight_var phi(h) phi(h)^T / W at the last hidden layer of a random net.

    The first layer multiplies by the Gaussian matrix w0; each later layer draws its pre-activations
    h' = sigma_w w phi(h) / sqrt(W) + sigma_b b directly from their law given phi(h), W iid columns of
    N(0, bias_var + weight_var phi(h) phi(h)^T / W), as L z: the same net in law, at O(W P^2) cost.
    """
    phi, (p, d), width = PHI[activation], x_PxD.shape, w0_SxDxW.shape[-1]

    def one(w0_DxW, b0_W, z_LxPxW):
        h_PxW = jnp.sqrt(WEIGHT_VAR / d) * x_PxD @ w0_DxW + jnp.sqrt(BIAS_VAR) * b0_W
        for z_PxW in z_LxPxW:
            a_PxW = phi(h_PxW)
            cov_PxP = BIAS_VAR + WEIGHT_VAR * a_PxW @ a_PxW.T / width
            h_PxW = jnp.linalg.cholesky(cov_PxP + 1e-12 * jnp.eye(p)) @ z_PxW
        a_PxW = phi(h_PxW)
        return BIAS_VAR + WEIGHT_VAR * a_PxW @ a_PxW.T / width

    return jnp.mean(jax.vmap(one)(w0_SxDxW, b0_SxW, z_SxLxPxW), axis=0)


def _nngp_draws(x_PxD: np.ndarray, width: int, draws: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    p, d = x_PxD.shape
    return (
        rng.normal(size=(draws, d, width)),
        rng.normal(size=(draws, width)),
        rng.normal(size=(draws, DEPTH - 1, p, width)),
    )


@functools.partial(jax.jit, static_argnames="activation")
def _empirical_ntk(params, x_PxD, *, activation: str):
    """J J^T, J the Jacobian of the net's scalar output w.r.t. all its parameters, drawn N(0, 1) (NTK
    parametrization: weight_var / fan_in and bias_var scale the forward pass, not the initialization)."""

    def f(params, x):
        h = x
        for i, (w, b) in enumerate(params):
            h = jnp.sqrt(WEIGHT_VAR / w.shape[0]) * h @ w + jnp.sqrt(BIAS_VAR) * b
            h = PHI[activation](h) if i < DEPTH else h
        return h[:, 0]

    jacobian = jax.jacrev(f)(params, x_PxD)
    return sum(j.reshape(len(x_PxD), -1) @ j.reshape(len(x_PxD), -1).T for j in jax.tree.leaves(jacobian))


def _ntk_params(rng: np.random.Generator, sizes: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        (rng.normal(size=(fan_in, fan_out)), rng.normal(size=fan_out)) for fan_in, fan_out in itertools.pairwise(sizes)
    ]


@pytest.mark.parametrize("activation", ["relu", "erf", "tanh"])
def test_nngp_matches_wide_networks(activation, x_PxD):
    k = fc_kernel(x_PxD, depth=DEPTH, activation=activation, weight_var=WEIGHT_VAR, bias_var=BIAS_VAR)
    errors = []
    with jax.enable_x64(True):
        for width in (256, 4096):
            draws = _nngp_draws(x_PxD, width, draws=128, seed=width)
            errors.append(_relative(np.asarray(_empirical_nngp(*draws, x_PxD, activation=activation)), k.nngp))
    # measured (relu, erf, tanh): 1.8, 0.9, 0.9 % at width 256 and 0.34, 0.24, 0.22 % at 4096 (128 draws each)
    assert errors[1] < 0.005, errors
    assert errors[1] < errors[0] / 3, errors


@pytest.mark.parametrize(("activation", "bound"), [("relu", 0.035), ("erf", 0.02), ("tanh", 0.02)])
def test_ntk_matches_wide_networks(activation, bound, x_PxD):
    k = fc_kernel(x_PxD, depth=DEPTH, activation=activation, weight_var=WEIGHT_VAR, bias_var=BIAS_VAR)
    errors = []
    with jax.enable_x64(True):
        for width in (64, 1024):
            rng = np.random.default_rng(width)
            draws = [_ntk_params(rng, [x_PxD.shape[1]] + [width] * DEPTH + [1]) for _ in range(12)]
            ntk = np.mean([_empirical_ntk(params, x_PxD, activation=activation) for params in draws], axis=0)
            errors.append(_relative(ntk, k.ntk))
    # measured (relu, erf, tanh): 5.6, 8.6, 8.4 % at width 64 and 2.3, 1.1, 1.1 % at 1024 (12 draws each)
    assert errors[1] < bound, errors
    assert errors[1] < errors[0] / 2, errors


# ---------------------------------------------------------------------------------------------------------------
# fc_kernel: structure, tiling, precision, arguments
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "erf", "tanh", "step"])
def test_symmetric_positive_semidefinite_float64(activation, x_PxD):
    x = np.concatenate([x_PxD[:4], x_PxD[:2] * 3.0])  # repeated directions: a singular-ish kernel
    k = fc_kernel(x, depth=DEPTH, activation=activation, weight_var=1.5, bias_var=0.05)
    assert k.nngp.dtype == np.float64 and k.nngp.shape == (len(x), len(x))
    np.testing.assert_array_equal(k.nngp, k.nngp.T)
    assert np.linalg.eigvalsh(k.nngp).min() > -1e-12 * np.abs(k.nngp).max()
    np.testing.assert_allclose(k.var1, np.diag(k.nngp), rtol=1e-12)
    if activation != "step":  # a step's NTK is infinite on the diagonal
        np.testing.assert_array_equal(k.ntk, k.ntk.T)
        assert np.linalg.eigvalsh(k.ntk).min() > -1e-12 * np.abs(k.ntk).max()


@pytest.mark.parametrize(("activation", "method"), [("relu", "exact"), ("erf", "exact"), ("tanh", "lattice")])
def test_tiling_matches_one_block(activation, method, tmp_path):
    rng = np.random.default_rng(3)
    x1, x2 = rng.normal(size=(20, 4)), rng.normal(size=(13, 4))  # 13 rows: blocks of 7 pad the last
    options = dict(depth=2, activation=activation, weight_var=1.4, bias_var=0.1, method=method,
                   lattice_grid=SMALL_GRID, cache_dir=tmp_path)  # fmt: skip
    for second in (None, x2):
        whole = fc_kernel(x1, second, block_size=512, **options)
        tiled = fc_kernel(x1, second, block_size=7, **options)
        for a, b in zip(whole, tiled, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)
    cross = fc_kernel(x1, x2, **options)
    np.testing.assert_allclose(cross.nngp, fc_kernel(x2, x1, **options).nngp.T, rtol=1e-13, atol=1e-15)
    assert cross.nngp.shape == (20, 13) and cross.var2.shape == (13,)


def test_float64_stays_scoped(x_PxD):
    fc_kernel(x_PxD, depth=1, activation="relu", weight_var=1.0, bias_var=0.0)
    assert jnp.zeros(1).dtype == jnp.float32  # the caller's default precision is untouched


def test_zero_inputs_without_bias_are_finite():
    x = np.zeros((6, 5))  # the shape of x_PxD: the tanh program compiled for it is reused
    x[0, 0] = 1.0
    for activation in ("relu", "erf", "tanh"):
        k = fc_kernel(x, depth=2, activation=activation, weight_var=1.0, bias_var=0.0)
        assert np.all(np.isfinite(k.nngp)) and np.all(np.isfinite(k.ntk))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"activation": "swish"}, "unknown activation 'swish'; known: erf, gelu, relu"),
        ({"weight_var": -1.0}, "weight_var must be a finite variance >= 0"),
        ({"bias_var": -0.1}, "bias_var must be a finite variance >= 0"),
        ({"bias_var": float("nan")}, "bias_var must be a finite variance >= 0"),
        ({"depth": 0}, "depth .* must be an integer >= 1"),
        ({"depth": 1.5}, "depth .* must be an integer >= 1"),
        ({"method": "mc"}, "unknown method 'mc'; known: exact, lattice"),
        ({"block_size": 0}, "block_size must be an integer >= 1"),
        ({"activation": "step", "method": "lattice"}, "lattice method needs a differentiable activation"),
    ],
)
def test_bad_arguments_raise(kwargs, message, x_PxD, tmp_path):
    options = {"depth": 2, "activation": "relu", "weight_var": 1.0, "bias_var": 0.1, "cache_dir": tmp_path} | kwargs
    with pytest.raises(ValueError, match=message):
        fc_kernel(x_PxD, **options)


def test_bad_inputs_raise(x_PxD):
    options = {"depth": 1, "activation": "relu", "weight_var": 1.0, "bias_var": 0.1}
    with pytest.raises(ValueError, match="differ in input dimension: 5 != 4"):
        fc_kernel(x_PxD, x_PxD[:, :4], **options)
    with pytest.raises(ValueError, match="must be a non-empty 2-D array"):
        fc_kernel(x_PxD[0], **options)
    with pytest.raises(ValueError, match="non-finite"):
        fc_kernel(np.full((2, 2), np.nan), **options)
    with pytest.raises(ValueError, match="var1_N must be finite and >= 0"):
        activation_moments("erf", [-1.0], [[0.0]], [1.0])
    with pytest.raises(ValueError, match="expected"):
        activation_moments("erf", [1.0, 1.0], [[0.0]], [1.0])
    with pytest.raises(ValueError, match="not a covariance"):
        activation_moments("erf", [1.0], [[2.0]], [1.0])
    with pytest.raises(ValueError, match="closed forms only"):
        activation_moments("step", [1.0], [[0.0]], [1.0], quadrature=True)


# ---------------------------------------------------------------------------------------------------------------
# The lattice (Lee et al. 2018)
# ---------------------------------------------------------------------------------------------------------------


def test_paper_grid_variance_table_matches_the_original(tmp_path):
    """The 1-D relu table on the paper's u- and variance grids: its truncation errors as papers.md reports them
    for the shipped table (q_aa(100) = 14.61, -1.7e-2 at s = 10, -15 % at 20, -71 % at 100)."""
    table = kernels.lattice_table("relu", LatticeGrid(n_corr=2), cache_dir=tmp_path)  # n_corr=2: cheap
    assert table.var_V.shape == (501,) and table.var_V[0] == 1e-8 and table.var_V[-1] == 100.0
    relative = table.second_V / (table.var_V / 2) - 1
    at = {s: relative[np.argmin(np.abs(table.var_V - s))] for s in (1, 3, 5, 10, 20, 100)}
    assert (
        abs(at[1]) < 1e-14 and at[3] == pytest.approx(-2.5e-7, rel=0.05) and at[5] == pytest.approx(-1.6e-4, rel=0.05)
    )
    assert at[10] == pytest.approx(-1.7e-2, rel=0.05) and at[20] == pytest.approx(-0.15, rel=0.05)
    assert at[100] == pytest.approx(-0.71, rel=0.01) and table.second_V[-1] == pytest.approx(14.61, abs=0.005)


def test_relu_table_against_arc_cosine(tmp_path):
    """As the original's test: the relu table at its grid points against the arc-cosine kernel (small s)."""
    table = kernels.lattice_table("relu", SMALL_GRID, cache_dir=tmp_path)
    s_V = table.var_V[table.var_V <= 3.0]
    cos = table.corr_C[None, :]
    angle = np.arccos(cos)
    expected = s_V[:, None] * (np.sin(angle) + (np.pi - angle) * cos) / (2 * np.pi)
    # At s = 1e-8 the Gaussian is narrower than the u-grid: all its mass sits on u = 0 (an error of 5e-9).
    assert np.all(np.abs(table.phi_VxC[: len(s_V)] - expected) <= 2e-3 * s_V[:, None] + 1e-8)
    # relu' jumps at u = 0, a node of the u-grid: the derivative table is coarser, and meaningless for s << spacing^2.
    resolved = (table.var_V >= 0.5) & (table.var_V <= 3.0)
    assert np.all(np.abs(table.dphi_VxC[resolved] - (np.pi - angle) / (2 * np.pi)) < 1e-2)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_lattice_agrees_with_exact_in_its_accurate_range(activation, tmp_path):
    x = np.random.default_rng(4).normal(size=(6, 5))
    x = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)  # the paper's layer-normalized inputs
    options = dict(depth=DEPTH, activation=activation, weight_var=1.5, bias_var=0.2)
    exact = fc_kernel(x, **options)
    lattice = fc_kernel(x, **options, method="lattice", lattice_grid=SMALL_GRID, cache_dir=tmp_path)
    assert exact.var1.max() < 3.0  # variances where the u-grid's truncation is negligible
    assert _relative(lattice.nngp, exact.nngp) < 2e-3
    assert _relative(lattice.ntk, exact.ntk) < 2e-2


def test_lattice_table_is_cached_atomically(tmp_path, monkeypatch):
    monkeypatch.setenv(kernels.CACHE_ENV, str(tmp_path))
    grid = LatticeGrid(n_gauss=101, n_var=11, n_corr=10)
    table = kernels.lattice_table("tanh", grid)
    files = os.listdir(tmp_path / "lattice")
    assert len(files) == 1 and files[0].startswith("tanh_ng101_") and files[0].endswith(".npz")
    lattice._load_or_build.cache_clear()
    loaded = kernels.lattice_table("tanh", grid)
    for a, b in zip(table, loaded, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="n_gauss must be odd"):
        kernels.lattice_table("tanh", LatticeGrid(n_gauss=100))
