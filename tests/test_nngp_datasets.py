"""The NNGP group's datasets (`nngp.dataset`): config checks, the loaders on small hand-written files, Table 1's sizes
and the claims' 1k row."""

from __future__ import annotations

import copy
import gzip
import hashlib
import pickle
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from replications.core import data as core_data
from replications.core.config import ConfigError, validate_config
from replications.core.provenance import write_table
from replications.nngp import claims, table1
from replications.nngp.datasets import claim_size_problem, config_problems, dataset_info, table1_sizes
from replications.nngp.loading import load_parts

with open("workflows/config/config.yaml") as f:
    DEFAULT = yaml.safe_load(f)


def _merge(base: dict, overrides: dict) -> dict:
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def _profile(name: str) -> dict:
    with open(f"workflows/profiles/{name}/overrides.yaml") as f:
        return _merge(copy.deepcopy(DEFAULT), yaml.safe_load(f))


def _nngp(**overrides) -> dict:
    return _merge(copy.deepcopy(DEFAULT["nngp"]), overrides)


# --- config -----------------------------------------------------------------------------------------------------


def test_default_and_profiles_pass_the_dataset_checks():
    assert DEFAULT["nngp"]["dataset"] == {"name": "mnist5k", "directory": None}
    for config in (DEFAULT, _profile("smoke"), _profile("paper")):
        validate_config(config)
        assert config_problems(config["nngp"]) == []
    assert _profile("paper")["nngp"]["dataset"]["name"] == "mnist"


@pytest.mark.parametrize(
    ("dataset", "message"),
    [
        ({"name": "svhn", "directory": None}, r"nngp\.dataset\.name.*one of"),
        ({"name": "mnist", "directory": "/x", "path": "/y"}, r"nngp\.dataset.*'path' was unexpected"),
        ({"name": "mnist"}, r"nngp\.dataset.*'directory' is a required property"),
        ({"name": "cifar10", "directory": 3}, r"nngp\.dataset\.directory.*type"),
    ],
)
def test_bad_dataset_key_is_rejected_by_the_schema(dataset, message):
    config = copy.deepcopy(DEFAULT)
    config["nngp"]["dataset"] = dataset
    with pytest.raises(ConfigError, match=message):
        validate_config(config)


@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_missing_directory_is_a_config_error(name):
    problems = dict(config_problems(_nngp(dataset={"name": name, "directory": None})))
    assert "no default location" in problems["nngp.dataset.directory"]
    assert "nngp.dataset.directory to" in problems["nngp.dataset.directory"]  # says how to provide it
    assert config_problems(_nngp(dataset={"name": "fashion_mnist", "directory": None})) == []  # Debian's folder


def test_missing_directory_stops_snakemake_before_any_job(tmp_path):
    overrides = tmp_path / "mnist.yaml"
    overrides.write_text("nngp:\n  dataset: { name: mnist, directory: null }\n")
    repo = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfiles", "workflows/config/config.yaml"]
    command += [str(overrides), "--config", f"results_dir={tmp_path}/results", f"figures_dir={tmp_path}/figures"]
    result = subprocess.run(command, cwd=repo, capture_output=True, text=True)
    assert result.returncode != 0
    assert "nngp.dataset.directory: mnist has no default location" in result.stdout + result.stderr
    assert not (tmp_path / "results").exists()


def test_splits_must_fit_the_dataset():
    [(key, problem)] = config_problems(_nngp(split={"train": 2000, "validation": 1000, "test": 3000}))
    assert key == "nngp.split" and problem.endswith("needs 600 examples of each class; mnist5k has 500")
    mnist = {"name": "mnist", "directory": "/data/mnist"}
    full = _nngp(dataset=mnist, split={"train": 50000, "validation": 4000, "test": 10000})
    assert config_problems(full) == []  # 10 000 = the whole (unbalanced) test file
    keys = [key for key, _ in config_problems(_nngp(dataset=mnist, split={"train": 50000, "validation": 5000}))]
    assert keys == ["nngp.split"]  # 5500 digits of each class; the rarest has 5421
    keys = [key for key, _ in config_problems(_nngp(dataset=mnist, fig4_phase={"split": {"test": 9000}}))]
    assert keys == ["nngp.fig4_phase.split.test"]  # 900 of each class; the test file's rarest class has 892
    assert [key for key, _ in config_problems(_nngp(train_sizes=[100, 2000]))] == ["nngp.train_sizes"]


# --- loaders on hand-written files --------------------------------------------------------------------------------


def _idx(array: np.ndarray) -> bytes:
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def _write_mnist(directory: Path, monkeypatch, n_train: int = 100, n_test: int = 30) -> dict[str, np.ndarray]:
    """Tiny MNIST-format IDX files (gzipped), their digests put in place of the published ones."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": (np.arange(n_train) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.permutation(np.arange(n_test) % 10).astype(np.uint8),
    }
    directory.mkdir(exist_ok=True)
    for stem, array in arrays.items():
        content = _idx(array)
        (directory / f"{stem}.gz").write_bytes(gzip.compress(content))
        monkeypatch.setitem(core_data.IDX_SHA256["mnist"], stem, hashlib.sha256(content).hexdigest())
    return arrays


def _write_cifar10(directory: Path, monkeypatch, per_batch: int = 20) -> dict[str, tuple]:
    rng = np.random.default_rng(1)
    directory.mkdir(parents=True)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        images = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)
        labels = [int(label) for label in rng.permutation(np.arange(per_batch) % 10)]
        content = pickle.dumps({b"data": images, b"labels": labels}, protocol=2)
        (directory / name).write_bytes(content)
        monkeypatch.setitem(core_data.CIFAR10_MD5, name, hashlib.md5(content, usedforsecurity=False).hexdigest())
        batches[name] = (images, labels)
    return batches


def _check_parts(parts, sizes, dim):
    assert list(parts) == [name for name, size in sizes.items() if size > 0]
    for name, part in parts.items():
        assert part.x_NxD.shape == (sizes[name], dim) and part.x_NxD.dtype == np.float64
        np.testing.assert_allclose(np.mean(part.x_NxD**2, axis=1), 1.0, rtol=1e-6)  # per-example standardized
        np.testing.assert_allclose(part.targets_NxC.sum(axis=1), 0.0, atol=1e-12)


def test_mnist_from_idx_files(tmp_path, monkeypatch):
    arrays = _write_mnist(tmp_path / "mnist", monkeypatch)
    config = _nngp(dataset={"name": "mnist", "directory": str(tmp_path / "mnist")})
    sizes = {"train": 50, "validation": 30, "test": 30}
    parts = load_parts(config, sizes)
    _check_parts(parts, sizes, 784)
    assert dataset_info(config).input_dim == 784
    assert np.bincount(parts["train"].y_N).tolist() == [5] * 10
    assert np.bincount(parts["validation"].y_N).tolist() == [3] * 10
    # test = the test file's size: the whole test set, in its order (MNIST's own test set is not balanced)
    assert np.array_equal(parts["test"].y_N, arrays["t10k-labels-idx1-ubyte"])
    # train and validation come from the training file: the same digits as the core loader's
    train_file = core_data.load_idx_dataset(tmp_path / "mnist", "mnist", "train")
    raw = core_data.split(train_file, {"train": 50, "validation": 30}, seed=config["seed"])
    expected = core_data.standardize_per_example(raw["train"].x_NxD.astype(np.float64))
    np.testing.assert_allclose(parts["train"].x_NxD, expected, atol=1e-9)
    smaller = load_parts(config, {"test": 20})["test"]  # else a class-balanced part of the test file
    assert np.bincount(smaller.y_N).tolist() == [2] * 10


def test_mnist_missing_or_damaged_files_say_how_to_provide_them(tmp_path, monkeypatch):
    config = _nngp(dataset={"name": "mnist", "directory": str(tmp_path / "nowhere")})
    with pytest.raises(core_data.DataError, match=r"nowhere.*does not exist.*nngp\.dataset\.directory"):
        load_parts(config, {"train": 10})
    _write_mnist(tmp_path / "mnist", monkeypatch)
    config["dataset"]["directory"] = str(tmp_path / "mnist")
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    pattern = r"MNIST file .*t10k-labels-idx1-ubyte\.gz is missing: its folder .*mnist \(nngp\.dataset\.directory\)"
    with pytest.raises(core_data.DataError, match=pattern + r".*download the four MNIST IDX files"):
        load_parts(config, {"train": 10, "test": 10})
    monkeypatch.setitem(core_data.IDX_SHA256["mnist"], "train-images-idx3-ubyte", "0" * 64)  # not the published file
    with pytest.raises(core_data.DataError, match=r"train-images-idx3-ubyte\.gz.*SHA-256.*nngp\.dataset\.directory"):
        load_parts(config, {"train": 10})


def test_fashion_mnist_defaults_to_debians_folder(tmp_path, monkeypatch):
    arrays = _write_mnist(tmp_path / "debian", monkeypatch)
    for stem, array in arrays.items():
        monkeypatch.setitem(core_data.IDX_SHA256["fashion_mnist"], stem, hashlib.sha256(_idx(array)).hexdigest())
    monkeypatch.setattr("replications.nngp.loading.DEBIAN_FASHION_MNIST_DIR", tmp_path / "debian")
    parts = load_parts(_nngp(dataset={"name": "fashion_mnist", "directory": None}), {"train": 20, "test": 10})
    _check_parts(parts, {"train": 20, "test": 10}, 784)
    monkeypatch.setattr("replications.nngp.loading.DEBIAN_FASHION_MNIST_DIR", tmp_path / "absent")
    with pytest.raises(core_data.DataError, match=r"absent.*apt-get install dataset-fashion-mnist"):
        load_parts(_nngp(dataset={"name": "fashion_mnist", "directory": None}), {"train": 20})


def test_cifar10_from_python_batches(tmp_path, monkeypatch):
    batches = _write_cifar10(tmp_path / "cifar-10-batches-py", monkeypatch)
    config = _nngp(dataset={"name": "cifar10", "directory": str(tmp_path)})  # the parent folder works too
    sizes = {"train": 60, "validation": 40, "test": 20}
    parts = load_parts(config, sizes)
    _check_parts(parts, sizes, 3072)
    assert dataset_info(config).input_dim == 3072
    assert np.bincount(parts["train"].y_N).tolist() == [6] * 10
    assert np.array_equal(parts["test"].y_N, batches["test_batch"][1])  # 20 = the whole (fake) test batch
    (tmp_path / "cifar-10-batches-py" / "data_batch_4").unlink()
    with pytest.raises(core_data.DataError, match=r"CIFAR-10 file .*data_batch_4 is missing.*cifar-10-python"):
        load_parts(config, sizes)


def test_mnist5k_parts_are_as_before():
    sizes = {"train": 100, "validation": 0, "test": 50}
    parts = load_parts(DEFAULT["nngp"], sizes)
    raw = core_data.split(core_data.load_mnist5k(), {"train": 100, "test": 50}, seed=DEFAULT["nngp"]["seed"])
    shifted = core_data.subtract_mean(raw["train"].x_NxD.astype(np.float64), raw["test"].x_NxD.astype(np.float64))
    for name, x in zip(("train", "test"), shifted, strict=True):
        assert np.array_equal(parts[name].x_NxD, core_data.standardize_per_example(x))
        assert np.array_equal(parts[name].y_N, raw[name].y_N)


# --- Table 1's sizes and the claims' row ------------------------------------------------------------------------


def test_table1_sizes_and_the_claim_size():
    assert table1_sizes(DEFAULT["nngp"]) == [1000] and claim_size_problem(DEFAULT["nngp"]) is None
    paper = _profile("paper")["nngp"]
    assert table1_sizes(paper) == [1000, 10000, 50000] and claim_size_problem(paper) is None
    cifar = _nngp(dataset={"name": "cifar10", "directory": "/c"}, train_sizes=[100, 1000, 10000, 45000])
    assert table1_sizes(cifar) == [1000, 10000, 45000]
    assert claim_size_problem(cifar) == "the profile's dataset is CIFAR-10, not MNIST"
    assert table1_sizes(_nngp(train_sizes=[50, 100])) == [100]  # none the paper reports: the largest
    assert "largest training size is 100" in claim_size_problem(_nngp(train_sizes=[50, 100]))
    assert "1000 is not among" in claim_size_problem(_nngp(train_sizes=[500, 10000]))


def _fake_searches(sizes: list[int]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Selected NNGPs and nets at every size, accuracy 0.9 + size / 1e6 (so rows can be told apart); each searched
    net's three retrained seeds score its search accuracy -0.01, +0, +0.01."""
    gp, nn, retrained = [], [], []
    for activation in ("relu", "tanh"):
        for size in sizes:
            accuracy = 0.9 + size / 1e6
            common = {"activation": activation, "train_size": size, "test_mse": 0.1}
            gp.append(common | {"depth": 3, "weight_var": 1.5, "bias_var": 0.1, "selected": True})
            gp[-1]["test_accuracy"] = accuracy + 0.02
            for width, gap in ((64, 0.04), (1024, 0.01)):  # the wider net is closer to the NNGP
                net = common | {"depth": 2, "width": width, "learning_rate": 0.001, "weight_var": 1.0, "bias_var": 0.0}
                nn.append(net | {"seed": 0, "diverged": False, "val_accuracy": accuracy - gap, "val_mse": 0.1})
                nn[-1]["test_accuracy"] = accuracy + 0.02 - gap
                for seed, shift in ((1, -0.01), (2, 0.0), (3, 0.01)):
                    retrained.append(net | {"seed": seed, "test_accuracy": accuracy + 0.02 - gap + shift})
    return pd.DataFrame(gp), pd.DataFrame(nn), pd.DataFrame(retrained)


def test_table1_has_a_row_per_table1_size_with_the_papers_cells():
    config = _nngp(dataset={"name": "mnist", "directory": "/m"}, train_sizes=[100, 1000, 2000, 10000, 50000])
    rows = table1.table(config, *_fake_searches([100, 1000, 2000, 10000, 50000]))
    assert rows["dataset"].unique().tolist() == ["MNIST:1k", "MNIST:10k", "MNIST:50k"]
    assert len(rows) == 3 * 2 * 2
    row = rows[(rows["dataset"] == "MNIST:50k") & (rows["activation"] == "tanh") & (rows["model"] == "gp")].iloc[0]
    assert row["paper_test_accuracy"] == 0.9879 and row["ours_test_accuracy"] == pytest.approx(0.97)
    cifar = _nngp(dataset={"name": "cifar10", "directory": "/c"}, train_sizes=[1000, 45000])
    rows = table1.table(cifar, *_fake_searches([1000, 45000]))
    assert rows["dataset"].unique().tolist() == ["CIFAR:1k", "CIFAR:45k"]
    assert rows["paper_best"].iloc[-1] == "GP-3-3.48-1.52"
    smoke = table1.table(_nngp(train_sizes=[50, 100]), *_fake_searches([50, 100]))
    assert smoke["dataset"].unique().tolist() == ["MNIST:100"] and smoke["paper_best"].eq("").all()  # blank cells


def _claims_inputs(tmp_path: Path, sizes: list[int]) -> dict[str, Path]:
    gp, nn, retrained = _fake_searches(sizes)
    tables = {
        "gp_search": gp,
        "nn_search": nn,
        "nn_retrain": retrained,
        "uncertainty": pd.DataFrame({"predicted_variance": np.arange(200.0), "realized_mse": np.arange(200.0)}),
        "phase": pd.DataFrame(
            {
                "activation": "tanh",
                "depth": 50,
                "method": ["lattice", "lattice", "exact", "exact"],
                "weight_var": [1.0, 3.0] * 2,
                "bias_var": 0.5,
                "chi1": [1.0, 3.0] * 2,
                "test_accuracy": [0.9, 0.1, 0.9, 0.5],
                "correct": ["yyyyyyyyyn", "ynnnnnnnnn", "yyyyyyyyyn", "yyyyynnnnn"],
            }
        ),
        "lattice_mnist": pd.DataFrame(
            {
                "activation": "relu",
                "weight_var": [1.0],
                "bias_var": [0.5],
                "depth": [10],
                "max_relative_error": [1e-3],
                "max_distance_error": [2.0],
            }
        ),
    }
    for name, frame in tables.items():
        write_table(tmp_path / f"{name}.csv", frame, {})
    return {name: tmp_path / f"{name}.csv" for name in tables}


def test_claims_are_judged_at_the_1k_row_whatever_the_largest_size(tmp_path):
    sizes = [100, 1000, 10000, 50000]
    config = _nngp(dataset={"name": "mnist", "directory": "/m"}, train_sizes=sizes) | {"profile": "paper"}
    config["fig3_uncertainty"]["points_per_bin"] = 20
    judged = {claim.id: claim for claim in claims.evaluate(config, _claims_inputs(tmp_path, sizes))}
    assert judged["nngp.table1.mnist1k.relu.gp"].measured.value == pytest.approx(0.921)  # 1k's, not 50k's 0.97
    assert judged["nngp.table1.mnist1k.tanh.nn"].measured.value == pytest.approx(0.911)
    assert judged["nngp.gp_vs_nn.mnist1k"].measured.value == pytest.approx(0.01)
    # per-seed ratios (0.01 - shift) / (0.04 - shift) for the seeds' shifts -0.01, 0, 0.01: 0.4, 0.25, 0
    assert judged["nngp.fig1.width_gap"].measured.value == pytest.approx((0.4 + 0.25 + 0.0) / 3)
    assert judged["nngp.fig1.width_gap"].measured.n == 3 and judged["nngp.fig1.width_gap"].measured.ci is not None
    assert "ReLU, MNIST 1k:" in judged["nngp.fig1.width_gap"].statement
    assert "NOT MEASURED" not in judged["nngp.table1.mnist1k.relu.gp"].statement
    assert judged["nngp.fig4.tanh_critical"].measured.value == pytest.approx(0.8)  # the lattice's cells
    assert judged["nngp.fig4.tanh_exact_critical"].measured.value == pytest.approx(0.4)  # the exact kernel's
    assert judged["nngp.fig4.lattice_collapse"].measured.value == pytest.approx(0.5)
    config["dataset"] = {"name": "cifar10", "directory": "/c"}
    judged = {claim.id: claim for claim in claims.evaluate(config, _claims_inputs(tmp_path, sizes))}
    assert judged["nngp.table1.mnist1k.relu.gp"].measured.value is None
    assert "NOT MEASURED: the profile's dataset is CIFAR-10" in judged["nngp.table1.mnist1k.relu.gp"].statement
    assert judged["nngp.gp_vs_nn.mnist1k"].measured.value is None
    assert "ReLU, CIFAR-10 1k:" in judged["nngp.fig1.width_gap"].statement
    assert "standardized CIFAR-10 images" in judged["nngp.lattice.rel_err"].statement
