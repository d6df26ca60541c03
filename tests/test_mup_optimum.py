"""The refined optimal learning rate, the never-trained margin and the transfer regret (replications.mup.optimum)."""

import numpy as np
import pandas as pd
import pytest

from replications.mup import optimum

GRID = np.arange(-12.0, -3.0)  # whole octaves


def _curve(centre: float, floor: float = 0.5, curvature: float = 0.1) -> np.ndarray:
    return floor + curvature * (GRID - centre) ** 2


def _sweep(centres: dict[int, list[float]], floor=0.5, diverge_above=None) -> pd.DataFrame:
    rows = []
    for width, per_seed in centres.items():
        for seed, centre in enumerate(per_seed):
            loss = _curve(centre, floor)
            if diverge_above is not None:
                loss = np.where(GRID > diverge_above.get(width, np.inf), np.nan, loss)
            rows += [
                {"width": width, "seed": seed, "log2_lr": x, "train_loss": y} for x, y in zip(GRID, loss, strict=True)
            ]
    return pd.DataFrame(rows)


def test_parabola_finds_a_known_minimum_between_grid_points():
    found = optimum.refined_optimum(GRID, _curve(-7.3))
    assert found["log2_lr"] == pytest.approx(-7.3) and found["loss"] == pytest.approx(0.5)
    assert found["trained"] and not found["at_edge"] and not found["unrefined"]
    # an asymmetric (non-parabolic) curve: the vertex still lands between the grid points around the minimum
    skewed = optimum.refined_optimum(GRID, 0.5 + np.abs(GRID + 7.3) ** 1.5)
    assert -8.0 < skewed["log2_lr"] < -6.0


def test_edges_cliffs_and_untrained_nets_are_flagged():
    edge = optimum.refined_optimum(GRID, _curve(-20.0))
    assert edge["at_edge"] and np.isnan(edge["log2_lr"])
    cliff = _curve(-6.0)
    cliff[GRID > -6.0] = np.nan  # diverged just above the minimum
    found = optimum.refined_optimum(GRID, cliff)
    assert found["unrefined"] and found["log2_lr"] == -6.0
    flat = optimum.refined_optimum(GRID, np.full(GRID.size, 0.96 * np.log(10)))
    assert not flat["trained"]
    assert optimum.refined_optimum(GRID, np.full(GRID.size, 0.94 * np.log(10)) + 0.01 * (GRID + 8) ** 2)["trained"]


def test_slope_shift_and_regret_on_a_toy_table():
    # muP-like: eta* fixed; SP-like: eta* falls one octave per doubling of width
    fixed = _sweep({128: [-7.0, -7.2, -6.8, -7.0], 256: [-7.1, -7.0, -6.9, -7.0], 512: [-7.0, -7.1, -7.0, -6.9]})
    drifting = _sweep({128: [-6.0] * 4, 256: [-7.0] * 4, 512: [-8.0] * 4})
    assert abs(optimum.slope(fixed, "width").value) < 0.1
    assert optimum.slope(drifting, "width").value == pytest.approx(-1.0)
    assert optimum.shift(drifting, "width", 128).value == pytest.approx(2.0)
    assert optimum.regret(fixed, "width", 128).value == pytest.approx(0.0, abs=0.01)
    # base eta* = -6, wide eta* = -8: the transferred loss is 0.1 * 2^2 above the floor
    estimate = optimum.regret(drifting, "width", 128)
    assert estimate.value == pytest.approx(0.4) and estimate.n == 4


def test_diverged_rates_count_as_ln10_in_the_regret_and_untrained_depths_are_skipped():
    drifting = _sweep({128: [-6.0] * 4, 512: [-9.0] * 4}, diverge_above={512: -7.5})
    assert optimum.regret(drifting, "width", 128).value == pytest.approx(np.log(10) - 0.5)
    untrained = _sweep({4: [-7.0] * 4, 8: [-7.5] * 4, 16: [-7.0] * 4}, floor=0.5)
    untrained.loc[untrained["width"] == 16, "train_loss"] = 2.30
    assert optimum.untrained(untrained, "width") == [16]
    assert optimum.deepest_trained(untrained, "width") == 8
    assert optimum.shift(untrained, "width", 4).value == pytest.approx(0.5)


def test_loss_at_reads_the_parabola():
    loss = _curve(-7.3)
    assert optimum.loss_at(GRID, loss, -7.3) == pytest.approx(0.5)
    assert optimum.loss_at(GRID, loss, -4.2) == pytest.approx(0.5 + 0.1 * 3.1**2)


def test_beats_compares_measured_losses_not_parabola_vertices():
    # muP's widest curve has a cliff next to its minimum: the vertex through (2.47, 2.42, 3.07) is far below 2.42
    cliff = pd.DataFrame({"log2_lr": [-8.0, -7.0, -6.0, -5.0], "train_loss": [2.6, 2.47, 2.42, 3.07]})
    smooth = pd.DataFrame({"log2_lr": [-8.0, -7.0, -6.0, -5.0], "train_loss": [2.6, 2.41, 2.45, 2.6]})
    rows = [cliff.assign(parametrization="mup", width=256), smooth.assign(parametrization="sp", width=256)]
    rows += [frame.assign(width=32) for frame in rows]
    sweep = pd.concat([frame.assign(seed=seed) for frame in rows for seed in (0, 1)])
    assert optimum.refined_optimum(cliff["log2_lr"], cliff["train_loss"], 256)["loss"] < 2.41
    assert optimum.beats(sweep, "mup", "sp", 256).value == pytest.approx(2.42 - 2.41)
