"""The span-of-inputs one-hidden-layer net of Lee et al.'s experiments against the general nets and training."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from replications.core import nets
from replications.core.training import train_full_batch
from replications.ntk import one_hidden_layer as ohl

WIDTH = 48


def _scales(parametrization="ntk"):
    return ohl.layer_scales(20, WIDTH, parametrization=parametrization, weight_var=2.0, bias_var=0.1)


def _data(n=12, m=5, d=20, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x, np.sign(rng.normal(size=n)).astype(np.float32), rng.normal(size=(m, d)).astype(np.float32)


def _general(parametrization, activation):
    sizes = (20, WIDTH, 1)
    scales = nets.layer_scales(sizes, parametrization=parametrization, weight_var=2.0, bias_var=0.1)
    apply = lambda p, x: nets.apply_mlp(p, x, scales, activation=activation)  # noqa: E731
    return sizes, scales, apply


@pytest.mark.parametrize("parametrization", ["ntk", "standard"])
@pytest.mark.parametrize("activation", ["erf", "relu"])
def test_kernels_at_init_match_the_general_empirical_ntk(parametrization, activation):
    x, _, x_test = _data()
    key = jax.random.PRNGKey(3)
    net, state = ohl.init(key, jnp.asarray(x), jnp.asarray(x_test), width=WIDTH, scales=_scales(parametrization))
    sizes, scales, _ = _general(parametrization, activation)
    params = nets.init_mlp(key, sizes, scales)
    ntk, nngp = ohl.kernels(net, state, activation)
    np.testing.assert_allclose(ntk, nets.mlp_ntk(params, x, scales=scales, activation=activation), rtol=2e-4)
    cross = ohl.kernels(net, state, activation, test=True)[0]
    np.testing.assert_allclose(
        cross, nets.mlp_ntk(params, x_test, x, scales=scales, activation=activation), rtol=2e-4, atol=1e-6
    )
    # K_hat: the readout layer's term alone (its input Gram times m_1^2, plus beta_1^2)
    phi = nets.activation_function(activation)
    a = phi(scales[0][1] * (x @ params[0]["W"]) + scales[0][3] * params[0]["b"])
    np.testing.assert_allclose(nngp, scales[1][1] ** 2 * a @ a.T + scales[1][3] ** 2, rtol=2e-4)


@pytest.mark.parametrize("parametrization", ["ntk", "standard"])
def test_span_training_equals_plain_gradient_descent(parametrization):
    x, y, x_test = _data()
    key, lr, steps = jax.random.PRNGKey(5), 0.3 if parametrization == "ntk" else 0.05, 40
    loss_R, f_RxM = ohl.trajectory(
        key, x, y, x_test, width=WIDTH, scales=_scales(parametrization), activation="erf", learning_rate=lr,
        steps=steps, record_every=10,
    )  # fmt: skip
    sizes, scales, apply = _general(parametrization, "erf")
    run = train_full_batch(
        apply, nets.init_mlp(key, sizes, scales), x, y[:, None], optax.sgd(lr), steps=steps, record_every=10,
        x_eval_MxD=x_test,
    )  # fmt: skip
    np.testing.assert_allclose(loss_R, run.loss_R, rtol=1e-4)
    np.testing.assert_allclose(f_RxM, run.f_eval_RxMxK[:, :, 0], rtol=1e-3, atol=1e-5)


def test_training_stops_at_the_tolerance_or_the_step_cap():
    x, y, x_test = _data()
    run = ohl.train_to_convergence(
        jax.random.PRNGKey(1), x, y, x_test, width=WIDTH, scales=_scales(), activation="relu", learning_rate=0.5,
        tolerance=1e-3, max_steps=20_000,
    )  # fmt: skip
    assert run.loss_end <= 1e-3 * run.loss_start
    steps = int(run.steps)
    loss_R, _ = ohl.trajectory(
        jax.random.PRNGKey(1), x, y, x_test, width=WIDTH, scales=_scales(), activation="relu", learning_rate=0.5,
        steps=steps - 1, record_every=steps - 1,
    )  # fmt: skip
    assert loss_R[-1] > 1e-3 * run.loss_start  # it stopped at the first step below the tolerance
    capped = ohl.train_to_convergence(
        jax.random.PRNGKey(1), x, y, x_test, width=WIDTH, scales=_scales(), activation="relu", learning_rate=0.5,
        tolerance=1e-3, max_steps=7,
    )  # fmt: skip
    assert int(capped.steps) == 7 and capped.loss_end > 1e-3 * capped.loss_start


def test_weight_change_is_the_norm_of_the_moved_parameters():
    x, y, x_test = _data()
    key = jax.random.PRNGKey(2)
    run = ohl.train_to_convergence(
        key, x, y, x_test, width=WIDTH, scales=_scales(), activation="erf", learning_rate=0.5, tolerance=0.0,
        max_steps=25,
    )  # fmt: skip
    sizes, scales, apply = _general("ntk", "erf")
    params0 = nets.init_mlp(key, sizes, scales)
    params = train_full_batch(apply, params0, x, y[:, None], optax.sgd(0.5), steps=25, record_every=25).params
    delta = jax.tree.map(jnp.subtract, params, params0)
    norm = lambda tree: jnp.sqrt(sum(jnp.sum(leaf**2) for leaf in jax.tree.leaves(tree)))  # noqa: E731
    np.testing.assert_allclose(run.weight_change, norm(delta) / norm(params0), rtol=1e-3)
    np.testing.assert_allclose(
        run.first_layer_change, jnp.linalg.norm(delta[0]["W"]) / jnp.linalg.norm(params0[0]["W"]), rtol=1e-3
    )
    thetaT = nets.mlp_ntk(params, x, scales=scales, activation="erf")
    theta0 = nets.mlp_ntk(params0, x, scales=scales, activation="erf")
    np.testing.assert_allclose(run.ntk_change, jnp.linalg.norm(thetaT - theta0) / jnp.linalg.norm(theta0), rtol=1e-2)


def test_linear_model_outputs_equal_gradient_descent_on_the_linearized_net():
    x, y, x_test = _data()
    key, lr, steps = jax.random.PRNGKey(4), 0.4, 30
    sizes, scales, apply = _general("ntk", "relu")
    params0 = nets.init_mlp(key, sizes, scales)
    lin = train_full_batch(
        nets.linearize(apply, params0), params0, x, y[:, None], optax.sgd(lr), steps=steps, record_every=10,
        x_eval_MxD=np.concatenate([x, x_test]),
    )  # fmt: skip
    theta = np.asarray(nets.mlp_ntk(params0, x, scales=scales, activation="relu"), np.float64)
    cross = np.asarray(nets.mlp_ntk(params0, x_test, x, scales=scales, activation="relu"), np.float64)
    f0, f0_test = np.asarray(apply(params0, x)[:, 0]), np.asarray(apply(params0, x_test)[:, 0])
    train, test = ohl.linear_model_outputs(theta, cross, f0, f0_test, y, lr, np.arange(0, steps + 1, 10))
    f_eval = np.asarray(lin.f_eval_RxMxK[:, :, 0])
    np.testing.assert_allclose(train, f_eval[:, : len(x)], rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(test, f_eval[:, len(x) :], rtol=1e-3, atol=1e-4)


def test_initial_ntk_is_the_trained_nets_theta_hat_0():
    x, y, x_test = _data()
    key = jax.random.PRNGKey(6)
    run = ohl.train_to_convergence(
        key, x, y, x_test, width=WIDTH, scales=_scales("standard"), activation="relu", learning_rate=0.01,
        tolerance=0.5, max_steps=3,
    )  # fmt: skip
    theta0 = ohl.initial_ntk(key, x, width=WIDTH, activation="relu", scales=_scales("standard"))
    np.testing.assert_allclose(theta0, run.ntk0_NxN, rtol=1e-5)


def test_trajectory_rejects_a_record_interval_that_does_not_divide_the_steps():
    x, y, x_test = _data()
    with pytest.raises(ValueError, match="multiple of record_every"):
        ohl.trajectory(
            jax.random.PRNGKey(0), x, y, x_test, width=WIDTH, scales=_scales(), activation="erf", learning_rate=0.1,
            steps=10, record_every=3,
        )  # fmt: skip
