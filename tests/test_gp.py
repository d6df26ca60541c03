"""Tests of replications.core.gp: posteriors with known answers, jitter escalation, targets and metrics."""

from __future__ import annotations

import numpy as np
import pytest

from replications.core import gp
from replications.core.kernels import fc_kernel


def _rbf(a_N: np.ndarray, b_M: np.ndarray, length: float = 0.7) -> np.ndarray:
    return np.exp(-((a_N[:, None] - b_M[None, :]) ** 2) / (2 * length**2))


def test_noiseless_interpolation_of_training_points():
    x = np.random.default_rng(0).normal(size=(15, 6))
    k = fc_kernel(x, depth=3, activation="relu", weight_var=1.8, bias_var=0.1)
    y = np.random.default_rng(1).normal(size=(15, 3))
    post = gp.gp_posterior(k.nngp, k.nngp, k.var1, y)
    assert post.jitter == 1e-10
    np.testing.assert_allclose(post.mean_MxC, y, atol=1e-6)
    np.testing.assert_allclose(post.var_M, 0.0, atol=1e-8)
    assert post.mean_MxC.dtype == np.float64 and post.var_M.shape == (15,)


def test_one_training_point_by_hand():
    # K = [[2]], K_* = [[1, 0.5]], k_** = [2, 1], y = [[3, -1]]: mean = K_*^T y / 2, var = k_** - K_*^2 / 2.
    post = gp.gp_posterior([[2.0]], [[1.0, 0.5]], [2.0, 1.0], [[3.0, -1.0]])
    np.testing.assert_allclose(post.mean_MxC, [[1.5, -0.5], [0.75, -0.25]], rtol=1e-9)
    np.testing.assert_allclose(post.var_M, [2.0 - 0.5, 1.0 - 0.125], rtol=1e-9)


def test_one_dimensional_posterior_against_the_textbook_formula():
    x_train, x_test = np.array([-1.0, 0.0, 0.8, 2.0]), np.linspace(-2, 3, 7)
    y = np.sin(x_train)[:, None]
    K, K_star = _rbf(x_train, x_train), _rbf(x_train, x_test)
    post = gp.gp_posterior(K, K_star, np.ones(len(x_test)), y)
    inverse = np.linalg.inv(K + post.jitter * np.eye(4))
    np.testing.assert_allclose(post.mean_MxC[:, 0], K_star.T @ inverse @ y[:, 0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(post.var_M, 1 - np.einsum("nm,nk,km->m", K_star, inverse, K_star), atol=1e-12)


def test_jitter_escalates_on_an_indefinite_kernel_and_is_recorded():
    # A kernel with eigenvalue -1e-7 (a rounding-damaged Gram matrix): 1e-10 ... 1e-7 fail, 1e-6 works.
    q, _ = np.linalg.qr(np.random.default_rng(2).normal(size=(5, 5)))
    K = q @ np.diag([3.0, 1.0, 0.5, 0.0, -1e-7]) @ q.T
    L, jitter = gp.cholesky_with_jitter(K)
    assert jitter == pytest.approx(1e-6) and jitter > 1e-10
    np.testing.assert_allclose(L @ L.T, K + jitter * np.eye(5), atol=1e-12)
    post = gp.gp_posterior(K, K[:, :2], np.diag(K)[:2], np.ones((5, 1)))
    assert post.jitter == jitter


def test_singular_kernel_escalates_jitter():
    # A rank-one kernel of scale 1e6: its zero eigenvalues come out as +-1e-9 rounding noise, so eps = 1e-10
    # fails and the escalation stops at the first jitter above the noise (1e-8 here).
    x_N = np.random.default_rng(0).normal(size=60)
    K = 1e6 * np.outer(x_N, x_N)
    post = gp.gp_posterior(K, K[:, :5], np.diag(K)[:5], x_N[:, None])
    assert 1e-10 < post.jitter <= 1e-7
    np.testing.assert_allclose(post.mean_MxC[:, 0], x_N[:5], rtol=1e-6)  # the targets lie in K's range


def test_jitter_beyond_the_bound_is_an_error():
    with pytest.raises(np.linalg.LinAlgError, match=r"every jitter eps up to 0.1 \(bound 0.2\)"):
        gp.cholesky_with_jitter(-np.eye(3))
    with pytest.raises(ValueError, match="non-finite"):
        gp.cholesky_with_jitter(np.array([[1.0, np.nan], [np.nan, 1.0]]))
    assert gp.JITTERS[0] == 1e-10 and gp.JITTERS[-1] == pytest.approx(0.1) and max(gp.JITTERS) <= gp.JITTER_MAX


def test_shapes_are_checked():
    with pytest.raises(ValueError, match="square"):
        gp.cholesky_with_jitter(np.ones((2, 3)))
    with pytest.raises(ValueError, match="shapes disagree"):
        gp.gp_posterior(np.eye(3), np.ones((3, 2)), np.ones(3), np.ones((3, 1)))
    with pytest.raises(ValueError, match="must be 2-D"):
        gp.gp_posterior(np.eye(3), np.ones((3, 2)), np.ones(2), np.ones(3))


def test_variances_are_solved_in_column_chunks(monkeypatch):
    x = np.linspace(-2, 2, 9)
    whole = gp.gp_posterior(_rbf(x, x), _rbf(x, x + 0.3), np.ones(9), x[:, None])
    monkeypatch.setattr(gp, "_SOLVE_ELEMENTS", 20)  # two test columns at a time
    chunked = gp.gp_posterior(_rbf(x, x), _rbf(x, x + 0.3), np.ones(9), x[:, None])
    np.testing.assert_allclose(chunked.var_M, whole.var_M, rtol=1e-14)


def test_regression_targets_are_the_papers_zero_mean_one_hot():
    y = gp.regression_targets(np.array([0, 3, 9]), 10)
    np.testing.assert_allclose(y[1], [-0.1, -0.1, -0.1, 0.9, -0.1, -0.1, -0.1, -0.1, -0.1, -0.1])
    np.testing.assert_allclose(y.sum(axis=1), 0.0, atol=1e-15)
    with pytest.raises(ValueError, match=r"lie in \[0, num_classes\)"):
        gp.regression_targets(np.array([0, 10]), 10)
    with pytest.raises(ValueError, match="integer"):
        gp.regression_targets(np.array([0.0, 1.0]), 10)


def test_accuracy_and_mean_squared_error():
    mean = np.array([[0.9, -0.1], [0.2, 0.4], [-0.3, -0.2]])
    assert gp.accuracy(mean, np.array([0, 1, 0])) == pytest.approx(2 / 3)
    y = gp.regression_targets(np.array([0, 1, 0]), 2)  # rows (0.5, -0.5), (-0.5, 0.5), (0.5, -0.5)
    assert gp.mean_squared_error(mean, y) == pytest.approx(np.mean((mean - y) ** 2))
    assert gp.mean_squared_error(y, y) == 0.0


def test_nngp_classifies_separated_clusters():
    rng = np.random.default_rng(4)
    centers = 3 * rng.normal(size=(3, 10))
    labels = np.repeat(np.arange(3), 20)
    x = centers[labels] + rng.normal(size=(60, 10))
    train, test = np.arange(60) % 2 == 0, np.arange(60) % 2 == 1
    k = fc_kernel(x[train], x[test], depth=2, activation="relu", weight_var=1.5, bias_var=0.05)
    k_train = fc_kernel(x[train], depth=2, activation="relu", weight_var=1.5, bias_var=0.05)
    post = gp.gp_posterior(k_train.nngp, k.nngp, k.var2, gp.regression_targets(labels[train], 3))
    assert gp.accuracy(post.mean_MxC, labels[test]) == 1.0
    assert np.all(post.var_M > 0) and np.all(post.var_M < k.var2)
