"""Lazy training (Chizat, Oyallon & Bach 2019, Fig 1): the symmetrized initialization, one gradient-descent step by
hand, the shapes of recorded paths, and the tables and claim measure of a tiny run."""

import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from replications.core.provenance import read_table
from replications.meanfield import lazy, measures

TINY_CONFIG = lazy.SMOKE_CONFIG | {
    "seed": 0,
    "profile": "test",
    "trajectory_steps": 50,
    "trajectory_iterates": 10,
    "dimension": 5,
    "width": 6,
    "train_points": 20,
    "test_points": 10,
    "tau_count": 4,
    "trials": 2,
    "steps": 20,
    "test_every": 5,
    "max_step_size": 1.0,  # 10 (the paper's, for d = 100) diverges in d = 5
}


@pytest.mark.parametrize("init", [lazy.trajectory_init, lazy.sweep_init])
@pytest.mark.parametrize("tau", [0.01, 1.0, 10.0])
def test_symmetrized_init_is_zero_function(init, tau):
    params = lazy.scaled(init(np.random.default_rng(3), 8, 4), tau)
    x_NxD = lazy.sphere(np.random.default_rng(4), 50, 4)
    assert params.A_MxD.shape == (8, 4) and params.b_M.shape == (8,)
    np.testing.assert_allclose(lazy.apply_student(params, x_NxD), np.zeros(50), atol=1e-6 * tau**2)
    assert float(jnp.min(jnp.abs(params.b_M))) > 0  # zero by cancellation, not because the units are dead


def test_gd_step_matches_hand_computation():
    """d = 2, two units, two points. Unit 2 is inactive on x_1 (<a_2, x_1> < 0), so ReLU' masks it there."""
    A = np.array([[1.0, 0.5], [-1.0, 2.0]])
    b = np.array([2.0, -1.0])
    x = np.array([[1.0, 0.0], [0.6, 0.8]])
    y = np.array([0.5, -1.0])
    eta = 0.1
    # by hand: z = x A^T = [[1, -1], [1.0, 1.0]]; ReLU(z) = [[1, 0], [1, 1]]; f = [2, 1]; r = (f - y) / n
    r = np.array([2.0 - 0.5, 1.0 + 1.0]) / 2
    grad_b = np.array([r[0] * 1 + r[1] * 1, r[0] * 0 + r[1] * 1])
    grad_A = np.array([b[0] * (r[0] * x[0] + r[1] * x[1]), b[1] * (r[1] * x[1])])
    step = lazy.gd_step(lazy.Student(jnp.asarray(A), jnp.asarray(b)), x, y, eta)
    np.testing.assert_allclose(step.A_MxD, A - eta * grad_A, rtol=1e-6)
    np.testing.assert_allclose(step.b_M, b - eta * grad_b, rtol=1e-6)
    np.testing.assert_allclose(lazy.half_mse(lazy.Student(jnp.asarray(A), jnp.asarray(b)), x, y), (1.5**2 + 2**2) / 4)


def test_recorded_path_shapes():
    steps_R = lazy.recorded_steps(1000, 20)
    assert steps_R[0] == 0 and steps_R[-1] == 1000 and np.all(np.diff(steps_R) > 0)
    data = lazy.make_data(np.random.default_rng(0), d=2, teacher_neurons=3, train_points=7, test_points=5)
    assert data.x_train_NxD.shape == (7, 2) and data.y_test_P.shape == (5,)
    np.testing.assert_allclose(jnp.linalg.norm(data.teacher.W_KxD, axis=1), 1.0, rtol=1e-6)
    init = lazy.trajectory_init(np.random.default_rng(1), 6, 2)
    path = lazy.gd_path(init, data.x_train_NxD, data.y_train_N, 0.01, jnp.asarray(np.diff(steps_R, prepend=0)))
    assert path.A_MxD.shape == (len(steps_R), 6, 2) and path.b_M.shape == (len(steps_R), 6)
    np.testing.assert_array_equal(path.A_MxD[0], init.A_MxD)  # iterate 0 is the initialization


def test_tables_and_tau_grid(tmp_path):
    outputs = {name: tmp_path / f"{name}.csv" for name in ("lazy_trajectories", "lazy_teacher", "lazy_test_loss")}
    lazy.lazy(TINY_CONFIG, outputs)
    losses = read_table(outputs["lazy_test_loss"])
    np.testing.assert_allclose(np.sort(losses["tau"].unique()), lazy.tau_grid(TINY_CONFIG))
    np.testing.assert_allclose(lazy.tau_grid(lazy.DEFAULT_CONFIG)[[0, -1]], [10**-2.2, 10.0])
    assert len(losses) == TINY_CONFIG["tau_count"] * TINY_CONFIG["trials"]
    assert {"dimension", "tau", "trial", "final_test_loss", "best_test_loss"} <= set(losses.columns)
    assert (losses["best_test_loss"] <= losses["final_test_loss"]).all() and not losses["diverged"].any()
    np.testing.assert_allclose(losses["step_size"], np.minimum(1.0, 0.1 / losses["tau"] ** 2))
    paths = read_table(outputs["lazy_trajectories"])
    assert set(paths["tau"]) == set(TINY_CONFIG["trajectory_taus"])
    assert len(paths) == 2 * TINY_CONFIG["trajectory_width"] * paths["step"].nunique()
    assert paths["step"].max() == TINY_CONFIG["trajectory_steps"] and set(paths["sign"]) <= {-1, 1}
    teacher = read_table(outputs["lazy_teacher"])
    assert len(teacher) == 3 and set(teacher["sign"]) <= {-1, 1}
    assert losses.attrs["provenance"]["config"]["seed"] == 0


def test_test_loss_ratio():
    table = pd.DataFrame(
        {
            "dimension": 100,
            "tau": [0.01, 0.01, 1.0, 1.0, 10.0, 10.0],
            "trial": [0, 1] * 3,
            "final_test_loss": [1.0, 3.0, 9.0, 9.0, 5.0, 7.0],
        }
    )
    assert lazy.test_loss_ratio(table) == pytest.approx(3.0)
    table.loc[5, "final_test_loss"] = np.nan  # a diverged run is not skipped
    assert np.isnan(lazy.test_loss_ratio(table))


def test_lazy_ratio_claim_is_the_ratio_of_means_with_the_trials_jackknife():
    """The claim's value is the ratio of the mean test losses over trials (not the mean of the trials' ratios), its
    interval the jackknife's over the ratio with one trial left out, floored at 0; n counts the trials."""
    small, large = np.array([1.0, 3.0, 2.0]), np.array([9.0, 9.0, 3.0])
    table = pd.DataFrame(
        {"dimension": 100, "tau": tau, "trial": trial, "final_test_loss": losses[trial]}
        for tau, losses in ((0.01, small), (10.0, large))
        for trial in range(3)
    )
    estimate = measures.lazy_ratio(table)
    ratio = large.mean() / small.mean()
    assert estimate.value == pytest.approx(ratio) and estimate.n == 3
    assert np.mean(large / small) != pytest.approx(ratio)
    left_out = np.array([np.delete(large, i).mean() / np.delete(small, i).mean() for i in range(3)])
    half = scipy_stats.t.ppf(0.975, 2) * np.sqrt(2 / 3 * np.sum((left_out - left_out.mean()) ** 2))
    assert estimate.ci == pytest.approx((max(ratio - half, 0.0), ratio + half))
