"""Training: the loss and time conventions, the closed-form gradient flow against explicit gradient descent (of the
linearized net, tight; of wide nets and their ensemble, loose), and the vmapped hyperparameter grid."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import scipy.linalg

from replications.core import training
from replications.core.kernels import fc_kernel
from replications.core.nets import apply_mlp, init_mlp, layer_scales, linearize, mlp_ntk, mlp_sizes
from replications.core.training import (
    Hyperparameters,
    accuracy,
    gradient_flow_prediction,
    hyperparameter_grid,
    mean_squared_error,
    minibatch_order,
    mse_loss,
    train_full_batch,
    train_grid,
)

KEY = jax.random.key(0)
RNG = np.random.default_rng(0)
X_8x3 = RNG.normal(size=(8, 3)).astype(np.float32)
Y_8x1 = (np.sin(2 * X_8x3[:, :1]) + X_8x3[:, 1:2] * X_8x3[:, 2:]).astype(np.float32)
XT_5x3 = RNG.normal(size=(5, 3)).astype(np.float32)
KERNEL_ARGS = dict(depth=2, activation="relu", weight_var=2.0, bias_var=0.1)


def ntk_net(width, key=KEY):
    sizes = mlp_sizes(3, width, 2)
    scales = layer_scales(sizes, parametrization="ntk", weight_var=2.0, bias_var=0.1)
    return init_mlp(key, sizes, scales), scales, lambda p, x: apply_mlp(p, x, scales, activation="relu")


def test_losses_by_hand():
    f = jnp.array([[1.0, 0.0, 0.0], [0.0, 3.0, 0.0]])
    y = jnp.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    assert float(mse_loss(f, y)) == pytest.approx((1 + 1 + 4) / (2 * 2))  # (1/2N) sum ||f - y||^2
    assert float(mean_squared_error(f, y)) == pytest.approx((1 + 1 + 4) / 6)  # mean over N x K entries
    assert float(accuracy(f, y)) == pytest.approx(0.5)


def exact_flow(theta_NxN, theta_MxN, K_NxN, K_MxN, K_MxM, y_N, t):
    """Mean and variance by matrix exponential: f_t(x) = f0(x) + B (y - f0(X)), B = Theta(x,X) Theta^-1 A_t, so
    (mean, cov) = (B y, [I, -B] K_joint [I, -B]^T)."""
    n = len(y_N)
    B_MxN = theta_MxN @ np.linalg.solve(theta_NxN, np.eye(n) - scipy.linalg.expm(-t * theta_NxN / n))
    T_MxL = np.concatenate([np.eye(len(K_MxM)), -B_MxN], axis=1)
    K_joint = np.block([[K_MxM, K_MxN], [K_MxN.T, K_NxN]])
    return B_MxN @ y_N, T_MxL @ K_joint @ T_MxL.T


def test_gradient_flow_prediction_against_matrix_exponentials():
    k_train, k_test = fc_kernel(X_8x3, **KERNEL_ARGS), fc_kernel(XT_5x3, X_8x3, **KERNEL_ARGS)
    K_5x5 = fc_kernel(XT_5x3, **KERNEL_ARGS).nngp
    y_8 = Y_8x1[:, 0].astype(np.float64)
    times = np.array([0.0, 0.5, 3.0, 40.0])
    flow = gradient_flow_prediction(
        k_train.ntk, k_test.ntk, y_8, times,
        nngp_train_NxN=k_train.nngp, nngp_test_MxN=k_test.nngp, nngp_test_M=k_test.var1, nngp_test_MxM=K_5x5,
    )  # fmt: skip
    assert flow.mean.shape == (4, 5) and flow.variance.shape == (4, 5) and flow.covariance.shape == (4, 5, 5)
    for i, t in enumerate(times):
        mean, covariance = exact_flow(k_train.ntk, k_test.ntk, k_train.nngp, k_test.nngp, K_5x5, y_8, t)
        np.testing.assert_allclose(flow.mean[i], mean, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(flow.variance[i], np.diag(covariance), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(flow.covariance[i], covariance, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(flow.variance[0], np.diag(K_5x5), rtol=1e-12)  # t = 0: the NNGP prior
    # t = inf on the training points: the targets, exactly, whatever the initialization
    at_train = gradient_flow_prediction(
        k_train.ntk, k_train.ntk, Y_8x1, np.inf,
        nngp_train_NxN=k_train.nngp, nngp_test_MxN=k_train.nngp, nngp_test_M=k_train.var1,
    )  # fmt: skip
    np.testing.assert_allclose(at_train.mean, Y_8x1, atol=1e-8)
    np.testing.assert_allclose(at_train.variance, 0, atol=1e-8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(time=-1.0), "time"),
        (dict(nngp_train_NxN=np.eye(8)), "all of"),
        (dict(nngp_test_MxM=np.eye(5)), "covariance needs"),
        (dict(ntk_test_MxN=np.ones((5, 7))), "ntk_test_MxN"),
    ],
)
def test_gradient_flow_prediction_rejects_bad_arguments(kwargs, message):
    args = dict(ntk_train_NxN=np.eye(8), ntk_test_MxN=np.ones((5, 8)), y_train_NxK=Y_8x1, time=1.0) | kwargs
    with pytest.raises(ValueError, match=message):
        gradient_flow_prediction(**args)


def test_linearized_gradient_descent_is_the_closed_form_flow():
    """Small steps of GD on the linearized net, L = (1/2N) ||f - y||^2: (i) on the training points exactly the
    discrete map f <- f - (eta/N) Theta (f - y); (ii) everywhere the flow at time eta x steps, within the
    discretization error."""
    params0, scales, apply_fn = ntk_net(64)
    theta_8x8 = np.asarray(mlp_ntk(params0, X_8x3, scales=scales, activation="relu"), np.float64)
    theta_5x8 = np.asarray(mlp_ntk(params0, XT_5x3, X_8x3, scales=scales, activation="relu"), np.float64)
    n, eta = 8, 0.02 * 8 / np.linalg.eigvalsh(theta_8x8)[-1]
    x_eval = np.concatenate([XT_5x3, X_8x3])
    run = train_full_batch(
        linearize(apply_fn, params0), params0, X_8x3, Y_8x1, optax.sgd(eta),
        steps=1000, record_every=125, x_eval_MxD=x_eval,
    )  # fmt: skip
    f_RxMx1 = np.asarray(run.f_eval_RxMxK, np.float64)
    f0_test, f0_train = f_RxMx1[0, :5], f_RxMx1[0, 5:]
    residual0 = Y_8x1 - f0_train
    assert run.steps_R.tolist() == list(range(0, 1001, 125)) and not run.diverged

    step_8x8 = np.linalg.matrix_power(np.eye(n) - eta * theta_8x8 / n, 125)
    residual = residual0
    for f_train in f_RxMx1[:, 5:]:
        np.testing.assert_allclose(Y_8x1 - f_train, residual, atol=2e-4 * np.abs(residual0).max())
        residual = step_8x8 @ residual
    np.testing.assert_allclose(run.loss_R, 0.5 * np.sum((f_RxMx1[:, 5:] - Y_8x1) ** 2, axis=(1, 2)) / n, rtol=1e-4)

    flow = gradient_flow_prediction(theta_8x8, theta_5x8, residual0, eta * np.asarray(run.steps_R))
    np.testing.assert_allclose(f_RxMx1[:, :5], f0_test + flow.mean, atol=2e-3 * np.abs(residual0).max())


def test_wide_net_gradient_descent_follows_the_kernel_flow():
    """A 1024-wide NTK-parametrized net trained by 1000 small GD steps moves its test outputs as the flow of its own
    initial NTK predicts (lazy training: a few % off), and roughly as that of the analytic NTK (the finite-width
    NTK's O(width^-1/2) fluctuations, amplified by Theta^-1, are ~10 %: a loose bound)."""
    params0, scales, apply_fn = ntk_net(1024)
    theta_8x8 = np.asarray(mlp_ntk(params0, X_8x3, scales=scales, activation="relu"), np.float64)
    theta_5x8 = np.asarray(mlp_ntk(params0, XT_5x3, X_8x3, scales=scales, activation="relu"), np.float64)
    eta = 0.01 * 8 / np.linalg.eigvalsh(theta_8x8)[-1]
    run = train_full_batch(apply_fn, params0, X_8x3, Y_8x1, optax.sgd(eta), steps=1000, record_every=1000)
    f_test0, f_test = (np.asarray(apply_fn(p, XT_5x3), np.float64) for p in (params0, run.params))
    residual0 = Y_8x1 - np.asarray(apply_fn(params0, X_8x3), np.float64)
    assert run.loss_R[-1] < 0.25 * run.loss_R[0]  # trained

    moved = np.linalg.norm(f_test - f_test0)
    own = f_test0 + gradient_flow_prediction(theta_8x8, theta_5x8, residual0, eta * 1000).mean
    assert np.linalg.norm(f_test - own) < 0.1 * moved
    exact_train, exact_test = fc_kernel(X_8x3, **KERNEL_ARGS), fc_kernel(XT_5x3, X_8x3, **KERNEL_ARGS)
    analytic = f_test0 + gradient_flow_prediction(exact_train.ntk, exact_test.ntk, residual0, eta * 1000).mean
    assert np.linalg.norm(f_test - analytic) < 0.3 * moved


def test_ensemble_of_wide_nets_matches_the_infinite_width_distribution():
    """200 initializations of a 128-wide net trained by small GD steps: mean and variance of the test outputs
    over initializations against Lee et al. 2019's Gaussian (Monte Carlo error bounds)."""
    k_train, k_test = fc_kernel(X_8x3, **KERNEL_ARGS), fc_kernel(XT_5x3, X_8x3, **KERNEL_ARGS)
    eta = 0.05 * 8 / np.linalg.eigvalsh(k_train.ntk)[-1]
    _, _, apply_fn = ntk_net(128)
    scales = layer_scales(mlp_sizes(3, 128, 2), parametrization="ntk", weight_var=2.0, bias_var=0.1)

    def trained(key):
        params = init_mlp(key, mlp_sizes(3, 128, 2), scales)
        run = train_full_batch(
            apply_fn, params, X_8x3, Y_8x1, optax.sgd(eta), steps=300, record_every=100, x_eval_MxD=XT_5x3
        )
        return run.f_eval_RxMxK[..., 0]

    f_SxRxM = np.asarray(jax.jit(jax.vmap(trained))(jax.random.split(jax.random.key(1), 200)), np.float64)
    flow = gradient_flow_prediction(
        k_train.ntk, k_test.ntk, Y_8x1[:, 0], eta * np.array([0, 100, 200, 300]),
        nngp_train_NxN=k_train.nngp, nngp_test_MxN=k_test.nngp, nngp_test_M=k_test.var1,
    )  # fmt: skip
    samples = len(f_SxRxM)
    mean_error = np.abs(f_SxRxM.mean(0) - flow.mean)
    assert np.all(mean_error < 4 * np.sqrt(flow.variance / samples) + 0.02 * np.abs(Y_8x1).max())
    ratio = f_SxRxM.var(0) / flow.variance
    assert np.all((ratio > 0.6) & (ratio < 1.6)), ratio


def test_full_batch_divergence_is_recorded():
    params0, _, apply_fn = ntk_net(16)
    run = train_full_batch(apply_fn, params0, X_8x3, Y_8x1, optax.sgd(1e6), steps=50, record_every=10)
    assert bool(run.diverged) and run.loss_R.shape == (6,) and not np.isfinite(run.loss_R[-1])
    with pytest.raises(ValueError, match="multiple of record_every"):
        train_full_batch(apply_fn, params0, X_8x3, Y_8x1, optax.sgd(0.1), steps=50, record_every=7)


# --------------------------------------------------------------------------------------------------------------
# The hyperparameter grid
# --------------------------------------------------------------------------------------------------------------


def blobs(n, seed):
    """Three overlapping Gaussian classes in 10 dimensions, NNGP-style targets (0.9 for the class, -0.1 else)."""
    rng = np.random.default_rng(seed)
    centers = np.random.default_rng(99).normal(size=(3, 10))
    labels = rng.integers(0, 3, n)
    x = centers[labels] + 1.5 * rng.normal(size=(n, 10))
    return x.astype(np.float32), np.where(np.arange(3) == labels[:, None], 0.9, -0.1).astype(np.float32)


SPLITS = dict(train=blobs(96, 0), valid=blobs(60, 1), test=blobs(60, 2))
NET = dict(width=32, depth=2, activation="relu", steps=200, batch_size=16, eval_every=20)
GRID = Hyperparameters(
    learning_rate=np.array([1e-3, 1e10, 3e-3, 1e-2], np.float32),  # 1e10: Adam steps of 1e10 overflow float32
    weight_var=np.array([1.0, 2.0, 2.0, 1.5], np.float32),
    bias_var=np.array([0.1, 0.1, 0.0, 0.2], np.float32),
    seed=np.array([0, 1, 2, 3], np.int32),
)


@pytest.fixture(scope="module")
def grid_result():
    return train_grid(GRID, **SPLITS, **NET)


def test_grid_shapes_and_divergence(grid_result):
    r = grid_result
    assert r.steps_E.tolist() == list(range(0, 201, 20))
    assert r.valid_GxE.accuracy.shape == r.train_GxE.mse.shape == (4, 11)
    assert r.test_predictions_GxMxK.shape == (4, 60, 3)
    assert r.params[0]["W"].shape == (4, 10, 32)
    assert r.diverged_G.tolist() == [False, True, False, False]
    assert r.best_step_G[1] == -1 and np.isnan(r.best_test_G.accuracy[1]) and np.isnan(r.best_valid_G.mse[1])
    healthy = ~r.diverged_G
    assert np.all(r.best_test_G.accuracy[healthy] > 0.5) and np.all(np.isfinite(r.valid_GxE.mse[healthy]))


def test_grid_point_trained_alone_is_the_same(grid_result):
    """Point 2 alone (G = 1) reproduces its row of the 4-point grid, whose point 1 diverged: nothing leaks across
    grid points. The lone run selects by validation MSE instead, which leaves the curves unchanged."""
    alone = train_grid(Hyperparameters(*(a[2:3] for a in GRID)), **SPLITS, **NET, select_by="mse")
    for curves_grid, curves_alone in (
        (grid_result.train_GxE, alone.train_GxE),
        (grid_result.valid_GxE, alone.valid_GxE),
    ):
        np.testing.assert_allclose(curves_grid.mse[2], curves_alone.mse[0], rtol=1e-4)
        np.testing.assert_allclose(curves_grid.accuracy[2], curves_alone.accuracy[0], atol=1e-6)
    best = int(np.argmin(alone.valid_GxE.mse[0]))
    assert alone.best_step_G[0] == alone.steps_E[best]
    assert alone.best_valid_G.mse[0] == alone.valid_GxE.mse[0, best]


def test_early_stopping_keeps_the_best_validation_point(grid_result):
    r = grid_result
    for g in np.flatnonzero(~r.diverged_G):
        accuracy_E, mse_E = r.valid_GxE.accuracy[g], r.valid_GxE.mse[g]
        best = int(np.lexsort((mse_E, -accuracy_E))[0])  # highest accuracy, then lowest MSE
        assert r.best_step_G[g] == r.steps_E[best]
        assert r.best_valid_G.accuracy[g] == accuracy_E[best] and r.best_valid_G.mse[g] == mse_E[best]
        assert r.best_train_G.mse[g] == r.train_GxE.mse[g, best]
        # the test metrics are those of the returned (best) parameters
        scales = layer_scales(mlp_sizes(10, 32, 2, 3), parametrization="standard", weight_var=1.0, bias_var=1.0)
        params = jax.tree.map(lambda a, g=g: a[g], r.params)
        f_test = apply_mlp(params, SPLITS["test"][0], scales, activation="relu")
        np.testing.assert_allclose(f_test, r.test_predictions_GxMxK[g], rtol=1e-5, atol=1e-6)
        assert r.best_test_G.accuracy[g] == pytest.approx(float(accuracy(f_test, SPLITS["test"][1])))


def test_a_larger_program_trains_the_same_nets(grid_result):
    """Compiled for more steps and a padded training set (shape_steps, shape_points), the grid trains the same nets
    bit for bit: the extra blocks are skipped, the padding is never drawn; only the training metrics' sums may round
    differently. Two training sizes then share one compiled program."""
    split = lambda a, n: (a[0][:n], a[1][:n])  # noqa: E731
    shape = dict(shape_steps=240, shape_points=96)
    for n, steps in ((96, 200), (48, 120)):
        net = NET | dict(steps=steps)
        plain = (
            grid_result
            if n == 96
            else train_grid(GRID, split(SPLITS["train"], n), SPLITS["valid"], SPLITS["test"], **net)
        )
        padded = train_grid(GRID, split(SPLITS["train"], n), SPLITS["valid"], SPLITS["test"], **net, **shape)
        assert padded.steps_E.tolist() == plain.steps_E.tolist() == list(range(0, steps + 1, 20))
        for field in ("valid_GxE", "diverged_G", "best_step_G", "best_valid_G", "best_test_G", "params"):
            for a, b in zip(
                jax.tree.leaves(getattr(plain, field)), jax.tree.leaves(getattr(padded, field)), strict=True
            ):
                np.testing.assert_array_equal(a, b)
        for a, b in zip(jax.tree.leaves(plain.train_GxE), jax.tree.leaves(padded.train_GxE), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5)
    program = training._grid_program(mlp_sizes(10, 32, 2, 3), "relu", "standard", 240, 16, 20, "accuracy")
    assert program._cache_size() == 1


def test_minibatch_order_is_the_per_epoch_permutation():
    """Step t of seed s takes batch t mod b of permutation(fold_in(split(key(s))[1], t // b), N), b = N // B: every
    epoch visits N - N mod B distinct points; the steps past `steps` are padding."""
    n, batch, steps = 10, 3, 7
    order = np.asarray(minibatch_order([5, 8], n, batch, steps, shape_steps=9))
    assert order.shape == (2, 9, 3) and not order[:, steps:].any()
    for s, seed in enumerate((5, 8)):
        data_key = jax.random.split(jax.random.key(seed))[1]
        for t in range(steps):
            perm = np.asarray(jax.random.permutation(jax.random.fold_in(data_key, t // 3), n))
            np.testing.assert_array_equal(order[s, t], perm[(t % 3) * 3 : (t % 3) * 3 + 3])
        assert len(set(order[s, :3].ravel())) == 9
    assert not np.array_equal(order[0], order[1])


def test_hyperparameter_grid_is_the_cartesian_product():
    grid = hyperparameter_grid(learning_rate=[1e-3, 1e-2], weight_var=[1.0, 2.0, 3.0], bias_var=[0.0], seed=[0, 1])
    assert grid.seed.shape == (12,)
    assert grid.learning_rate.tolist()[:6] == pytest.approx([1e-3] * 6)
    assert grid.seed.tolist()[:4] == [0, 1, 0, 1] and grid.weight_var.tolist()[:4] == [1.0, 1.0, 2.0, 2.0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(steps=210), "multiples of eval_every"),
        (dict(batch_size=200), "exceeds"),
        (dict(depth=0), "depth"),
        (dict(width=0), "width"),
        (dict(activation="swish"), "unknown activation"),
        (dict(parametrization="mup"), "unknown parametrization"),
        (dict(select_by="loss"), "select_by"),
        (dict(shape_steps=180), "below steps"),
        (dict(shape_steps=250), "multiples of eval_every"),
        (dict(shape_points=50), "below the 96 training points"),
        (dict(grid=GRID._replace(seed=np.array([0, 1]))), "same number"),
        (dict(grid=GRID._replace(learning_rate=np.array([1e-3, -1.0, 1e-3, 1e-3]))), "learning_rate"),
        (dict(valid=(SPLITS["valid"][0][:, :5], SPLITS["valid"][1])), "same input and output"),
    ],
)
def test_grid_rejects_bad_arguments(change, message):
    args = dict(grid=GRID, **SPLITS, **NET) | change
    with pytest.raises(ValueError, match=message):
        train_grid(**args)
