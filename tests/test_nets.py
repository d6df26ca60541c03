"""MLPs: parametrization rules against the NNGP, empirical NTKs against fc_kernel and against each other, and the
linearization."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from replications.core.kernels import fc_kernel
from replications.core.nets import (
    LayerScale,
    apply_mlp,
    empirical_ntk,
    init_mlp,
    layer_scales,
    linearize,
    mlp_ntk,
    mlp_sizes,
    ntk_row,
)

KEY = jax.random.key(0)
X_6x4 = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)


def make_net(width, depth=2, *, parametrization="ntk", activation="relu", weight_var=2.0, bias_var=0.1, key=KEY, k=1):
    """(params, scales, apply_fn) of a net on X_6x4-shaped inputs with k outputs."""
    sizes = mlp_sizes(4, width, depth, k)
    scales = layer_scales(sizes, parametrization=parametrization, weight_var=weight_var, bias_var=bias_var)
    params = init_mlp(key, sizes, scales)
    return params, scales, lambda p, x: apply_mlp(p, x, scales, activation=activation)


def test_shapes():
    params, _, apply_fn = make_net(16, depth=3, k=2)
    assert [p["W"].shape for p in params] == [(4, 16), (16, 16), (16, 16), (16, 2)]
    assert [p["b"].shape for p in params] == [(16,), (16,), (16,), (2,)]
    assert apply_fn(params, X_6x4).shape == (6, 2)
    assert mlp_sizes(3, 8, 2, 10) == (3, 8, 8, 10)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mlp_sizes(4, 8, 0), "depth"),
        (lambda: mlp_sizes(4, 0, 2), "width"),
        (lambda: mlp_sizes(4, 8, 2, 0), "output_dim"),
        (lambda: layer_scales((4, 8, 1), parametrization="mup", weight_var=1.0, bias_var=0.0), "parametrization"),
        (lambda: layer_scales((4, 1), parametrization="ntk", weight_var=1.0, bias_var=0.0), "hidden layer"),
        (lambda: layer_scales((4, 8, 1), parametrization="ntk", weight_var=-1.0, bias_var=0.0), "weight_var"),
        (lambda: apply_mlp(make_net(32)[0], X_6x4, make_net(32)[1], activation="swish"), "unknown activation"),
        (lambda: init_mlp(KEY, (4, 32, 1), make_net(32)[1]), "one LayerScale per layer"),
    ],
)
def test_bad_arguments_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_parametrizations_draw_the_same_function():
    """Standard: W = sqrt(weight_var / fan_in) z; NTK: W = z, multiplied by sqrt(weight_var / fan_in). One key,
    one z: the same function at initialization."""
    for activation in ("relu", "tanh"):
        standard = make_net(32, parametrization="standard", activation=activation)
        ntk = make_net(32, parametrization="ntk", activation=activation)
        np.testing.assert_allclose(standard[2](standard[0], X_6x4), ntk[2](ntk[0], X_6x4), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("parametrization", ["standard", "ntk"])
def test_initial_parameter_variances(parametrization):
    sizes, weight_var, bias_var = (300, 600, 2000, 10), 1.7, 0.3
    scales = layer_scales(sizes, parametrization=parametrization, weight_var=weight_var, bias_var=bias_var)
    params = init_mlp(KEY, sizes, scales)
    for fan_in, layer, scale in zip(sizes[:-1], params, scales, strict=True):
        W_var, b_var = float(jnp.var(layer["W"])), float(jnp.var(layer["b"]))
        # a sample variance of n normals has relative standard deviation sqrt(2 / (n - 1)): allow 4 of them
        W_tol, b_tol = (4 * np.sqrt(2 / (a.size - 1)) for a in (layer["W"], layer["b"]))
        if parametrization == "standard":
            assert W_var == pytest.approx(weight_var / fan_in, rel=W_tol)
            assert b_var == pytest.approx(bias_var, rel=b_tol)
            assert scale.weight_multiplier == scale.bias_multiplier == 1.0
        else:
            assert W_var == pytest.approx(1.0, rel=W_tol)
            assert b_var == pytest.approx(1.0, rel=b_tol)
            assert float(scale.weight_multiplier) == pytest.approx(np.sqrt(weight_var / fan_in))
            assert float(scale.bias_multiplier) == pytest.approx(np.sqrt(bias_var))


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_output_covariance_at_init_is_the_nngp(activation):
    """Monte Carlo over 4000 initializations of a width-64 net: Cov f(x_i), f(x_j) = K^depth(x_i, x_j)."""
    x_3x4 = X_6x4[:3]
    sizes = mlp_sizes(4, 64, 2, 1)
    scales = layer_scales(sizes, parametrization="ntk", weight_var=1.6, bias_var=0.2)
    draw = lambda key: apply_mlp(init_mlp(key, sizes, scales), x_3x4, scales, activation=activation)[:, 0]  # noqa: E731
    f_Sx3 = np.asarray(jax.lax.map(draw, jax.random.split(KEY, 4000), batch_size=1000), np.float64)
    K_3x3 = fc_kernel(x_3x4, depth=2, activation=activation, weight_var=1.6, bias_var=0.2).nngp
    sample_cov = f_Sx3.T @ f_Sx3 / len(f_Sx3)  # the mean is 0
    standard_error = np.sqrt((np.outer(np.diag(K_3x3), np.diag(K_3x3)) + K_3x3**2) / len(f_Sx3))
    assert np.all(np.abs(sample_cov - K_3x3) < 4.5 * standard_error + 0.02 * np.abs(K_3x3))


@functools.partial(jax.jit, static_argnums=0)
def jacobian_ntk(apply_fn, params, x1, x2):
    """Theta = J(x1) J(x2)^T with full Jacobians: the definition, for small nets."""

    def jacobian(x):
        J = jax.jacobian(lambda p: apply_fn(p, x))(params)
        return jnp.concatenate([a.reshape(len(x), -1) for a in jax.tree.leaves(J)], axis=1)

    return jacobian(x1) @ jacobian(x2).T


@pytest.mark.parametrize("parametrization", ["ntk", "standard"])
def test_ntk_implementations_agree_with_the_definition(parametrization, activation="tanh"):
    """Theta of output 1 of a 2-output net: structured (mlp_ntk), vjp/jvp (empirical_ntk), full Jacobians."""
    params, scales, apply_fn = make_net(16, depth=3, parametrization=parametrization, activation=activation, k=2)
    x_5x4 = X_6x4[1:]
    scalar_fn = lambda p, x: apply_fn(p, x)[:, 1]  # noqa: E731
    expected_6x5 = jacobian_ntk(scalar_fn, params, X_6x4, x_5x4)
    structured = mlp_ntk(params, X_6x4, x_5x4, scales=scales, activation=activation, output=1)
    contracted = empirical_ntk(scalar_fn, params, X_6x4, x_5x4, batch_size=4)  # chunks with remainders
    np.testing.assert_allclose(structured, expected_6x5, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(contracted, expected_6x5, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        mlp_ntk(params, X_6x4, scales=scales, activation=activation),
        mlp_ntk(params, X_6x4, X_6x4, scales=scales, activation=activation),
    )


def test_ntk_row_is_a_row_of_the_full_ntk():
    params, _, apply_fn = make_net(32, depth=2)
    full_6x6 = empirical_ntk(apply_fn, params, X_6x4)
    for i in (0, 4):
        np.testing.assert_allclose(ntk_row(apply_fn, params, X_6x4[i], X_6x4, batch_size=4), full_6x6[i], rtol=1e-5)
    np.testing.assert_allclose(full_6x6, full_6x6.T, rtol=1e-5)


def test_ntk_needs_a_scalar_output():
    params, scales, apply_fn = make_net(16, depth=3, k=2)
    with pytest.raises(ValueError, match="scalar output"):
        empirical_ntk(apply_fn, params, X_6x4)
    with pytest.raises(ValueError, match="out of range"):
        mlp_ntk(params, X_6x4, scales=scales, activation="relu", output=2)


def test_empirical_ntk_converges_to_the_analytic_ntk():
    """Relative Frobenius error of the NTK-parametrized relu net's Theta against fc_kernel: O(width^-1/2),
    averaged over 3 initializations; the 2048-wide net is close and clearly closer than the 256-wide one."""
    exact = fc_kernel(X_6x4, depth=2, activation="relu", weight_var=2.0, bias_var=0.1).ntk

    def error(width):
        errors = []
        for seed in range(3):
            params, scales, _ = make_net(width, key=jax.random.key(seed))
            theta = np.asarray(mlp_ntk(params, X_6x4, scales=scales, activation="relu"), np.float64)
            errors.append(np.linalg.norm(theta - exact) / np.linalg.norm(exact))
        return np.mean(errors)

    narrow, wide = error(256), error(2048)
    assert wide < 0.06
    assert wide < 0.6 * narrow  # sqrt(256 / 2048) = 0.35 expected


def test_linearization():
    params0, _, apply_fn = make_net(32)
    apply_lin = jax.jit(linearize(apply_fn, params0))
    np.testing.assert_allclose(apply_lin(params0, X_6x4), apply_fn(params0, X_6x4), rtol=1e-6)

    gradient = lambda f: jax.jit(jax.grad(lambda p: jnp.sum(jnp.sin(f(p, X_6x4)))))  # noqa: E731
    grad_lin, grad_net = gradient(apply_lin)(params0), gradient(apply_fn)(params0)
    for a, b in zip(jax.tree.leaves(grad_lin), jax.tree.leaves(grad_net), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)

    direction = init_mlp(jax.random.key(5), mlp_sizes(4, 32, 2), [LayerScale(0.1, 1.0, 0.1, 1.0)] * 3)
    step = lambda c: jax.tree.map(lambda p, d: p + c * d, params0, direction)  # noqa: E731
    f0 = apply_lin(params0, X_6x4)
    np.testing.assert_allclose(apply_lin(step(3.0), X_6x4) - f0, 3 * (apply_lin(step(1.0), X_6x4) - f0), rtol=1e-4)
    assert not np.allclose(apply_fn(step(3.0), X_6x4) - f0, 3 * (apply_fn(step(1.0), X_6x4) - f0), rtol=1e-2)
