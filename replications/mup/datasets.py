"""The data of the muP group's MLP tasks, chosen per task by its `dataset` section ({name, directory}; the depth
study's ResNet reads MNIST-1D through `mnist1d_train`):

    mnist1d   MNIST-1D's training part (its first 80 %), generated offline by the group's data task (default);
    mnist5k   the embedded MNIST 5k, each image standardized to mean 0 and variance 1 (the max-learning-rate task);
    cifar10   CIFAR-10's 50 000 training images from `directory` (never downloaded; `paper`: TP4 Fig 2's and TP5
              Fig 3's data), flattened channel-first to 3072 values in [-1, 1], as the authors' MLP script feeds
              them (torchvision's ToTensor, then Normalize(mean 0.5, std 0.5) per channel).

Snakemake imports this module to check the folders before any job runs (`problems`): it imports nothing heavy.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from replications.core.data import DataError, load_cifar10, load_mnist5k, standardize_per_example

NAMES = ("mnist1d", "mnist5k", "cifar10")
LABELS = {"mnist1d": "MNIST-1D", "mnist5k": "MNIST 5k", "cifar10": "CIFAR-10"}


EXAMPLES = {"mnist1d": "signals", "mnist5k": "images", "cifar10": "images"}
INPUT_DIMS = {"mnist1d": 40, "mnist5k": 784, "cifar10": 3072}  # the features of one example, as `load` returns them


def label(section: Mapping[str, Any]) -> str:
    """The name a figure or claim gives the section's dataset."""
    return LABELS[section["dataset"]["name"]]


def examples(section: Mapping[str, Any]) -> str:
    """What the section's dataset's examples are called, with the dataset's name: "MNIST-1D signals"."""
    return f"{label(section)} {EXAMPLES[section['dataset']['name']]}"


def mnist1d_train(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-1D's training part (its first 80 %) from the cache file that the data task wrote."""
    try:
        with np.load(path, allow_pickle=False) as cached:
            x_NxD, y_N = cached["x_NxD"], cached["y_N"]
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile, zlib.error) as error:
        raise ValueError(f"MNIST-1D file {path} is damaged ({error!r}): delete it and rerun (rule mup_data)") from error
    n_train = int(0.8 * len(y_N))
    return x_NxD[:n_train], y_N[:n_train]


def load(section: Mapping[str, Any], mnist1d_path: Path | None = None, verify: bool = True):
    """(x_NxD float32, y_N) of the section's dataset (module docstring); `mnist1d_path`: the data task's file, for
    mnist1d; `verify`: check CIFAR-10's published MD5 digests."""
    name = section["dataset"]["name"]
    if name == "mnist1d":
        if mnist1d_path is None:
            raise ValueError("mnist1d needs the data task's file")
        return mnist1d_train(mnist1d_path)
    if name == "mnist5k":
        ds = load_mnist5k()
        return standardize_per_example(ds.x_NxD).astype(np.float32), ds.y_N
    if name == "cifar10":
        ds = load_cifar10(section["dataset"]["directory"], "train", verify=verify)
        return (2.0 * ds.x_NxD - 1.0).astype(np.float32), ds.y_N
    raise ValueError(f"unknown dataset {name!r}; known: {', '.join(NAMES)}")


def problems(config: Mapping[str, Any], sections: tuple[str, ...]) -> list[tuple[str, str]]:
    """A CIFAR-10 folder of one of the group's `sections` missing or damaged, as (config key, message)."""
    found, checked = [], set()
    for name in sections:
        dataset = config[name]["dataset"]
        if dataset["name"] != "cifar10":
            continue
        key = f"mup.{name}.dataset.directory"
        if not dataset["directory"]:
            found.append((key, "cifar10 needs directory, the folder holding cifar-10-batches-py"))
        elif dataset["directory"] not in checked:
            checked.add(dataset["directory"])
            try:
                load_cifar10(dataset["directory"], "train")
            except DataError as error:
                found.append((key, str(error)))
    return found
