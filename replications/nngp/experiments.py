"""The NNGP group's compute tasks: kernels, GP inference and trained nets on the configured dataset (MNIST 5k by
default) -> tidy tables in results/nngp/.

Every task takes the whole `nngp` section of the config (with `profile`) and a mapping of output names to paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from replications.core.gp import gp_posterior
from replications.core.kernels import LatticeGrid, activation_second_moment, fc_kernel, lattice_table
from replications.core.results import write_results
from replications.core.sphere import angle_interpolation, angular_kernels, input_angles, kernel_from_angles
from replications.nngp import gp_search, nn_search
from replications.nngp.datasets import table1_sizes
from replications.nngp.loading import load_parts, nested_train_subsets
from replications.nngp.measures import KERNEL_METHODS
from replications.nngp.phase import chi1

# The GP solves here are many small (<= 1000 x 1000) Cholesky factorizations: OpenBLAS's threads beside JAX's on
# 2 busy cores spin against each other and made one 500 x 500 factorization take 0.8 s instead of 5 ms (measured).
_BLAS_THREADS = 1


def _search_parts(config: Mapping[str, Any]) -> tuple[dict, dict[int, np.ndarray]]:
    parts = load_parts(config, config["split"])
    return parts, nested_train_subsets(parts["train"].y_N, config["train_sizes"], config["seed"])


def gp_search_task(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """NNGP search at every training size (Fig 1; Table 1 takes `datasets.table1_sizes`), for every activation."""
    parts, subsets = _search_parts(config)
    with threadpool_limits(_BLAS_THREADS, user_api="blas"):
        tables = [gp_search.search(a, parts, subsets, config["gp_search"], config) for a in config["activations"]]
    write_results(outputs["gp_search"], pd.concat(tables), config)


def nn_search_task(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """SGD-trained nets at every training size and width, every activation: the one-seed search (one row per grid
    point) and its best point of each (training size, width) retrained with fresh seeds (one row per seed)."""
    parts, subsets = _search_parts(config)
    section = config["nn_search"]
    searched = {a: nn_search.search(a, parts, subsets, section) for a in config["activations"]}
    table1 = table1_sizes(config)
    retrained = [nn_search.retrain(a, parts, subsets, section, table, table1) for a, table in searched.items()]
    write_results(outputs["nn_search"], pd.concat(searched.values()), config)
    write_results(outputs["nn_retrain"], pd.concat(retrained), config)


def uncertainty(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Per validation and test point: the NNGP's predictive variance and its realized squared error (mean over the
    10 outputs). The validation points fit the kernel's scale (`measures.variance_scale`); the test points are
    Fig 3's."""
    section = config["fig3_uncertainty"]
    parts = load_parts(config, section["split"])
    train = parts["train"]
    hyper = {k: section[k] for k in ("depth", "activation", "weight_var", "bias_var")}
    method = config["kernel_method"][section["activation"]]
    k_train = fc_kernel(train.x_NxD, **hyper, method=method)
    rows = []
    with threadpool_limits(_BLAS_THREADS, user_api="blas"):
        for part in ("validation", "test"):
            points = parts[part]
            k_cross = fc_kernel(train.x_NxD, points.x_NxD, **hyper, method=method)
            posterior = gp_posterior(k_train.nngp, k_cross.nngp, k_cross.var2, train.targets_NxC)
            rows.append(
                pd.DataFrame(
                    {
                        "part": part,
                        "predicted_variance": posterior.var_M,
                        "realized_mse": np.mean((posterior.mean_MxC - points.targets_NxC) ** 2, axis=1),
                        "correct": np.argmax(posterior.mean_MxC, axis=1) == points.y_N,
                        "jitter": posterior.jitter,
                    }
                )
            )
    write_results(outputs["uncertainty"], pd.concat(rows, ignore_index=True), config)


def phase(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Test accuracy of the NNGP over the (weight_var, bias_var) grid at several depths, by each kernel method, with
    chi_1 of each cell. `correct`: one character per test point ("y" right, "n" wrong: letters,
    so that the table reader keeps it a string), for intervals by resampling
    the test points; `median_distance` and `neighbour_distance`: 1 - c = (q - K) / q at the training pairs' median
    angle and at the median over training points of the angle to their nearest neighbour, how near the kernel is to
    collapse (the lattice clamps c at 0.99999; a kernel classifier leans most on the nearest pairs)."""
    section = config["fig4_phase"]
    parts = load_parts(config, section["split"])
    train, test = parts["train"], parts["test"]
    at_train = angle_interpolation(input_angles(train.x_NxD), section["angles"])
    at_test = angle_interpolation(input_angles(train.x_NxD, test.x_NxD), section["angles"])
    theta_NxN = input_angles(train.x_NxD) + np.diag(np.full(len(train.x_NxD), np.inf))
    angles_at = {
        "median_distance": np.median(theta_NxN[np.isfinite(theta_NxN)]),
        "neighbour_distance": np.median(np.min(theta_NxN, axis=1)),
    }
    rows = []
    for activation in section["activations"]:
        for method in KERNEL_METHODS:
            wv_S, bv_S, _, kernels = gp_search.grid_kernels(activation, section, config, section["angles"], method)
            chi = chi1(activation, wv_S, bv_S)
            with threadpool_limits(_BLAS_THREADS, user_api="blas"):
                for s in range(len(wv_S)):
                    for li, depth in enumerate(kernels.depths):
                        F_A = kernels.nngp_SxLxA[s, li]
                        mean, jitter = gp_search.posterior_mean(
                            kernel_from_angles(at_train, F_A), kernel_from_angles(at_test, F_A), train.targets_NxC
                        )
                        rows.append(
                            {
                                "activation": activation,
                                "method": method,
                                "depth": depth,
                                "weight_var": wv_S[s],
                                "bias_var": bv_S[s],
                                "chi1": chi[s],
                                "test_accuracy": float(np.mean(np.argmax(mean, axis=1) == test.y_N)),
                                "correct": "".join("ny"[int(c)] for c in np.argmax(mean, axis=1) == test.y_N),
                                **{
                                    column: float(
                                        np.interp(angle, kernels.theta_A, kernels.distance_SxLxA[s, li])
                                        / kernels.var_SxL[s, li]
                                    )
                                    for column, angle in angles_at.items()
                                },
                                "jitter": jitter,
                            }
                        )
    write_results(outputs["phase"], rows, config)


def max_relative_error(approx_NxN: np.ndarray, exact_NxN: np.ndarray) -> float:
    """max_ij |approx_ij - exact_ij| / sqrt(exact_ii exact_jj): errors in units of the kernel's own scale at the
    pair, so that a pair whose kernel happens to be near 0 (anticorrelated tanh inputs) does not divide by ~0."""
    scale = np.sqrt(np.outer(np.diag(exact_NxN), np.diag(exact_NxN)))
    return float(np.max(np.abs(approx_NxN - exact_NxN) / scale))


def max_distance_error(
    activation: str,
    weight_var_S: np.ndarray,
    bias_var_S: np.ndarray,
    section: Mapping[str, Any],
    grid: LatticeGrid,
    theta_NxN: np.ndarray,
) -> np.ndarray:
    """max |d_lattice - d_exact| / d_exact over the angles that distinct inputs span, d = 1 - c = (q - K) / q at
    depth `claim_depth`: the error on what is left of the kernel once the constant is removed. A lattice kernel
    that has collapsed (every pair read at the clamp c = 0.99999, so every pair alike) is off by 100 % or more here,
    while its error in units of sqrt(K(x,x) K(x',x')) stays below 1e-5. Evaluated on the nodes of the angle grid
    between the smallest and the largest angle of the pairs (the exact series of `core.kernels.hermite` keeps 1 - c
    to its relative precision)."""
    off = theta_NxN[~np.eye(len(theta_NxN), dtype=bool)]
    kernels = {
        method: angular_kernels(
            activation,
            weight_var_S,
            bias_var_S,
            [section["claim_depth"]],
            method=method,
            angles=section["angles"],
            lattice_grid=grid,
        )
        for method in ("exact", "lattice")
    }
    inside = (kernels["exact"].theta_A >= off.min()) & (kernels["exact"].theta_A <= off.max())
    d = {m: k.distance_SxLxA[:, 0, inside] / k.var_SxL[:, 0, None] for m, k in kernels.items()}
    return np.max(np.abs(d["lattice"] - d["exact"]) / d["exact"], axis=1)


def lattice(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """Lee et al.'s lookup table against the exact kernel.

    `angles`: NNGP against the angle between unit-variance inputs, both methods, several depths.
    `variance`: the table's E[phi(u)^2] against the exact one over input variances (where the u-grid truncates).
    `mnist`: the claim's measurement, lattice vs exact NNGP on standardized inputs (MNIST digits by default) at
    depth `claim_depth`, and beside it the error on 1 - c (`max_distance_error`), which sees a collapsed kernel.
    """
    section = config["lattice"]
    grid = gp_search.lattice_grid(config)
    angle_rows, variance_rows, mnist_rows = [], [], []
    variances = np.geomspace(section["variances"]["start"], section["variances"]["stop"], section["variances"]["num"])
    x = load_parts(config, {"test": section["claim_inputs"]})["test"].x_NxD
    for activation in section["activations"]:
        both = {
            method: angular_kernels(
                activation,
                [section["weight_var"]],
                [section["bias_var"]],
                section["depths"],
                method=method,
                angles=section["angles"],
                lattice_grid=grid,
            )
            for method in ("exact", "lattice")
        }
        for method, kernels in both.items():
            for li, depth in enumerate(kernels.depths):
                for theta, value in zip(kernels.theta_A, kernels.nngp_SxLxA[0, li], strict=True):
                    angle_rows.append(
                        {"activation": activation, "method": method, "depth": depth, "angle": theta, "nngp": value}
                    )
        table = lattice_table(activation, grid)
        exact = activation_second_moment(activation, variances)
        looked_up = np.interp(variances, table.var_V, table.second_V)
        for v, e, t in zip(variances, exact, looked_up, strict=True):
            variance_rows.append({"activation": activation, "variance": v, "exact": e, "lattice": t})
        claim_grid = np.meshgrid(section["claim_weight_vars"], section["claim_bias_vars"], indexing="ij")
        wv_S, bv_S = (a.ravel() for a in claim_grid)
        distance_error_S = max_distance_error(activation, wv_S, bv_S, section, grid, input_angles(x))
        for weight_var, bias_var, distance_error in zip(wv_S, bv_S, distance_error_S, strict=True):
            hyper = {"depth": section["claim_depth"], "activation": activation}
            hyper |= {"weight_var": weight_var, "bias_var": bias_var}
            exact_k = fc_kernel(x, **hyper).nngp
            lattice_k = fc_kernel(x, **hyper, method="lattice", lattice_grid=grid).nngp
            mnist_rows.append(
                {
                    "activation": activation,
                    "weight_var": weight_var,
                    "bias_var": bias_var,
                    "depth": section["claim_depth"],
                    "max_relative_error": max_relative_error(lattice_k, exact_k),
                    "max_distance_error": distance_error,
                }
            )
    write_results(outputs["lattice_angles"], angle_rows, config)
    write_results(outputs["lattice_variance"], variance_rows, config)
    write_results(outputs["lattice_mnist"], mnist_rows, config)
