"""What Lee et al. (2018) report, each number with its source (papers.md §2).

Table 1 is quoted from the ICLR 2018 OpenReview submission (the camera-ready text was not available; whether it
changed any entry is UNSURE). Models are named (depth-width-weight_var-bias_var) for nets and
(depth-weight_var-bias_var) for the NNGP.
"""

from __future__ import annotations

from typing import NamedTuple

CITATION = (
    "J. Lee, Y. Bahri, R. Novak, S. S. Schoenholz, J. Pennington, J. Sohl-Dickstein, Deep Neural Networks as "
    "Gaussian Processes, ICLR 2018, arXiv:1711.00165."
)
TABLE1_SOURCE = "Lee et al. 2018, Table 1 (OpenReview submission)"


class Table1Entry(NamedTuple):
    dataset: str
    train_size: int
    activation: str
    model: str  # "nn" or "gp"
    best: str  # the paper's best model string
    test_accuracy: float


TABLE1 = [
    Table1Entry("mnist", 1000, "relu", "nn", "NN-2-5000-3.19-0.00", 0.9252),
    Table1Entry("mnist", 1000, "relu", "gp", "GP-20-1.45-0.28", 0.9279),
    Table1Entry("mnist", 1000, "tanh", "nn", "NN-2-1000-0.60-0.00", 0.9254),
    Table1Entry("mnist", 1000, "tanh", "gp", "GP-20-1.96-0.62", 0.9266),
    Table1Entry("mnist", 10000, "relu", "nn", "NN-2-2000-0.42-0.16", 0.9771),
    Table1Entry("mnist", 10000, "relu", "gp", "GP-7-0.61-0.07", 0.9765),
    Table1Entry("mnist", 10000, "tanh", "nn", "NN-2-2000-2.41-1.84", 0.9745),
    Table1Entry("mnist", 10000, "tanh", "gp", "GP-2-1.62-0.28", 0.9773),
    Table1Entry("mnist", 50000, "relu", "nn", "NN-2-2000-0.60-0.44", 0.9864),
    Table1Entry("mnist", 50000, "relu", "gp", "GP-1-0.10-0.48", 0.9875),
    Table1Entry("mnist", 50000, "tanh", "nn", "NN-2-5000-0.28-0.34", 0.9857),
    Table1Entry("mnist", 50000, "tanh", "gp", "GP-1-1.28-0.00", 0.9879),
    Table1Entry("cifar10", 1000, "relu", "nn", "NN-5-500-1.29-0.28", 0.3225),
    Table1Entry("cifar10", 1000, "relu", "gp", "GP-7-1.28-0.00", 0.3608),
    Table1Entry("cifar10", 1000, "tanh", "nn", "NN-1-200-1.45-0.12", 0.3378),
    Table1Entry("cifar10", 1000, "tanh", "gp", "GP-50-2.97-0.97", 0.3702),
    Table1Entry("cifar10", 10000, "relu", "nn", "NN-5-2000-1.60-1.07", 0.4545),
    Table1Entry("cifar10", 10000, "relu", "gp", "GP-5-2.97-0.28", 0.4780),
    Table1Entry("cifar10", 10000, "tanh", "nn", "NN-1-500-1.48-1.59", 0.4429),
    Table1Entry("cifar10", 10000, "tanh", "gp", "GP-7-3.48-2.00", 0.4766),
    Table1Entry("cifar10", 45000, "relu", "nn", "NN-3-5000-0.53-0.01", 0.5313),
    Table1Entry("cifar10", 45000, "relu", "gp", "GP-3-3.31-1.86", 0.5566),
    Table1Entry("cifar10", 45000, "tanh", "nn", "NN-2-2000-1.05-2.08", 0.5034),
    Table1Entry("cifar10", 45000, "tanh", "gp", "GP-3-3.48-1.52", 0.5558),
]


def table1_accuracy(dataset: str, train_size: int, activation: str, model: str) -> float:
    """The paper's test accuracy for one cell of Table 1."""
    for entry in TABLE1:
        if (entry.dataset, entry.train_size, entry.activation, entry.model) == (dataset, train_size, activation, model):
            return entry.test_accuracy
    raise KeyError((dataset, train_size, activation, model))


# The NNGP hyperparameter grid, inferred from Table 1 (papers.md §2.5): every sigma_w^2 and sigma_b^2 of the table is a
# point of these grids, which are also the axes of the Fig 4 heat maps.
WEIGHT_VAR_GRID = (0.1, 5.0, 30)  # linspace(0.1, 5, 30)
BIAS_VAR_GRID = (0.0, 2.0, 30)  # linspace(0, 2, 30)
FIG3_HYPERPARAMETERS = {"depth": 3, "weight_var": 2.0, "bias_var": 0.2}  # papers.md §2.6 [V:text]
LATTICE_RELU_DIAGONAL_ERROR = {10.0: -0.017, 20.0: -0.15, 100.0: -0.71}  # papers.md §2.3, the paper's ReLU table
