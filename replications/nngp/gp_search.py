"""NNGP inference on MNIST with the hyperparameters (depth, weight_var, bias_var) chosen on validation accuracy.

For every activation and grid point the equal-norm kernels F_depth(theta) are computed once
(`replications.core.sphere`), every training size and depth reads its kernel matrices off them, and the GP posterior
mean gives validation accuracy and MSE. The best grid point of each (activation, training size) is then evaluated on
the test set, as Lee et al. selected their Table 1 models.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg

from replications.core.gp import accuracy, cholesky_with_jitter, gp_posterior, mean_squared_error
from replications.core.kernels import LatticeGrid
from replications.core.sphere import (
    AngularKernels,
    angle_interpolation,
    angular_kernels,
    input_angles,
    kernel_from_angles,
)
from replications.nngp.loading import Part


def grid_values(spec: Mapping[str, Any]) -> np.ndarray:
    """linspace(start, stop, num)[::every]: the paper's 30-point grids, or a regular subset of them."""
    return np.linspace(spec["start"], spec["stop"], spec["num"])[:: spec.get("every", 1)]


def lattice_grid(config: Mapping[str, Any]) -> LatticeGrid:
    """The lookup-table grid of the config (the paper's by default)."""
    return LatticeGrid(**config["lattice_grid"])


def grid_kernels(
    activation: str, section: Mapping[str, Any], config: Mapping[str, Any], angles: int, method: str | None = None
) -> tuple[np.ndarray, np.ndarray, str, AngularKernels]:
    """The (weight_var, bias_var) grid of `section` flattened to S settings, the kernel method (`method`, else the
    activation's in `kernel_method`), and the equal-norm kernels of every setting at `section["depths"]`."""
    weight_vars, bias_vars = grid_values(section["weight_vars"]), grid_values(section["bias_vars"])
    wv_S, bv_S = (a.ravel() for a in np.meshgrid(weight_vars, bias_vars, indexing="ij"))
    method = method or config["kernel_method"][activation]
    kernels = angular_kernels(
        activation, wv_S, bv_S, section["depths"], method=method, angles=angles, lattice_grid=lattice_grid(config)
    )
    return wv_S, bv_S, method, kernels


def posterior_mean(K_NxN: np.ndarray, K_NxM: np.ndarray, Y_NxC: np.ndarray) -> tuple[np.ndarray, float]:
    """GP posterior mean K_*^T (K + eps I)^-1 Y with the original's jitter escalation; (mean, eps)."""
    L_NxN, jitter = cholesky_with_jitter(K_NxN)
    return K_NxM.T @ scipy.linalg.cho_solve((L_NxN, True), Y_NxC, check_finite=False), jitter


def search(
    activation: str,
    parts: Mapping[str, Part],
    subsets: Mapping[int, np.ndarray],
    search_config: Mapping[str, Any],
    config: Mapping[str, Any],
) -> pd.DataFrame:
    """Validation metrics of every (training size, depth, weight_var, bias_var), and test metrics of the best.

    Rows: activation, train_size, depth, weight_var, bias_var, val_accuracy, val_mse, jitter, selected, and
    test_accuracy / test_mse (filled for the selected row of each training size, NaN elsewhere).
    """
    wv_S, bv_S, method, kernels = grid_kernels(activation, search_config, config, config["angles"])
    train, val, test = parts["train"], parts["validation"], parts["test"]
    at_train = angle_interpolation(input_angles(train.x_NxD), config["angles"])
    at_val = angle_interpolation(input_angles(train.x_NxD, val.x_NxD), config["angles"])
    rows = []
    for s in range(len(wv_S)):
        for li, depth in enumerate(kernels.depths):
            F_A = kernels.nngp_SxLxA[s, li]
            K_train = kernel_from_angles(at_train, F_A)
            K_val = kernel_from_angles(at_val, F_A)
            for size, idx in subsets.items():
                mean, jitter = posterior_mean(K_train[np.ix_(idx, idx)], K_val[idx], train.targets_NxC[idx])
                rows.append(
                    {
                        "activation": activation,
                        "method": method,
                        "train_size": size,
                        "depth": depth,
                        "weight_var": wv_S[s],
                        "bias_var": bv_S[s],
                        "val_accuracy": accuracy(mean, val.y_N),
                        "val_mse": mean_squared_error(mean, val.targets_NxC),
                        "jitter": jitter,
                    }
                )
    table = pd.DataFrame(rows)
    table["selected"] = False
    table["test_accuracy"] = np.nan
    table["test_mse"] = np.nan
    for size, idx in subsets.items():
        # ties in validation accuracy go to the lower validation MSE
        candidates = table[table["train_size"] == size].sort_values(
            ["val_accuracy", "val_mse"], ascending=[False, True]
        )
        best = candidates.index[0]
        row = table.loc[best]
        s = int(np.flatnonzero((wv_S == row["weight_var"]) & (bv_S == row["bias_var"]))[0])
        F_A = kernels.nngp_SxLxA[s, kernels.depths.index(int(row["depth"]))]
        x = train.x_NxD[idx]
        posterior = gp_posterior(
            kernel_from_angles(angle_interpolation(input_angles(x), config["angles"]), F_A),
            kernel_from_angles(angle_interpolation(input_angles(x, test.x_NxD), config["angles"]), F_A),
            np.full(len(test.y_N), F_A[0]),
            train.targets_NxC[idx],
        )
        table.loc[best, ["selected", "test_accuracy", "test_mse"]] = [
            True,
            accuracy(posterior.mean_MxC, test.y_N),
            mean_squared_error(posterior.mean_MxC, test.targets_NxC),
        ]
    return table
