"""The muP MLP tasks' data (`replications/mup/datasets.py`): CIFAR-10 as the authors' script feeds it, the
checks before any job runs, and the labels the figures and claims print."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from replications.mup import datasets


def _fake_cifar(folder, n: int = 6) -> tuple[np.ndarray, list[int]]:
    """cifar-10-batches-py with five training batches of n random images each (and no test batch)."""
    folder.mkdir(parents=True)
    images, labels = [], []
    for i in range(1, 6):
        rng = np.random.default_rng(i)
        batch_images = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        batch_labels = [int(label) for label in rng.integers(0, 10, n)]
        content = {b"data": batch_images, b"labels": batch_labels}
        (folder / f"data_batch_{i}").write_bytes(pickle.dumps(content, protocol=2))
        images.append(batch_images)
        labels += batch_labels
    return np.concatenate(images), labels


def test_cifar10_is_flattened_channel_first_in_minus_one_to_one(tmp_path):
    images, labels = _fake_cifar(tmp_path / "cifar-10-batches-py")
    section = {"dataset": {"name": "cifar10", "directory": str(tmp_path)}}
    x_NxD, y_N = datasets.load(section, verify=False)
    assert x_NxD.dtype == np.float32 and x_NxD.shape == (30, datasets.INPUT_DIMS["cifar10"])
    # torchvision: ToTensor (x / 255), then Normalize(0.5, 0.5): (x / 255 - 0.5) / 0.5
    np.testing.assert_allclose(x_NxD, (images / 255.0 - 0.5) / 0.5, rtol=0, atol=1e-6)
    assert list(y_N) == labels and x_NxD.min() >= -1 and x_NxD.max() <= 1


def test_mnist5k_is_standardized_per_image():
    x_NxD, y_N = datasets.load({"dataset": {"name": "mnist5k", "directory": None}})
    assert x_NxD.dtype == np.float32 and len(x_NxD) == len(y_N) and x_NxD.shape[1] == datasets.INPUT_DIMS["mnist5k"]
    np.testing.assert_allclose(x_NxD.mean(axis=1), 0, atol=1e-5)
    np.testing.assert_allclose(x_NxD.std(axis=1), 1, atol=1e-4)


def test_bad_datasets_are_refused_before_any_job(tmp_path):
    config = {
        "coordcheck": {"dataset": {"name": "mnist1d", "directory": None}},
        "maxlr": {"dataset": {"name": "cifar10", "directory": None}},
        "transfer": {"dataset": {"name": "cifar10", "directory": str(tmp_path / "nowhere")}},
    }
    problems = dict(datasets.problems(config, ("coordcheck", "maxlr", "transfer")))
    assert set(problems) == {"mup.maxlr.dataset.directory", "mup.transfer.dataset.directory"}
    assert "needs directory" in problems["mup.maxlr.dataset.directory"]
    assert "does not exist" in problems["mup.transfer.dataset.directory"]
    _fake_cifar(tmp_path / "fake" / "cifar-10-batches-py")
    config["transfer"]["dataset"]["directory"] = str(tmp_path / "fake")
    assert "MD5" in dict(datasets.problems(config, ("transfer",)))["mup.transfer.dataset.directory"]
    with pytest.raises(ValueError, match="needs the data task's file"):
        datasets.load({"dataset": {"name": "mnist1d", "directory": None}})


def test_labels_name_the_data():
    assert datasets.label({"dataset": {"name": "cifar10"}}) == "CIFAR-10"
    assert datasets.examples({"dataset": {"name": "mnist1d"}}) == "MNIST-1D signals"


def test_the_schema_keeps_mnist1d_to_the_tasks_that_read_its_file():
    """maxlr has no MNIST-1D input (only the data task's file holds it): the config check refuses it there."""
    import copy

    import yaml

    from replications.core.config import ConfigError, validate_config

    with open("workflows/config/config.yaml") as f:
        config = yaml.safe_load(f)
    validate_config(config)
    bad = copy.deepcopy(config)
    bad["mup"]["maxlr"]["dataset"] = {"name": "mnist1d", "directory": None}
    with pytest.raises(ConfigError, match=r"mup\.maxlr\.dataset\.name"):
        validate_config(bad)
    config["mup"]["transfer"]["dataset"] = {"name": "cifar10", "directory": "data/cifar10"}
    validate_config(config)
