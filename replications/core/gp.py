"""Gaussian-process regression on a precomputed kernel, as in Lee et al. 2018 (Eq. 8-9 and their `gpr.py`).

Given training targets Y (N x C), the train kernel K = K(X, X) (N x N), the train-test kernel K_* = K(X, X_*)
(N x M) and the test prior variances k_** = K(x_*, x_*) (M,), the posterior of each output at each test point is

    mean_MxC = K_*^T (K + eps I)^{-1} Y,        var_M = k_** - diag(K_*^T (K + eps I)^{-1} K_*),

the same variance for every output column. eps is the original's `stability_eps`, a jitter rather than a noise
model: it starts at 1e-10 and is multiplied by 10 until the Cholesky factorization of K + eps I succeeds; past 0.2
(so 0.1 is the last one tried) it is an error. It is absolute, not relative to the kernel's scale, as in the
original, whose kernels have unit-order diagonals.

Classification is regression on zero-mean one-hot targets (0.9 for the true class, -0.1 for the others with
10 classes): `regression_targets`; prediction is the argmax of the posterior mean: `accuracy`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike

JITTER_MAX = 0.2
# 1e-10, 1e-9, ..., 1e-1: the original's eps, times 10 from 1e-10 while <= JITTER_MAX, as exact powers of ten.
JITTERS = tuple(10.0**k for k in range(-10, 0))
_SOLVE_ELEMENTS = 2**24  # N x (test columns) solved at once for the variances: 128 MB of float64


class GPPosterior(NamedTuple):
    """Posterior mean (M, C), predictive variance (M,) of f at the test points, and the jitter eps used."""

    mean_MxC: np.ndarray
    var_M: np.ndarray
    jitter: float


def cholesky_with_jitter(K_NxN: ArrayLike) -> tuple[np.ndarray, float]:
    """(L, eps) with L lower-triangular, L L^T = K + eps I, for the smallest eps in 1e-10, 1e-9, ... that works.

    Raises ValueError for a non-square or non-finite K, np.linalg.LinAlgError when even eps = 0.1 fails.
    """
    K = np.asarray(K_NxN, dtype=np.float64)
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        raise ValueError(f"the kernel must be a square matrix, got shape {K.shape}")
    if not np.all(np.isfinite(K)):
        raise ValueError("the kernel has non-finite entries (NaN or inf)")
    eye = np.eye(len(K))
    for jitter in JITTERS:
        try:
            return scipy.linalg.cholesky(K + jitter * eye, lower=True, check_finite=False), jitter
        except np.linalg.LinAlgError:
            continue
    raise np.linalg.LinAlgError(
        f"Cholesky of K + eps I failed for every jitter eps up to {JITTERS[-1]:g} (bound {JITTER_MAX}): "
        "the kernel is far from positive semi-definite"
    )


def gp_posterior(K_NxN: ArrayLike, K_NxM: ArrayLike, k_M: ArrayLike, Y_NxC: ArrayLike) -> GPPosterior:
    """The GP posterior mean and variance at M test points (module docstring), in float64.

    K_NxN: train kernel. K_NxM: train-test kernel. k_M: prior variance K(x_*, x_*) of each test point (for
    `fc_kernel(x_train, x_test)` that is `.var2`). Y_NxC: training targets.
    """
    K_NxM = np.asarray(K_NxM, dtype=np.float64)
    k_M = np.asarray(k_M, dtype=np.float64)
    Y_NxC = np.asarray(Y_NxC, dtype=np.float64)
    if Y_NxC.ndim == 1:
        raise ValueError("Y_NxC must be 2-D (points x outputs); reshape a single output to (N, 1)")
    n = np.shape(K_NxN)[0] if np.ndim(K_NxN) == 2 else -1
    if K_NxM.ndim != 2 or K_NxM.shape[0] != n or Y_NxC.shape[0] != n or k_M.shape != (K_NxM.shape[1],):
        raise ValueError(
            f"shapes disagree: K_NxN {np.shape(K_NxN)}, K_NxM {K_NxM.shape}, k_M {k_M.shape}, Y_NxC {Y_NxC.shape}"
        )
    L_NxN, jitter = cholesky_with_jitter(K_NxN)
    alpha_NxC = scipy.linalg.cho_solve((L_NxN, True), Y_NxC, check_finite=False)
    mean_MxC = K_NxM.T @ alpha_NxC
    var_M = np.empty_like(k_M)
    columns = max(1, _SOLVE_ELEMENTS // max(n, 1))
    for start in range(0, len(k_M), columns):
        cols = slice(start, start + columns)
        v_NxB = scipy.linalg.solve_triangular(L_NxN, K_NxM[:, cols], lower=True, check_finite=False)
        var_M[cols] = k_M[cols] - np.einsum("nb,nb->b", v_NxB, v_NxB)
    return GPPosterior(mean_MxC=mean_MxC, var_M=var_M, jitter=jitter)


def regression_targets(labels_N: ArrayLike, num_classes: int) -> np.ndarray:
    """Zero-mean one-hot targets: one_hot(label) - 1 / num_classes (0.9 and -0.1 for ten classes)."""
    labels = np.asarray(labels_N)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D integer array, got {labels.dtype} of shape {labels.shape}")
    if num_classes < 2 or labels.min(initial=0) < 0 or labels.max(initial=0) >= num_classes:
        raise ValueError(f"labels must lie in [0, num_classes) with num_classes >= 2; got num_classes={num_classes}")
    return np.eye(num_classes)[labels] - 1.0 / num_classes


def accuracy(mean_MxC: ArrayLike, labels_M: ArrayLike) -> float:
    """Fraction of test points whose largest posterior-mean output is their label."""
    return float(np.mean(np.argmax(np.asarray(mean_MxC), axis=1) == np.asarray(labels_M)))


def mean_squared_error(mean_MxC: ArrayLike, Y_MxC: ArrayLike) -> float:
    """Mean over test points and outputs of (mean - Y)^2 (the original's mean over points of the mean over outputs)."""
    return float(np.mean((np.asarray(mean_MxC, dtype=np.float64) - np.asarray(Y_MxC, dtype=np.float64)) ** 2))
