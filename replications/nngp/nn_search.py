"""SGD-trained baselines of Lee et al. 2018: fully connected nets (standard parametrization), MSE loss on the
zero-mean one-hot targets, Adam, hyperparameters chosen on validation accuracy with early stopping.

The paper tuned learning rate and initial weight and bias variances with Google Vizier; we search a fixed grid, and
each (training size, width) trains its whole (learning rate x weight_var x bias_var x seed) grid as one vmapped,
jitted program (`replications.core.training.train_grid`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from replications.core.training import hyperparameter_grid, train_grid
from replications.nngp.loading import Part


def search(
    activation: str, parts: Mapping[str, Part], subsets: Mapping[int, np.ndarray], section: Mapping[str, Any]
) -> pd.DataFrame:
    """One row per (training size, width, grid point): validation and test metrics at the best validation step."""
    grid = hyperparameter_grid(
        learning_rate=section["learning_rates"],
        weight_var=section["weight_vars"],
        bias_var=section["bias_vars"],
        seed=section["seeds"],
    )
    valid, test = parts["validation"], parts["test"]
    rows = []
    for size, idx in subsets.items():
        train = parts["train"]
        for width in section["widths"]:
            result = train_grid(
                grid,
                (train.x_NxD[idx], train.targets_NxC[idx]),
                (valid.x_NxD, valid.targets_NxC),
                (test.x_NxD, test.targets_NxC),
                width=width,
                depth=section["depth"],
                activation=activation,
                steps=section["steps"],
                batch_size=min(section["batch_size"], size),
                eval_every=section["eval_every"],
            )
            for g in range(len(grid.seed)):
                rows.append(
                    {
                        "activation": activation,
                        "train_size": size,
                        "depth": section["depth"],
                        "width": width,
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
                )
            print(f"[nn_search] {activation} n={size} width={width} done", flush=True)
    return pd.DataFrame(rows)
