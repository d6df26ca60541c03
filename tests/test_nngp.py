"""The NNGP group's pieces: preprocessing, subsets, the phase diagram, the uncertainty binning, the claims' measures."""

import numpy as np
import pandas as pd
import pytest

from replications.nngp.experiments import max_relative_error
from replications.nngp.gp_search import grid_values
from replications.nngp.loading import load_parts, nested_train_subsets
from replications.nngp.measures import (
    best_nn,
    binned_uncertainty,
    collapse_estimate,
    collapse_fraction,
    critical_advantage,
    edge_optima,
    paired_cells,
    rank_correlation_estimate,
    seed_estimate,
    selected_nn,
    uncertainty_correlation,
    variance_scale,
)
from replications.nngp.nn_search import training_steps
from replications.nngp.phase import chi1, tanh_fixed_point


def test_parts_are_standardized_disjoint_and_balanced():
    parts = load_parts({"seed": 1}, {"train": 100, "validation": 0, "test": 50})
    assert set(parts) == {"train", "test"}
    for part in parts.values():
        np.testing.assert_allclose(np.sum(part.x_NxD**2, axis=1) / part.x_NxD.shape[1], 1.0, rtol=1e-6)
        np.testing.assert_allclose(part.targets_NxC.sum(axis=1), 0.0, atol=1e-12)
    assert np.bincount(parts["train"].y_N).tolist() == [10] * 10
    assert not {tuple(r) for r in parts["train"].x_NxD[:, :50]} & {tuple(r) for r in parts["test"].x_NxD[:, :50]}


def test_nested_subsets_are_balanced_and_nested():
    labels = np.repeat(np.arange(10), 30)
    subsets = nested_train_subsets(labels, [20, 100, 300], seed=0)
    assert set(subsets[20]) <= set(subsets[100]) <= set(subsets[300])
    assert np.bincount(labels[subsets[100]]).tolist() == [10] * 10
    with pytest.raises(ValueError, match="balanced"):
        nested_train_subsets(labels, [310], seed=0)


def test_grid_values_are_the_papers_grid():
    assert grid_values({"start": 0.1, "stop": 5.0, "num": 30})[17] == pytest.approx(2.97, abs=0.005)
    assert len(grid_values({"start": 0.0, "stop": 2.0, "num": 30, "every": 3})) == 10


def test_chi1_critical_lines():
    assert chi1("relu", 2.0, 0.7) == pytest.approx(1.0)
    assert chi1("tanh", 1.0, 0.0) == pytest.approx(1.0, abs=0.01)  # q* -> 0, chi_1 -> weight_var
    assert chi1("tanh", 0.5, 0.1) < 1 < chi1("tanh", 3.0, 0.1)
    q = tanh_fixed_point(np.array(2.0), np.array(0.5))
    z, w = np.polynomial.hermite_e.hermegauss(101)
    assert q == pytest.approx(2.0 * np.sum(w * np.tanh(np.sqrt(q) * z) ** 2) / w.sum() + 0.5, rel=1e-9)
    with pytest.raises(ValueError, match="relu and tanh"):
        chi1("gelu", 1.0, 0.0)


def test_binned_uncertainty_and_correlation():
    predicted = np.linspace(0.01, 1.0, 400)
    points = pd.DataFrame({"predicted_variance": predicted[::-1], "realized_mse": 0.5 * predicted[::-1]})
    binned = binned_uncertainty(points, 100)
    assert len(binned) == 4 and np.all(np.diff(binned["predicted_variance"]) > 0)
    assert uncertainty_correlation(points, 100) == pytest.approx(1.0)


def test_critical_advantage():
    phase = pd.DataFrame(
        {"activation": "tanh", "depth": 50, "chi1": [1.0, 1.05, 3.0, 0.2], "test_accuracy": [0.9, 0.8, 0.1, 0.3]}
    )
    assert critical_advantage(phase, "tanh", 50) == pytest.approx(0.85 - 0.2)


def test_best_nn_skips_diverged_runs_and_breaks_ties_on_mse():
    runs = pd.DataFrame(
        {
            "width": [8, 8, 8],
            "diverged": [True, False, False],
            "val_accuracy": [np.nan, 0.9, 0.9],
            "val_mse": [np.nan, 0.02, 0.01],
            "test_accuracy": [np.nan, 0.5, 0.6],
        }
    )
    assert best_nn(runs, width=8)["test_accuracy"] == 0.6
    with pytest.raises(ValueError, match="no converged run"):
        best_nn(runs, width=16)


def test_training_steps_by_epochs_at_least_min_steps():
    section = {"batch_size": 100, "epochs": 40, "min_steps": 200, "eval_every": 40}
    assert [training_steps(n, section) for n in (50, 100, 500, 1000, 1010)] == [200, 200, 200, 400, 400]
    assert training_steps(1234, section) == 480  # 40 x 12 batches, a multiple of eval_every


def test_selected_nn_is_the_validation_best_over_widths_with_its_own_retrained_seeds():
    searched = pd.DataFrame(
        {
            "activation": "relu",
            "train_size": 100,
            "width": [16, 16, 64, 64],
            "learning_rate": [0.1, 0.2, 0.1, 0.2],
            "diverged": False,
            "val_accuracy": [0.8, 0.85, 0.9, 0.7],
            "val_mse": 0.1,
            "test_accuracy": [0.99, 0.99, 0.5, 0.99],  # the test set never decides
        }
    )
    retrained = pd.DataFrame(
        {"activation": "relu", "train_size": 100, "width": [16, 16, 64, 64], "test_accuracy": [0.1, 0.2, 0.7, 0.8]}
    )
    best, seeds = selected_nn(searched, retrained, "relu", 100)
    assert best["width"] == 64 and best["learning_rate"] == 0.1
    assert seeds["test_accuracy"].tolist() == [0.7, 0.8]
    with pytest.raises(ValueError, match="no retrained net"):
        selected_nn(searched, retrained[retrained["width"] == 16], "relu", 100)


def test_seed_estimate_student_t_over_finite_seeds():
    estimate = seed_estimate(np.array([0.90, 0.92, 0.94, np.nan]))
    assert estimate.value == pytest.approx(0.92) and estimate.n == 3
    half = 4.302652729911275 * 0.02 / np.sqrt(3)  # t_{0.975, 2} s / sqrt(n)
    assert estimate.ci == pytest.approx((0.92 - half, 0.92 + half))


def test_edge_optima_names_cells_whose_best_point_is_on_the_grids_edge():
    section = {"learning_rates": [0.1, 0.3, 1.0], "weight_vars": [0.5, 1.0, 2.0], "bias_vars": [0.0, 0.5]}
    rows = []
    for width, best in ((16, (0.3, 1.0, 0.0)), (64, (1.0, 1.0, 0.0)), (256, (0.3, 1.0, 0.5))):
        for lr in section["learning_rates"]:
            for wv in section["weight_vars"]:
                for bv in section["bias_vars"]:
                    rows.append(
                        {"activation": "tanh", "train_size": 100, "width": width, "learning_rate": lr,
                         "weight_var": wv, "bias_var": bv, "diverged": False, "val_mse": 0.1,
                         "val_accuracy": 0.9 if (lr, wv, bv) == best else 0.5}
                    )  # fmt: skip
    assert edge_optima(pd.DataFrame(rows), section) == [
        "tanh n=100 width 64 (learning_rate)",  # bias_var 0 is the domain's edge, not the grid's
        "tanh n=100 width 256 (bias_var)",
    ]


def test_max_relative_error_in_units_of_the_kernel_scale():
    exact = np.array([[2.0, 0.0], [0.0, 8.0]])
    approx = exact + np.array([[0.0, 0.04], [0.04, 0.0]])
    assert max_relative_error(approx, exact) == pytest.approx(0.01)


def _phase_cells(method: str, accuracies: list[float], test_points: int = 10) -> pd.DataFrame:
    correct = ["y" * round(a * test_points) + "n" * (test_points - round(a * test_points)) for a in accuracies]
    return pd.DataFrame(
        {
            "activation": "tanh",
            "depth": 50,
            "method": method,
            "weight_var": [0.1, 0.1, 2.0, 2.0],
            "bias_var": [0.0, 1.0, 0.0, 1.0],
            "chi1": [0.2, 0.3, 1.0, 1.05],
            "test_accuracy": accuracies,
            "correct": correct,
        }
    )


def test_collapse_fraction_and_the_method_filter():
    phase = pd.concat([_phase_cells("lattice", [0.1, 0.1, 0.9, 0.8]), _phase_cells("exact", [0.6, 0.2, 0.9, 0.9])])
    lattice, exact = paired_cells(phase, "tanh", 50)
    assert lattice.shape == (10, 4) and lattice.sum(axis=0).tolist() == [1, 1, 9, 8]
    assert collapse_fraction(lattice, exact) == pytest.approx(0.25)  # only the first cell is >= 0.2 below
    estimate = collapse_estimate(phase, "tanh", 50)
    assert estimate.value == pytest.approx(0.25) and estimate.n == 4
    assert critical_advantage(phase, "tanh", 50, method="lattice") == pytest.approx(0.85 - 0.1)
    assert critical_advantage(phase, "tanh", 50, method="exact") == pytest.approx(0.9 - 0.4)


def test_collapse_needs_the_same_grid_for_both_methods():
    lattice, exact = _phase_cells("lattice", [0.1] * 4), _phase_cells("exact", [0.1] * 4)
    exact["weight_var"] = exact["weight_var"] + 0.5
    with pytest.raises(ValueError, match="grids"):
        paired_cells(pd.concat([lattice, exact]), "tanh", 50)


def test_variance_scale_and_rank_correlation():
    rng = np.random.default_rng(0)
    variance = rng.uniform(0.1, 1.0, 400)
    points = pd.DataFrame(
        {
            "part": ["validation"] * 200 + ["test"] * 200,
            "predicted_variance": variance,
            "realized_mse": 0.3 * variance,
        }
    )
    assert variance_scale(points) == pytest.approx(0.3)
    rank = rank_correlation_estimate(points)
    assert rank.value == pytest.approx(1.0) and rank.n == 200
    assert uncertainty_correlation(points, 20) == pytest.approx(1.0)  # the test points only: 10 bins
    with pytest.raises(ValueError, match="validation"):
        variance_scale(points[points["part"] == "test"])
