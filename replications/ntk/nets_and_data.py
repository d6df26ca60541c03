"""What the NTK experiments share: the nets, the MNIST subsets, the learning-rate rule and the kernel summaries.

Nets are fully connected, in the NTK parametrization of Jacot et al. 2018 unless said otherwise:
h^{l+1} = sqrt(weight_var / n_l) W^l a^l + sqrt(bias_var) b^l, every W and b entry N(0, 1); Jacot's beta is
sqrt(bias_var) and his weight scale is weight_var = 1. Their infinite-width kernels are `fc_kernel`'s.

Learning rate. Gradient descent on L = (1/2N) ||f(X) - Y||^2 moves the outputs on the training set by
f <- f - (eta / N) Theta (f - Y) (linearized), stable iff eta < 2 N / lambda_max(Theta) and fastest, uniformly over
the modes, at Lee et al. 2019's eta_critical = 2 N / (lambda_min + lambda_max). `critical_learning_rate` gives it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import jax
import numpy as np

from replications.core import nets
from replications.core.data import load_mnist5k, standardize_per_example
from replications.nngp.loading import load_file


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


class TwoClass(NamedTuple):
    """A two-class subset as a scalar regression problem (Lee et al. 2019): inputs standardized per example
    (|x|^2 / d = 1), targets +1 for the first class and -1 for the second; training and test parts disjoint and
    class-balanced."""

    x_train_NxD: np.ndarray
    y_train_N: np.ndarray
    x_test_MxD: np.ndarray
    y_test_M: np.ndarray


def _draw(labels_N: np.ndarray, label: int, count: int, rng: np.random.Generator, name: str) -> list[int]:
    available = np.flatnonzero(labels_N == label)
    if len(available) < count:
        raise ValueError(f"class {label} of {name} has {len(available)} examples, {count} needed")
    return rng.choice(available, count, replace=False).tolist()


def two_class_subset(dataset: Mapping[str, Any], classes: Sequence[int], train: int, test: int, seed: int) -> TwoClass:
    """`train` and `test` examples (even numbers) of the two `classes` of `dataset` ({name, directory}: mnist5k,
    embedded; mnist or cifar10 from the user's folder, see `replications.nngp.loading`), drawn at random for `seed`;
    mnist5k's test part comes from the same pool, the full datasets' from their test file."""
    if len(classes) != 2 or classes[0] == classes[1]:
        raise ValueError(f"classes must be two different labels, got {list(classes)}")
    if train < 2 or test < 2 or train % 2 or test % 2:
        raise ValueError(f"train and test must be even numbers >= 2, got {train} and {test}")
    rng = np.random.default_rng(seed)
    if dataset["name"] == "mnist5k":
        pool = load_mnist5k()
        sources = {"train": pool, "test": pool}
    else:
        sources = {which: load_file(dataset, which) for which in ("train", "test")}
    chosen = {"train": [], "test": []}
    for label in classes:
        if sources["train"] is sources["test"]:  # one pool: one draw, split in two
            drawn = _draw(sources["train"].y_N, label, train // 2 + test // 2, rng, dataset["name"])
            chosen["train"] += drawn[: train // 2]
            chosen["test"] += drawn[train // 2 :]
        else:
            chosen["train"] += _draw(sources["train"].y_N, label, train // 2, rng, dataset["name"])
            chosen["test"] += _draw(sources["test"].y_N, label, test // 2, rng, dataset["name"])
    parts = {}
    for which in ("train", "test"):
        index = rng.permutation(np.array(chosen[which]))
        x = standardize_per_example(sources[which].x_NxD[index].astype(np.float64)).astype(np.float32)
        parts[which] = (x, np.where(sources[which].y_N[index] == classes[0], 1.0, -1.0).astype(np.float32))
    return TwoClass(*parts["train"], *parts["test"])


def mnist_digits(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` random MNIST 5k digits as raw pixels in [0, 1] (x_NxD float64, labels_N): Jacot et al.'s kernel PCA
    inputs (no normalization is stated; raw pixels reproduce the paper's eigenvalues, see the README)."""
    ds = load_mnist5k()
    if not 1 <= count <= len(ds):
        raise ValueError(f"count must be in 1..{len(ds)}, got {count}")
    order = np.random.default_rng(seed).permutation(len(ds))[:count]
    return ds.x_NxD[order].astype(np.float64), ds.y_N[order]
