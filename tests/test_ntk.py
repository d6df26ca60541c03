"""The NTK group: low-rank gradient descent against plain gradient descent, the flax modules against `nets`, the
learning-rate rule, kernel PCA, and the claim measures on tables with known answers."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pandas as pd
import pytest

from replications.core import nets
from replications.core.delayed_gd import train_mlp_gd
from replications.core.flax_mlp import MLP, from_params, to_params
from replications.core.training import train_full_batch
from replications.ntk import measures
from replications.ntk.experiments import _principal_components
from replications.ntk.nets_and_data import critical_learning_rate, make_net, two_class_subset

X_5x3 = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
Y_5x2 = np.random.default_rng(1).normal(size=(5, 2)).astype(np.float32)


@pytest.mark.parametrize(
    ("activation", "parametrization", "steps", "flush_every"),
    [("relu", "ntk", 40, 8), ("tanh", "standard", 37, 8), ("erf", "ntk", 5, 16), ("relu", "ntk", 12, 1)],
)
def test_low_rank_gradient_descent_is_gradient_descent(activation, parametrization, steps, flush_every):
    """Equal to plain gradient descent to rounding: in float64, so that no ReLU kink flips between the two."""
    with jax.enable_x64(True):
        net = make_net(
            input_dim=3, width=48, depth=3, output_dim=2, activation=activation, weight_var=1.5, bias_var=0.1,
            parametrization=parametrization,
        )  # fmt: skip
        params = jax.tree.map(lambda a: a.astype(jnp.float64), net.init(jax.random.key(0)))
        x, y = X_5x3.astype(np.float64), Y_5x2.astype(np.float64)
        lr = 0.5 if parametrization == "ntk" else 0.05
        plain = train_full_batch(net.apply, params, x, y, optax.sgd(lr), steps=steps, record_every=steps)
        fast = train_mlp_gd(
            params, x, y, net.scales, activation=activation, learning_rate=lr, steps=steps, flush_every=flush_every
        )
        np.testing.assert_allclose(fast.loss_R, plain.loss_R, rtol=1e-10)
        for a, b in zip(jax.tree.leaves(fast.params), jax.tree.leaves(plain.params), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)
        assert not fast.diverged and fast.loss_R[-1] < fast.loss_R[0]


def test_low_rank_gradient_descent_records_divergence():
    net = make_net(input_dim=3, width=16, depth=2, output_dim=2)
    run = train_mlp_gd(
        net.init(jax.random.key(1)), X_5x3, Y_5x2, net.scales, activation="relu", learning_rate=1e4, steps=50
    )
    assert bool(run.diverged)
    with pytest.raises(ValueError, match="steps and flush_every"):
        train_mlp_gd(
            net.init(jax.random.key(1)), X_5x3, Y_5x2, net.scales, activation="relu", learning_rate=1.0, steps=0
        )


@pytest.mark.parametrize("parametrization", ["ntk", "standard"])
def test_flax_module_is_the_net(parametrization):
    model = MLP(hidden=(32, 16), output_dim=2, parametrization=parametrization, weight_var=2.0, bias_var=0.1)
    variables = model.init(jax.random.key(2), X_5x3)
    params = to_params(variables)
    scales = model.scales(3)
    np.testing.assert_allclose(
        model.apply(variables, X_5x3), nets.apply_mlp(params, X_5x3, scales, activation="relu"), rtol=1e-5
    )
    assert jax.tree.all(jax.tree.map(jnp.array_equal, from_params(params), variables))
    # the tools of `nets` serve flax models: the structural NTK equals the Jacobian NTK of model.apply
    scalar_apply = lambda p, x: model.apply(from_params(p), x)[:, :1]  # noqa: E731
    np.testing.assert_allclose(
        nets.mlp_ntk(params, X_5x3, scales=scales, activation="relu"),
        nets.empirical_ntk(scalar_apply, params, X_5x3),
        rtol=1e-4,
    )
    # initial variances follow the parametrization
    wide = MLP(hidden=(2000,), output_dim=1, parametrization=parametrization, weight_var=2.0, bias_var=0.5)
    W = to_params(wide.init(jax.random.key(3), X_5x3))[1]["W"]
    expected = 1.0 if parametrization == "ntk" else 2.0 / 2000
    assert np.var(np.asarray(W)) == pytest.approx(expected, rel=0.1)


def test_critical_learning_rate():
    assert critical_learning_rate(np.diag([1.0, 3.0, 5.0])) == pytest.approx(2 * 3 / (1.0 + 5.0))


def test_kernel_pca_is_orthonormal_in_p_in():
    x = np.random.default_rng(3).normal(size=(40, 6))
    theta = x @ x.T + 0.5
    lam, f_KxN = _principal_components(theta, 3)
    np.testing.assert_allclose(f_KxN @ f_KxN.T / 40, np.eye(3), atol=1e-10)
    np.testing.assert_allclose((theta / 40) @ f_KxN.T, f_KxN.T * lam, atol=1e-9)  # eigenfunctions of T
    assert np.all(np.diff(lam) < 0)
    assert np.all(f_KxN[np.arange(3), np.argmax(np.abs(f_KxN), axis=1)] > 0)


MNIST5K = {"name": "mnist5k", "directory": None}


def test_two_class_subset():
    data = two_class_subset(MNIST5K, [3, 8], 20, 30, seed=0)
    assert data.x_train_NxD.shape == (20, 784) and data.x_test_MxD.shape == (30, 784)
    np.testing.assert_allclose(np.mean(data.x_train_NxD**2, axis=1), 1.0, rtol=1e-4)
    assert sorted(set(data.y_train_N.tolist())) == [-1.0, 1.0] and data.y_train_N.sum() == 0
    assert data.y_test_M.sum() == 0
    # one pool: training and test digits are disjoint
    rows = {row.tobytes() for row in data.x_train_NxD}
    assert not rows & {row.tobytes() for row in data.x_test_MxD}
    again = two_class_subset(MNIST5K, [3, 8], 20, 30, seed=0)
    np.testing.assert_array_equal(again.x_train_NxD, data.x_train_NxD)


@pytest.mark.parametrize(
    ("classes", "train", "test", "message"),
    [
        ([3, 3], 20, 20, "two different labels"),
        ([3], 20, 20, "two different labels"),
        ([3, 8], 21, 20, "even numbers"),
        ([3, 8], 20, 0, "even numbers"),
        ([3, 8], 4000, 20, "has 500 examples, 2010 needed"),
    ],
)
def test_two_class_subset_rejects_bad_requests(classes, train, test, message):
    with pytest.raises(ValueError, match=message):
        two_class_subset(MNIST5K, classes, train, test, seed=0)


def _kernel_table(stds: dict[int, float], inits: int, angles: int, movement: dict[int, float]) -> pd.DataFrame:
    """Synthetic Theta rows: base + std_n * z at t = 0, and (1 + movement_n) times that at t = 1."""
    rng = np.random.default_rng(4)
    gamma = np.linspace(-np.pi, np.pi, angles)
    base = 1.0 + np.cos(gamma)
    rows = []
    for width, std in stds.items():
        theta0 = base + std * rng.normal(size=(inits, angles))
        for init in range(inits):
            for time, theta in ((0.0, theta0[init]), (1.0, theta0[init] * (1 + movement[width]))):
                rows += [
                    {"width": width, "init": init, "trained": True, "time": time, "gamma": g, "ntk": v}
                    for g, v in zip(gamma, theta, strict=True)
                ]
    return pd.DataFrame(rows)


def test_kernel_measures_on_known_tables():
    stds = {100: 0.2, 400: 0.1}  # n^-1/2
    kernels = _kernel_table(stds, inits=400, angles=17, movement={100: 0.2, 400: 0.05})  # n^-1
    ratio = measures.std_ratio(kernels)
    low, high = ratio.ci
    assert low < ratio.value < high and low <= 1.0 <= high and high - low < 0.2 and ratio.n == 800
    move = measures.move_ratio(kernels)
    assert move.value == pytest.approx(0.25 / 0.5)
    limit = pd.DataFrame({"gamma": np.linspace(-np.pi, np.pi, 17), "ntk": 1.0 + np.cos(np.linspace(-np.pi, np.pi, 17))})
    assert measures.limit_error(kernels, limit).value < 0.02


def test_function_measures_on_known_tables():
    rng = np.random.default_rng(5)
    gamma = np.linspace(-np.pi, np.pi, 9)
    mean, std = np.sin(gamma), 0.1 + 0.05 * np.cos(gamma) ** 2
    f = mean + std * rng.normal(size=(2000, 9))
    functions = pd.DataFrame(
        [
            {"width": w, "init": i, "gamma": g, "f": v}
            for w in (10, 1000)
            for i in range(2000)
            for g, v in zip(gamma, f[i], strict=True)
        ]
    )
    errors = measures.function_errors(functions, pd.DataFrame({"gamma": gamma, "mean": mean, "std": std}))
    assert errors["mean_err"].value < 0.05
    assert errors["std_ratio"].value == pytest.approx(1.0, abs=0.03)
    assert errors["std_ratio"].ci[0] <= 1.0 <= errors["std_ratio"].ci[1]


def test_width_slopes_and_local_slopes():
    widths = np.array([64, 128, 256, 512])
    table = pd.DataFrame({"width": np.repeat(widths, 2), "seed": [0, 1] * 4, "parametrization": "ntk"})
    table["activation"] = "erf"
    table["weight_change"] = 3.0 * table["width"] ** -0.5
    table["first_layer_change"] = table["weight_change"]
    table["ntk_change"] = 2.0 * table["width"] ** -1.0 * np.where(table["seed"] == 0, 1.0, 1.5)
    table["nngp_change"] = table["ntk_change"]
    slopes = measures.lee_slopes(table, "erf")
    assert slopes["weight_change"].value == pytest.approx(-0.5) and slopes["ntk_change"].value == pytest.approx(-1.0)
    assert slopes["ntk_change"].ci == pytest.approx((-1.0, -1.0)) and slopes["ntk_change"].n == 2
    local = measures.local_slopes(table[table["activation"] == "erf"], "ntk_change")
    np.testing.assert_allclose(local["width"], np.sqrt(widths[:-1] * widths[1:]))
    np.testing.assert_allclose(local[["slope", "lo", "hi"]], -1.0)


def test_decay_ratio_recovers_a_known_rate():
    lam2, times = 1e-3, np.arange(0.0, 4001.0, 40.0)
    training = pd.DataFrame(
        [
            {"width": 1000, "trial": trial, "time": t, "g": -0.5 * np.exp(-factor * lam2 * t)}
            for trial, factor in enumerate((1.8, 2.2))
            for t in times
        ]
    )
    eigenvalues = pd.DataFrame({"kernel": "analytic", "rank": [1, 2], "eigenvalue": [0.04, lam2]})
    ratio = measures.decay_ratio(training, eigenvalues, 1000)
    assert ratio.value == pytest.approx(2.0) and ratio.n == 2 and ratio.ci[0] < 2.0 < ratio.ci[1]
