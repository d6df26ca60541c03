"""Two-layer nets in the mean-field and NTK scalings: conventions, training, the closed-form NTK, particle statistics,
and the mean-field group's measures on tables with known answers."""

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from replications.core.provenance import read_table
from replications.core.two_layer import (
    TwoLayer,
    apply_two_layer,
    learning_rate,
    train_two_layer,
    two_layer_ntk,
    unit_movement,
)
from replications.meanfield import measures, particles

RNG = np.random.default_rng(0)
X_6x3 = RNG.normal(size=(6, 3)).astype(np.float32)
Y_6 = RNG.normal(size=6).astype(np.float32)


def _params(n: int, seed: int = 0) -> TwoLayer:
    k = jax.random.split(jax.random.key(seed), 3)
    return TwoLayer(jax.random.normal(k[0], (n,)), jax.random.normal(k[1], (n, 3)), jax.random.normal(k[2], (n,)))


@pytest.mark.parametrize("gamma", [0.5, 1.0])
def test_output_scaling_and_learning_rate(gamma):
    p = _params(8)
    by_hand = np.tanh(X_6x3 @ np.asarray(p.W_NxD).T + np.asarray(p.b_N)) @ np.asarray(p.a_N) / 8**gamma
    np.testing.assert_allclose(apply_two_layer(p, X_6x3, gamma=gamma, activation="tanh"), by_hand, rtol=1e-5)
    assert learning_rate(0.1, 64, gamma) == pytest.approx(0.1 * 64 ** (2 * gamma - 1))


def test_one_gradient_step_by_hand():
    """theta <- theta - s grad (1/2) mean (f - y)^2 for one unit of a mean-field net (N = 1)."""
    p = TwoLayer(jnp.array([0.7]), jnp.array([[0.2, -0.1, 0.4]]), jnp.array([0.3]))
    x, y = X_6x3[:2], Y_6[:2]
    u = x @ np.asarray(p.W_NxD[0]) + 0.3
    r = 0.7 * np.tanh(u) - y  # residual, N = 1
    grad_a = np.mean(r * np.tanh(u))
    grad_w = np.mean((r * 0.7 * (1 - np.tanh(u) ** 2))[:, None] * x, axis=0)
    run = train_two_layer(p, x, y, gamma=1.0, activation="tanh", step_size=0.5, steps=1, record_every=1)
    np.testing.assert_allclose(run.params.a_N, [0.7 - 0.5 * grad_a], rtol=1e-5)
    np.testing.assert_allclose(run.params.W_NxD[0], np.asarray(p.W_NxD[0]) - 0.5 * grad_w, rtol=1e-5)
    fixed = train_two_layer(
        p, x, y, gamma=1.0, activation="tanh", step_size=0.5, steps=1, record_every=1, train_a=False
    )
    np.testing.assert_array_equal(fixed.params.a_N, p.a_N)


def test_stop_loss_freezes_at_the_first_step_that_reaches_it():
    p = _params(32)
    kw = dict(gamma=1.0, activation="relu", step_size=learning_rate(0.2, 32, 1.0), steps=200, record_every=1)
    full = train_two_layer(p, X_6x3, Y_6, **kw)
    target = float(full.loss_R[37])
    stopped = train_two_layer(p, X_6x3, Y_6, **kw, stop_loss=target)
    first = int(np.flatnonzero(np.asarray(full.loss_R) <= target)[0])
    assert int(stopped.steps_taken) == first
    np.testing.assert_allclose(stopped.loss_R[first:], stopped.loss_R[first], rtol=1e-6)
    assert int(full.steps_taken) == 200


def test_closed_form_ntk_is_the_jacobian_ntk():
    p = _params(16)
    for gamma in (0.5, 1.0):
        jac = jax.jacobian(lambda q, g=gamma: apply_two_layer(q, X_6x3, gamma=g, activation="tanh"))(p)
        J = np.concatenate([np.asarray(leaf).reshape(6, -1) for leaf in jax.tree.leaves(jac)], axis=1)
        np.testing.assert_allclose(two_layer_ntk(p, X_6x3, gamma=gamma, activation="tanh"), J @ J.T, rtol=1e-4)


def test_unit_movement():
    p = _params(4)
    moved = TwoLayer(p.a_N + 3.0, p.W_NxD.at[:, 0].add(4.0), p.b_N)
    np.testing.assert_allclose(unit_movement(moved, p), 5.0)


def test_measures_on_known_tables():
    widths = np.array([32, 64, 128, 256])
    changes = pd.DataFrame(
        {"scaling": np.repeat(["ntk", "mean field"], 4), "width": np.tile(widths, 2), "seed": 0}
        | {"unit_movement": np.r_[widths**-0.5, np.full(4, 0.6)], "kernel_change": np.r_[widths**-1.0, np.ones(4)]}
    )
    slopes = {name: estimate.value for name, estimate in measures.contrast_slopes(changes).items()}
    assert slopes == pytest.approx({"ntk": -0.5, "mf": 0.0, "kernel_ntk": -1.0, "kernel_mf": 0.0}, abs=1e-9)
    losses = pd.DataFrame(
        {"particles": 100, "seed": np.repeat([0, 1, 2, 3], 2), "time": [0, 9] * 4}
        | {"loss": [1.0, 1e-4, 2.0, 1e-2, 1.0, 1e-5, 0.5, 1e-4]}
    )
    assert measures.global_min_fraction(losses).value == pytest.approx(0.75)
    rv = pd.DataFrame({"units": [8, 16, 32], "seed": 0, "train_loss": [0.8, 0.4, 0.2], "test_loss": [0.4, 0.1, 0.025]})
    assert measures.loss_slope(rv).value == pytest.approx(-1.0)
    assert measures.loss_slope(rv, "test_loss").value == pytest.approx(-2.0)


def test_rv_scaling_trains_online_on_fresh_samples(tmp_path):
    """Rotskoff & Vanden-Eijnden's task: one-pass SGD sees more samples than any width has parameters, and reports a
    training (recent batch) loss and a held-out test loss for every width and seed."""
    config = {"seed": 0, "profile": "test", "dimension": 3, "batch": 16, "window": 5, "test_points": 64}
    config |= {"units": [4, 8], "seeds": 2, "eta": 0.5, "steps": 40}
    particles.rv_scaling(config, {"rv_losses": tmp_path / "rv.csv"})
    rows = read_table(tmp_path / "rv.csv")
    assert len(rows) == 4 and set(rows["units"]) == {4, 8}
    assert (rows["samples_seen"] > rows["parameters"]).all() and not rows["diverged"].any()
    assert (rows[["train_loss", "test_loss"]] > 0).all().all()
