"""Mei-Montanari-Nguyen isotropic Gaussians: closed forms against quadrature and Monte Carlo, the radial PDE against
known solutions, one SGD step by hand, the claim measures, and the compute task's tables."""

from __future__ import annotations

from math import factorial

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from numpy.polynomial import hermite_e
from scipy import stats as scipy_stats
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from replications.core.provenance import read_table
from replications.meanfield import measures, mmn

ACT = mmn.Activation(t1=0.5, t2=1.5, s1=-2.5, s2=7.5)
CONFIG = mmn.DEFAULT_CONFIG


def test_activation_is_the_piecewise_linear_of_the_paper():
    z = jnp.array([-1.0, 0.5, 1.0, 1.5, 3.0])
    np.testing.assert_allclose(mmn.sigma(ACT, z), [-2.5, -2.5, 2.5, 7.5, 7.5])
    np.testing.assert_allclose(mmn.sigma_prime(ACT, z), [0.0, 0.0, 10.0, 0.0, 0.0])


def test_hermite_coefficients_and_second_moment_match_quadrature():
    g = np.linspace(-12, 12, 100_001)
    weight = np.exp(-(g**2) / 2) / np.sqrt(2 * np.pi) * (g[1] - g[0])
    with jax.enable_x64(True):
        s = jnp.array([0.16, 0.8, 3.0])
        alpha_SxK = np.asarray(jax.jit(lambda s: mmn.hermite_coefficients(ACT, s, 10))(s))
        moment_S = np.asarray(mmn.second_moment(ACT, s))
    sigma_SxG = np.asarray(mmn.sigma(ACT, np.asarray(s)[:, None] * g[None]))
    for k in range(10):
        he_k = hermite_e.hermeval(g, [0] * k + [1]) / np.sqrt(factorial(k))
        np.testing.assert_allclose(alpha_SxK[:, k], sigma_SxG @ (he_k * weight), atol=1e-7)
    np.testing.assert_allclose(moment_S, sigma_SxG**2 @ weight, rtol=1e-7)


def test_overlap_moments_of_a_uniform_direction():
    d = 40
    m = mmn.overlap_moments(d, 7)
    np.testing.assert_allclose(m, [1, 0, 1 / d, 0, 3 / (d * (d + 2)), 0, 15 / (d * (d + 2) * (d + 4))])
    np.testing.assert_array_equal(mmn.overlap_moments(None, 4), [1, 0, 0, 0])
    directions = np.random.default_rng(0).standard_normal((200_000, d))
    c = directions[:, 0] / np.linalg.norm(directions, axis=1)
    assert np.mean(c**4) == pytest.approx(m[4], rel=0.02)


def _monte_carlo_risk(W_NxD: np.ndarray, delta: float, samples: int) -> tuple[float, float]:
    rng = np.random.default_rng(1)
    y = rng.choice([-1.0, 1.0], samples)
    x = (1 + delta * y)[:, None] * rng.standard_normal((samples, W_NxD.shape[1]))
    yhat = np.mean(np.asarray(jax.jit(lambda z: mmn.sigma(ACT, z))(x @ W_NxD.T)), axis=1)
    loss = (y - yhat) ** 2
    return float(np.mean(loss)), float(np.std(loss) / np.sqrt(samples))


def test_population_risk_of_a_few_units_matches_monte_carlo():
    """R_N = 1 + (2/N) sum V + (1/N^2) sum U: the scaling conventions, the Mehler series off the diagonal (overlaps
    up to 0.9) and the closed-form diagonal, against E (y - yhat)^2 sampled."""
    W_NxD = np.array([[0.9, 0.0, 0.0], [0.9 * 2.0, 2.0 * np.sqrt(1 - 0.81), 0.0], [0.0, -0.3, 1.1]])
    with jax.enable_x64(True):
        exact = float(mmn.population_risk(ACT, 0.8, jnp.asarray(W_NxD), 40))
    sampled, error = _monte_carlo_risk(W_NxD, 0.8, 1_000_000)
    assert abs(exact - sampled) < 4 * error


def test_radial_risk_is_the_mean_field_limit_of_the_population_risk():
    """For units with given radii and independent uniform directions, E R_N = R(rhobar) + (1/N^2) sum_i
    [U(w_i, w_i) - u_d(r_i, r_i)]: the radial kernel u_d is the direction-average of U."""
    d, n = 40, 200
    r_N = np.linspace(0.3, 3.0, n)
    problem = mmn.radial_problem(CONFIG)
    directions = np.random.default_rng(2).standard_normal((32, n, d))
    W_BxNxD = directions / np.linalg.norm(directions, axis=2, keepdims=True) * r_N[:, None]

    def prediction(r: jax.Array) -> jax.Array:
        u_diag = jnp.sum(mmn.radial_features(problem, r) ** 2, axis=(1, 2))
        U_diag = 0.5 * sum(mmn.second_moment(ACT, a * r) for a in mmn.class_scales(0.8))
        return mmn.radial_risk(problem, r) + jnp.sum(U_diag - u_diag) / n**2

    with jax.enable_x64(True):
        risks = np.asarray(jax.jit(jax.vmap(lambda W: mmn.population_risk(ACT, 0.8, W)))(jnp.asarray(W_BxNxD)))
        predicted = float(jax.jit(prediction)(jnp.asarray(r_N)))
    assert np.mean(risks) == pytest.approx(predicted, abs=5 * np.std(risks) / np.sqrt(len(risks)))


def test_without_interaction_each_particle_descends_v():
    """With u = 0 the PDE's particles are independent: dr/dt = -2 v'(r), solved here by scipy."""
    problem = mmn.radial_problem(CONFIG)._replace(weights_K=np.zeros(mmn.PDE_ORDER))
    r0 = np.array([0.6, 0.8, 1.2])
    r_RxM = mmn.solve_radial_pde(problem, r0, interval=0.25, records=4, dt=0.01)

    with jax.enable_x64(True):
        dv = jax.jit(jax.vmap(jax.grad(lambda x: mmn.radial_potential(problem, x[None])[0])))
        reference = solve_ivp(
            lambda _, r: -2.0 * np.asarray(dv(jnp.asarray(r))), (0, 1.0), r0, t_eval=np.linspace(0, 1.0, 5), rtol=1e-10
        ).y.T
    np.testing.assert_allclose(r_RxM, reference, rtol=1e-6)


def test_a_stationary_point_of_psi_stays_put():
    """rhobar = delta_{r*} with d_r psi(r*; delta_{r*}) = 0 is a fixed point of the PDE."""
    problem = mmn.radial_problem(CONFIG)

    with jax.enable_x64(True):
        velocity = jax.jit(lambda r: mmn.radial_velocity(problem, r[None])[0])
        r_star = brentq(lambda r: float(velocity(jnp.asarray(r))), 3.0, 5.0, xtol=1e-14)
    r_RxM = mmn.solve_radial_pde(problem, np.full(3, r_star), interval=1.0, records=2, dt=0.01)
    np.testing.assert_allclose(r_RxM, r_star, rtol=1e-9)


def test_pde_velocity_is_the_gradient_flow_of_the_risk():
    """dR/dt = sum_j (dR/dr_j) dr_j/dt = -4 int (d_r psi)^2 drhobar = -mean(velocity^2): the velocity -2 d_r psi is
    M/2 times minus the gradient of R(rhobar) in the particles, the factor 2 of the DD."""
    problem = mmn.radial_problem(CONFIG)
    with jax.enable_x64(True):
        r_M = jnp.asarray(mmn.initial_radii(0.8, 40, 50) * np.linspace(0.5, 5.0, 50))
        velocity_M, gradient_M = jax.jit(
            lambda r: (mmn.radial_velocity(problem, r), jax.grad(lambda x: mmn.radial_risk(problem, x))(r))
        )(r_M)
        np.testing.assert_allclose(jnp.dot(gradient_M, velocity_M), -jnp.mean(velocity_M**2), rtol=1e-10)


def test_initial_radii_are_quantiles_of_a_scaled_chi():
    r = mmn.initial_radii(0.8, 40, 1000)
    assert np.all(np.diff(r) > 0)
    assert np.mean(r**2) == pytest.approx(0.8**2, rel=1e-3)


def test_one_sgd_step_of_a_single_unit_by_hand():
    """N = 1, <w, x> = 0.2 + 0.2 + 0.3 = 0.7 in the linear piece: sigma = -2.5 + 10 (0.7 - 0.5) = -0.5,
    y - yhat = 1.5, sigma' = 10, so w <- w + 2 eps 1.5 10 x = w + 30 eps x."""
    w = jnp.array([[0.2, 0.1, 0.3]])
    x = jnp.array([1.0, 2.0, 1.0])
    step = 1e-3
    new = mmn.sgd_step(ACT, w, x, jnp.array(1.0), step)
    np.testing.assert_allclose(new, [[0.23, 0.16, 0.33]], rtol=1e-6)


def test_sgd_data_have_the_class_variances():
    x, y = mmn.sample_data(jax.random.PRNGKey(0), 0.8, 100_000, 4)
    x, y = np.asarray(x), np.asarray(y)
    assert np.mean(y > 0) == pytest.approx(0.5, abs=0.01)
    assert np.std(x[y > 0]) == pytest.approx(1.8, rel=0.01)
    assert np.std(x[y < 0]) == pytest.approx(0.2, rel=0.01)


def test_claim_measures_on_synthetic_tables():
    start, end = np.linspace(0.0, 1.0, 101), np.linspace(2.0, 3.0, 101)
    radii = pd.concat(
        [
            pd.DataFrame({"source": "pde", "time": 0.0, "seed": -1, "radius": start}),
            pd.DataFrame({"source": "pde", "time": 1.0, "seed": -1, "radius": end}),
            pd.DataFrame({"source": "sgd", "time": 1.0, "seed": 0, "radius": end + 0.1}),
        ]
    )
    assert mmn.w1_ratio(radii) == pytest.approx(0.05)
    risk = pd.DataFrame(
        {
            "source": ["pde", "pde", "sgd", "sgd", "sgd", "sgd"],
            "time": [0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
            "seed": [-1, -1, 0, 0, 1, 1],
            "risk": [2.0, 1.0, 2.0, 1.1, 2.0, 1.3],
        }
    )
    assert mmn.risk_gap(risk) == pytest.approx(0.1)
    # the claim: that gap of the mean curve, with the jackknife over the SGD runs (each run alone: 0.05 and 0.15),
    # the PDE's curve kept in every leave-one-out
    estimate = measures.mmn_risk(risk)
    half = scipy_stats.t.ppf(0.975, 1) * 0.05
    assert estimate.value == pytest.approx(0.1) and estimate.n == 2
    assert estimate.ci == pytest.approx((0.0, 0.1 + half))


def test_task_writes_tidy_tables(tmp_path):
    config = mmn.SMOKE_CONFIG | {"units": 20, "sgd_steps": 400, "records": 4, "pde_particles": 3, "seed": 0}
    outputs = {"mmn_radii": tmp_path / "radii.csv", "mmn_risk": tmp_path / "risk.csv"}
    mmn.mmn_radial(config | {"profile": "test"}, outputs)
    radii, risk = read_table(outputs["mmn_radii"]), read_table(outputs["mmn_risk"])
    assert list(radii.columns) == ["source", "time", "seed", "radius"]
    assert list(risk.columns) == ["source", "time", "seed", "risk"]
    assert len(radii) == 5 * (20 + 3 + 3) and len(risk) == 3 * 5
    assert set(risk["source"]) == {"sgd", "pde", "pde_d_infinity"}
    pde = risk[risk["source"] == "pde"]["risk"].to_numpy()
    paper = risk[risk["source"] == "pde_d_infinity"]["risk"].to_numpy()
    assert not np.allclose(pde, paper)  # the two kernels differ by O(1/d)
    np.testing.assert_allclose(np.sort(risk["time"].unique()), 1e-4 * 100 * np.arange(5))
    assert np.all(np.isfinite(risk["risk"])) and np.all(radii["radius"] > 0)
    assert radii.attrs["provenance"]["config"]["units"] == 20
    # the claim's bootstrap statistic on arrays is w1_ratio of the table keeping the resampled SGD units, bit for bit
    end = radii["time"].max()
    sgd_end = radii[(radii["source"] == "sgd") & (radii["time"] == end)]
    sgd_U, pde_start_M, pde_end_M = mmn.final_radii(radii)
    assert len(sgd_U) == len(sgd_end) == 20 * config["seeds"] and len(pde_start_M) == len(pde_end_M) == 3
    for units in np.random.default_rng(0).integers(0, len(sgd_U), (5, len(sgd_U))):
        table = pd.concat([radii[radii["source"] != "sgd"], sgd_end.iloc[units]])
        assert mmn.radius_w1_ratio(sgd_U[units], pde_start_M, pde_end_M) == mmn.w1_ratio(table)
