"""SGD-trained baselines of Lee et al. 2018: fully connected nets (standard parametrization), MSE loss on the
zero-mean one-hot targets, Adam, hyperparameters chosen on validation accuracy with early stopping.

The paper tuned learning rate and initial weight and bias variances with Google Vizier; we search a fixed grid in two
stages:

1. `search`: for each (training size, width), the whole (learning rate x weight_var x bias_var) grid with one seed
   (`search_seed`), as one vmapped, jitted program (`replications.core.training.train_grid`); the best point of each
   (training size, width) is the one of highest validation accuracy (ties to the lower validation MSE).
2. `retrain`: the best net of each training size (over every width), and at Table 1's sizes the best net of every
   width, retrained with fresh seeds (`retrain_seeds`) for its test accuracy and the spread over seeds. Selection
   never sees the test set, and the retrained nets are not the ones the selection favoured.

Steps: `epochs` passes over the training points, at least `min_steps`, rounded up to a multiple of `eval_every`
(early stopping keeps the best validation step, so small training sets get many epochs).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from replications.core.training import GridResult, Hyperparameters, hyperparameter_grid, train_grid
from replications.nngp.loading import Part

HYPERPARAMETERS = ("learning_rate", "weight_var", "bias_var")


def training_steps(train_size: int, section: Mapping[str, Any]) -> int:
    """max(min_steps, epochs x batches per epoch), rounded up to a multiple of eval_every."""
    batch = min(section["batch_size"], train_size)
    steps = max(section["min_steps"], section["epochs"] * (train_size // batch))
    return -(-steps // section["eval_every"]) * section["eval_every"]


def _train(
    grid: Hyperparameters,
    parts: Mapping[str, Part],
    subsets: Mapping[int, np.ndarray],
    size: int,
    width: int,
    activation: str,
    section,
) -> GridResult:
    """`train_grid` on the training subset of `size`, compiled for the largest subset and its steps: one program
    per (activation, width, grid size) serves every training size."""
    train, valid, test = parts["train"], parts["validation"], parts["test"]
    idx = subsets[size]
    return train_grid(
        grid,
        (train.x_NxD[idx], train.targets_NxC[idx]),
        (valid.x_NxD, valid.targets_NxC),
        (test.x_NxD, test.targets_NxC),
        width=width,
        depth=section["depth"],
        activation=activation,
        steps=training_steps(len(idx), section),
        batch_size=min(section["batch_size"], len(idx)),
        eval_every=section["eval_every"],
        shape_steps=max(training_steps(len(i), section) for i in subsets.values()),
        shape_points=max(len(i) for i in subsets.values()),
    )


def _rows(grid: Hyperparameters, result: GridResult, **fixed: object) -> list[dict[str, object]]:
    return [
        {
            **fixed,
            "learning_rate": float(grid.learning_rate[g]),
            "weight_var": float(grid.weight_var[g]),
            "bias_var": float(grid.bias_var[g]),
            "seed": int(grid.seed[g]),
            "diverged": bool(result.diverged_G[g]),
            "best_step": int(result.best_step_G[g]),
            "val_accuracy": float(result.best_valid_G.accuracy[g]),
            "val_mse": float(result.best_valid_G.mse[g]),
            "test_accuracy": float(result.best_test_G.accuracy[g]),
            "test_mse": float(result.best_test_G.mse[g]),
        }
        for g in range(len(grid.seed))
    ]


def search(
    activation: str, parts: Mapping[str, Part], subsets: Mapping[int, np.ndarray], section: Mapping[str, Any]
) -> pd.DataFrame:
    """One row per (training size, width, grid point), one seed: validation and test metrics at the best
    validation step."""
    grid = hyperparameter_grid(
        learning_rate=section["learning_rates"],
        weight_var=section["weight_vars"],
        bias_var=section["bias_vars"],
        seed=[section["search_seed"]],
    )
    rows = []
    for size in subsets:
        for width in section["widths"]:
            result = _train(grid, parts, subsets, size, width, activation, section)
            fixed = {"activation": activation, "train_size": size, "depth": section["depth"], "width": width}
            rows += _rows(grid, result, **fixed)
            print(f"[nn_search] search {activation} n={size} width={width} done", flush=True)
    return pd.DataFrame(rows)


def best_point(searched: pd.DataFrame) -> pd.Series:
    """The searched net of highest validation accuracy (diverged nets excluded; ties to the lower validation MSE)."""
    rows = searched[~searched["diverged"]]
    if rows.empty:
        raise ValueError("every net of the search diverged")
    return rows.sort_values(["val_accuracy", "val_mse"], ascending=[False, True], kind="stable").iloc[0]


def retrain(
    activation: str,
    parts: Mapping[str, Part],
    subsets: Mapping[int, np.ndarray],
    section: Mapping[str, Any],
    searched: pd.DataFrame,
    every_width_at: Collection[int],
) -> pd.DataFrame:
    """Nets of `searched` retrained with every seed of `retrain_seeds`: at each training size the best net over
    every width (Table 1's and Fig 1's NN-best), and at the sizes `every_width_at` the best net of each width (the
    width comparison). One row per (training size, width, seed)."""
    rows = []
    for size in subsets:
        at_size = searched[searched["train_size"] == size]
        widths = section["widths"] if size in every_width_at else [int(best_point(at_size)["width"])]
        for width in widths:
            best = best_point(at_size[at_size["width"] == width])
            grid = hyperparameter_grid(
                **{name: [best[name]] for name in HYPERPARAMETERS}, seed=section["retrain_seeds"]
            )
            result = _train(grid, parts, subsets, size, width, activation, section)
            fixed = {"activation": activation, "train_size": size, "depth": section["depth"], "width": width}
            rows += _rows(grid, result, **fixed)
            print(f"[nn_search] retrain {activation} n={size} width={width} done", flush=True)
    return pd.DataFrame(rows)
