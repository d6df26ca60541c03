"""Loading and preprocessing the NNGP group's data: class-balanced splits of the configured dataset
(`nngp.dataset`; MNIST 5k by default), preprocessed as Lee et al. did. (Which datasets exist, and the checks
of the config that need no file, are in `datasets`.)

MNIST 5k is one pool: every part is drawn from its 5000 digits together. The full datasets (MNIST, Fashion-MNIST,
CIFAR-10) keep their own test set: the parts other than `test` are drawn from the training file, `test` from the
test file, whole where `test` is its size (10 000: MNIST's test set is not class-balanced), else class-balanced.
Nothing is downloaded; an absent file raises `DataError` naming the file, the folder and how to provide it.

Preprocessing (papers.md §2.2, the original `load_dataset.py` and `_input_layer_normalization`): subtract the
training set's global mean, then standardize each example over its pixels, so every input has x.x/d = 1. (The
scalar mean subtraction has no effect after the per-example standardization; it is kept for fidelity.)
Targets are the paper's zero-mean one-hot vectors, 0.9 for the class and -0.1 elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from replications.core.data import (
    DEBIAN_FASHION_MNIST_DIR,
    DataError,
    Dataset,
    load_cifar10,
    load_idx_dataset,
    load_mnist5k,
    split,
    standardize_per_example,
    subtract_mean,
)
from replications.core.gp import regression_targets
from replications.nngp.datasets import DATASETS, NUM_CLASSES, dataset_config

_IDX_STEMS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_CIFAR10_BATCHES = {"train": tuple(f"data_batch_{i}" for i in range(1, 6)), "test": ("test_batch",)}


class Part(NamedTuple):
    """One part of a split: standardized inputs (N, D) float64 (D = 784 for MNIST, 3072 for CIFAR-10), labels (N,),
    regression targets (N, 10)."""

    x_NxD: np.ndarray
    y_N: np.ndarray
    targets_NxC: np.ndarray


def _require(folder: Path, stems: tuple[str, ...], name: str, gzipped: bool) -> None:
    """DataError naming the file, the folder and how to provide them, unless every `stems` file (or its `.gz`) is
    in `folder`."""
    info = DATASETS[name]
    for stem in stems:
        candidates = [folder / stem, folder / f"{stem}.gz"] if gzipped else [folder / stem]
        if not any(path.exists() for path in candidates):
            where = "does not exist" if not folder.is_dir() else f"has no {' or '.join(p.name for p in candidates)}"
            raise DataError(
                f"{info.label} file {candidates[-1]} is missing: its folder {folder} (nngp.dataset.directory) "
                f"{where}; {info.how_to_get}"
            )


def load_file(dataset: Mapping[str, Any], which: str) -> Dataset:
    """The training or the test file (`which`) of a full dataset, checksummed; DataError if absent or damaged."""
    name, directory = dataset["name"], dataset["directory"]
    if name not in ("mnist", "fashion_mnist", "cifar10"):
        raise ValueError(f"no data files for dataset {name!r}: one of mnist, fashion_mnist, cifar10")
    info = DATASETS[name]
    if name == "fashion_mnist" and directory is None:
        directory = DEBIAN_FASHION_MNIST_DIR
    if directory is None:
        raise DataError(f"{info.label} has no default location (nngp.dataset.directory is null): {info.how_to_get}")
    folder = Path(directory)
    if name == "cifar10" and (folder / "cifar-10-batches-py").is_dir():
        folder = folder / "cifar-10-batches-py"
    if name == "cifar10":
        _require(folder, _CIFAR10_BATCHES[which], name, gzipped=False)
    else:
        _require(folder, _IDX_STEMS[which], name, gzipped=True)
    try:
        return load_cifar10(folder, which) if name == "cifar10" else load_idx_dataset(folder, name, which)
    except DataError as error:  # damaged: the core loaders name the file and the published digest
        raise DataError(f"{error} (NNGP group: the folder is nngp.dataset.directory = {directory})") from error


def _raw_parts(dataset: Mapping[str, Any], sizes: Mapping[str, int], seed: int) -> dict[str, Dataset]:
    """Unprocessed class-balanced parts, in the order of `sizes` (every size positive)."""
    if dataset["name"] == "mnist5k":
        return split(load_mnist5k(), sizes, seed=seed)
    fit = {part: size for part, size in sizes.items() if part != "test"}
    parts = split(load_file(dataset, "train"), fit, seed=seed) if fit else {}
    if "test" in sizes:
        test = load_file(dataset, "test")
        whole = sizes["test"] == len(test)
        parts["test"] = (
            test.subset(np.arange(len(test)), f"{test.name}:test")
            if whole
            else split(test, {"test": sizes["test"]}, seed=seed)["test"]
        )
    return {part: parts[part] for part in sizes}


def load_parts(config: Mapping[str, Any], sizes: Mapping[str, int]) -> dict[str, Part]:
    """Disjoint class-balanced parts of the given sizes of the dataset of an `nngp` config section (with `seed`;
    parts of size 0 are left out), preprocessed: the first part's global mean subtracted from every part, then
    each example standardized over its features."""
    wanted = {name: size for name, size in sizes.items() if size > 0}
    parts = _raw_parts(dataset_config(config), wanted, config["seed"])
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
