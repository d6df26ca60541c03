"""The NNGP group's data: class-balanced splits of the embedded MNIST 5k, preprocessed as Lee et al. did.

Preprocessing (papers.md §2.2, the original `load_dataset.py` and `_input_layer_normalization`): subtract the
training set's global mean, then standardize each example over its pixels, so every input has x.x/d = 1. (The
scalar mean subtraction has no effect after the per-example standardization; it is kept for fidelity.)
Targets are the paper's zero-mean one-hot vectors, 0.9 for the class and -0.1 elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from replications.core.data import load_mnist5k, split, standardize_per_example, subtract_mean
from replications.core.gp import regression_targets

NUM_CLASSES = 10


class Part(NamedTuple):
    """One part of a split: standardized inputs (N, 784) float64, labels (N,), regression targets (N, 10)."""

    x_NxD: np.ndarray
    y_N: np.ndarray
    targets_NxC: np.ndarray


def mnist_parts(sizes: Mapping[str, int], seed: int) -> dict[str, Part]:
    """Disjoint class-balanced parts of MNIST 5k of the given sizes (parts of size 0 are left out), preprocessed."""
    wanted = {name: size for name, size in sizes.items() if size > 0}
    parts = split(load_mnist5k(), wanted, seed=seed)
    names = list(parts)
    shifted = subtract_mean(*(parts[name].x_NxD.astype(np.float64) for name in names))
    return {
        name: Part(standardize_per_example(x), parts[name].y_N, regression_targets(parts[name].y_N, NUM_CLASSES))
        for name, x in zip(names, shifted, strict=True)
    }


def nested_train_subsets(labels_N: np.ndarray, sizes: list[int], seed: int) -> dict[int, np.ndarray]:
    """Class-balanced index sets of each size, each a prefix of one class-interleaved random order (so nested)."""
    rng = np.random.default_rng(seed)
    per_class = [rng.permutation(np.flatnonzero(labels_N == c)) for c in range(NUM_CLASSES)]
    interleaved = np.stack([idx[: min(map(len, per_class))] for idx in per_class], axis=1).ravel()
    if max(sizes) > len(interleaved):
        raise ValueError(
            f"training sizes up to {max(sizes)} need {max(sizes)} balanced points; have {len(interleaved)}"
        )
    return {size: np.sort(interleaved[:size]) for size in sizes}
