"""What the NTK experiments share: the nets, the MNIST subsets, the learning-rate rule and the kernel summaries.

Nets are fully connected, in the NTK parametrization of Jacot et al. 2018 unless said otherwise:
h^{l+1} = sqrt(weight_var / n_l) W^l a^l + sqrt(bias_var) b^l, every W and b entry N(0, 1); Jacot's beta is
sqrt(bias_var) and his weight scale is weight_var = 1. Their infinite-width kernels are `fc_kernel`'s.

Learning rate. Gradient descent on L = (1/2N) ||f(X) - Y||^2 moves the outputs on the training set by
f <- f - (eta / N) Theta (f - Y) (linearized), stable iff eta < 2 N / lambda_max(Theta) and fastest, uniformly over
the modes, at Lee et al. 2019's eta_critical = 2 N / (lambda_min + lambda_max). `critical_learning_rate` gives it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import numpy as np

from replications.core import nets
from replications.core.data import load_mnist5k, split, standardize_per_example
from replications.core.gp import regression_targets


class Net(NamedTuple):
    """One architecture: its layer sizes, scales and `apply(params, x_BxD) -> f_BxK` (one function object per Net,
    so jitted callers that take it as a static argument compile once per architecture)."""

    sizes: tuple[int, ...]
    scales: tuple[nets.LayerScale, ...]
    apply: Callable[[nets.Params, jax.Array], jax.Array]
    activation: str

    def init(self, key: jax.Array) -> nets.Params:
        return nets.init_mlp(key, self.sizes, self.scales)


def make_net(
    *,
    input_dim: int,
    width: int,
    depth: int,
    output_dim: int = 1,
    activation: str = "relu",
    weight_var: float = 1.0,
    bias_var: float = 0.01,
    parametrization: str = "ntk",
) -> Net:
    """A `depth`-hidden-layer MLP of `width` units (defaults: Jacot et al.'s ReLU net with beta = 0.1)."""
    sizes = nets.mlp_sizes(input_dim, width, depth, output_dim)
    scales = nets.layer_scales(sizes, parametrization=parametrization, weight_var=weight_var, bias_var=bias_var)

    def apply(params: nets.Params, x_BxD: jax.Array) -> jax.Array:
        return nets.apply_mlp(params, x_BxD, scales, activation=activation)

    return Net(sizes, scales, apply, activation)


def critical_learning_rate(ntk_NxN: np.ndarray) -> float:
    """Lee et al. 2019's eta_critical = 2 N / (lambda_min + lambda_max) of the N x N training NTK (module docstring)."""
    eigenvalues = np.linalg.eigvalsh(np.asarray(ntk_NxN, np.float64))
    return float(2 * len(ntk_NxN) / (eigenvalues[0] + eigenvalues[-1]))


class Regression(NamedTuple):
    """MNIST digits as a regression problem: inputs standardized per example (|x|^2 / d = 1), targets one-hot
    shifted to zero mean (-0.1 / 0.9, Lee et al. 2018)."""

    x_train_NxD: np.ndarray
    y_train_NxK: np.ndarray
    labels_train_N: np.ndarray
    x_test_MxD: np.ndarray
    y_test_MxK: np.ndarray
    labels_test_M: np.ndarray


def mnist_regression(train: int, test: int, seed: int) -> Regression:
    """Disjoint class-balanced training and test sets of MNIST 5k (sizes multiples of 10)."""
    parts = split(load_mnist5k(), {"train": train, "test": test}, seed=seed)
    tr, te = parts["train"], parts["test"]
    return Regression(
        standardize_per_example(tr.x_NxD.astype(np.float32)),
        regression_targets(tr.y_N, 10).astype(np.float32),
        tr.y_N,
        standardize_per_example(te.x_NxD.astype(np.float32)),
        regression_targets(te.y_N, 10).astype(np.float32),
        te.y_N,
    )


def mnist_digits(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` random MNIST 5k digits as raw pixels in [0, 1] (x_NxD float64, labels_N): Jacot et al.'s kernel PCA
    inputs (no normalization is stated; raw pixels reproduce the paper's eigenvalues, see the README)."""
    ds = load_mnist5k()
    if not 1 <= count <= len(ds):
        raise ValueError(f"count must be in 1..{len(ds)}, got {count}")
    order = np.random.default_rng(seed).permutation(len(ds))[:count]
    return ds.x_NxD[order].astype(np.float64), ds.y_N[order]
