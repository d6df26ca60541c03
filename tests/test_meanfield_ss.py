"""Sirignano-Spiliopoulos fluctuations: the limit net's closed form against Monte Carlo, its risk against the radial
PDE's, t*, the claim measures on synthetic deviations, and the SS limit against a many-seed average at small N."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from replications.core.provenance import read_table
from replications.meanfield import measures, mmn, ss

ACT = mmn.Activation(t1=0.5, t2=1.5, s1=-2.5, s2=7.5)


def test_direction_mean_matches_monte_carlo():
    d = 7
    rng = np.random.default_rng(0)
    u = rng.standard_normal((1_000_000, d))
    c = u[:, 0] / np.linalg.norm(u, axis=1)
    for s in (0.3, 1.0, 2.5, 8.0):
        sampled = np.asarray(mmn.sigma(ACT, jnp.asarray(s * c)), np.float64)
        error = sampled.std() / np.sqrt(len(c))
        assert abs(ss.direction_mean(ACT, np.array([s]), d)[0] - sampled.mean()) < 4 * error + 1e-6


def test_direction_mean_rejects_knots_it_cannot_handle():
    with pytest.raises(ValueError, match="0 < t1 < t2"):
        ss.direction_mean(mmn.Activation(-0.5, 1.5, -2.5, 7.5), np.array([1.0]), 10)
    with pytest.raises(ValueError, match="d >= 2"):
        ss.direction_mean(ACT, np.array([1.0]), 1)


def test_limit_output_spline_matches_the_direct_sum_and_its_risk_the_pde():
    """yhat_inf on inputs of both classes equals the direct sum over particles; its Monte Carlo risk E(y - yhat)^2
    over many fresh inputs equals the radial PDE's R(rhobar) (the same limit, two routes)."""
    config = ss.DEFAULT_CONFIG
    d = config["dimension"]
    r_M = mmn.initial_radii(config["init_scale"], d, 400)
    x, y = mmn.sample_data(jax.random.PRNGKey(3), config["delta"], 200_000, d)
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    yhat = ss.limit_output(ACT, r_M, x)
    norms = np.linalg.norm(x[:50], axis=1)
    direct = [ss.direction_mean(ACT, rho * r_M, d).mean() for rho in norms]
    np.testing.assert_allclose(yhat[:50], direct, atol=1e-8)
    loss = (y - yhat) ** 2
    with jax.enable_x64(True):
        exact = float(mmn.radial_risk(mmn.radial_problem(config), jnp.asarray(r_M)))
    assert abs(loss.mean() - exact) < 4 * loss.std() / np.sqrt(len(loss))


def test_half_fall_time_and_measurement_time():
    times = np.linspace(0, 1, 11)
    risk = 2.0 - times  # falls from 2 to 1: half (1.5) at t = 0.5
    assert ss.half_fall_time(times, risk) == pytest.approx(0.5)
    risk = np.exp(-5 * times)
    expected = -np.log(0.5 * (1 + np.exp(-5))) / 5
    assert ss.half_fall_time(times, risk) == pytest.approx(expected, abs=0.02)
    config = {"alpha": 1.0, "units": [100, 200, 400]}
    assert ss.measurement_time(config, times, 2.0 - times) == pytest.approx(0.5)
    assert ss.measurement_time(config | {"units": [300, 600]}, times, 2.0 - times) == pytest.approx(0.5 / 0.3 * 0.3)
    with pytest.raises(ValueError, match="does not fall"):
        ss.half_fall_time(times, 1.0 + times)


def _synthetic(units, scale, seeds=256, exponent=-0.5):
    rng = np.random.default_rng(4)
    return pd.concat(
        pd.DataFrame(
            {"units": n, "seed": np.arange(seeds), "time": t, "quantity": "risk"}
            | {"deviation": scale * n**exponent * rng.standard_normal(seeds)}
        )
        for n in units
        for t in (0.0, 0.1)
    )


def test_claim_measures_on_synthetic_clt_deviations():
    units = [100, 200, 400, 800, 1600, 3200]
    table = _synthetic(units, 1.5)
    slope, ratio = measures.ss_fluctuation_slope(table), measures.ss_clt_ratio(table)
    assert slope.ci[0] < -0.5 < slope.ci[1] and slope.n == 256
    assert ratio.ci[0] < 1.0 < ratio.ci[1]
    assert abs(measures.ss_fluctuation_slope(_synthetic(units, 1.0, exponent=-1.0)).value + 1.0) < 0.1


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """d = 5, N = 50 and 200, 256 seeds, exact risks at both N."""
    out = tmp_path_factory.mktemp("ss")
    config = ss.SMOKE_CONFIG | {"dimension": 5, "units": [50, 200], "seeds": 256, "exact_risk_max_units": 200}
    config |= {"seed": 0, "profile": "test", "pde_particles": 2000}
    outputs = {"ss_limit": out / "limit.csv", "ss_deviations": out / "deviations.csv"}
    ss.ss_fluctuations(config, outputs)
    return read_table(outputs["ss_limit"]), read_table(outputs["ss_deviations"])


def test_task_tables(small_run):
    limit, table = small_run
    assert limit["t_star"].sum() == 1 and limit["time"].is_unique
    assert list(table.columns) == ["units", "seed", "time", "quantity", "value", "limit", "deviation"]
    assert set(table["quantity"]) == {"risk", "risk_exact", "output_0", "output_1", "output_2", "output_3"}
    assert sorted(table["time"].unique())[-1] == pytest.approx(float(limit.loc[limit["t_star"], "time"].iloc[0]))


def test_ss_limit_is_the_many_seed_average_at_small_n(small_run):
    """The law of large numbers behind the CLT: the many-seed mean of the exact risk R_N(t*) tends to the limit
    R_inf(t*) with an O(1/N) bias, so quadrupling N cuts |mean - R_inf| about fourfold (here: at least halves it,
    beyond 3 standard errors); the common-test-set deviation has the exact deviation's spread."""
    _, table = small_run
    exact = ss.deviations_at(table, "risk_exact")
    small, large = (np.mean(exact[n]) for n in (50, 200))
    error = 3 * np.std(exact[200], ddof=1) / np.sqrt(len(exact[200]))
    assert abs(large) < 0.5 * abs(small) + error
    test_set = ss.deviations_at(table, "risk")
    for n in (50, 200):
        assert np.std(test_set[n], ddof=1) == pytest.approx(np.std(exact[n], ddof=1), rel=0.15)
