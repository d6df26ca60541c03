"""Sirignano & Spiliopoulos (SPA 2020), the central limit theorem of the mean-field limit, on Mei, Montanari &
Nguyen's isotropic-Gaussians model (`mmn`).

One-pass SGD with step alpha / N on the net yhat(x) = (1/N) sum_i sigma(<w_i, x>) (`mmn.sgd_step` with
eps = alpha / N), time t = k alpha / N, so reaching t takes t N / alpha steps. As N -> infinity the empirical law of
the w_i follows the distributional dynamics (the law of large numbers: Sirignano & Spiliopoulos SIAM J. Appl. Math.
2020; Mei et al. 2018), whose rotation-invariant solution is the finite-d radial PDE of `mmn` (`mmn.radial_problem`
with `pde_finite_dimension`). The CLT: sqrt(N) (mu^N_t - mu_t) converges to a Gaussian process, so the fluctuations
of the risk R_N(t) - R_inf(t) and of the output yhat_N(x) - yhat_inf(x) are Gaussian of order N^-1/2, while the
mean deviation (the law of large numbers' bias: the SGD's O(eps d) outward drift, the finite-N self-interaction)
is O(1/N).

When. t* is the time at which the limit's risk has covered half its fall over [0, `horizon`] (linear interpolation
on `limit_records` equally spaced times), rounded to the nearest multiple of alpha / gcd(units) so that every N
reaches it in a whole number of steps. Measuring at t = 0 would test only the CLT of the initialization.

Risk. The exact population risk of an N-unit net (`mmn.population_risk`) costs N^2 per seed (seconds per seed at
N = 3200). We use instead one common test set of `test_points` inputs, the same for every N and seed, on which both
the SGD nets and the limit net yhat_inf are evaluated: R_N - R_inf is estimated by the difference of the two
test-set risks, so the test set's own sampling error cancels to first order (what remains adds a variance
O(1/(N P)) that scales like the fluctuation itself). The exact risks are recorded beside it for N <=
`exact_risk_max_units` (quantity `risk_exact`) as a check.

The limit net. For rho_t rotation invariant with radial law rhobar_t, yhat_inf(x) = E_{r ~ rhobar_t} g(r ||x||) with
g(s) = E sigma(s c), c the first coordinate of a uniform unit vector of R^d (density proportional to
(1 - c^2)^((d-3)/2), c^2 ~ Beta(1/2, (d-1)/2)). sigma = s1 + kappa [(z - t1)_+ - (z - t2)_+] and, for t > 0 and
a = t / s < 1, E (s c - t)_+ = s (1 - a^2)^((d-1)/2) / ((d-1) B(1/2, (d-1)/2)) - (t/2) P(c^2 > a^2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from scipy.interpolate import CubicSpline
from scipy.special import beta as beta_function
from scipy.special import betainc

from replications.core.results import write_results
from replications.meanfield import mmn

DEFAULT_CONFIG: dict[str, Any] = {
    "delta": 0.8,
    "dimension": 20,
    "init_scale": 0.8,
    "knots": [0.5, 1.5],
    "levels": [-2.5, 7.5],
    "alpha": 1.0,  # SGD step alpha / N
    "units": [100, 200, 400, 800, 1600, 3200],
    "seeds": 256,
    "horizon": 1.0,  # the figure's time window; t* is the limit risk's half-fall time in it
    "limit_records": 100,
    "pde_particles": 4000,
    "pde_dt": 0.01,
    "test_points": 4096,
    "probe_inputs": 4,  # the first test inputs of class +1, whose outputs are recorded
    "exact_risk_max_units": 100,
}
SMOKE_CONFIG: dict[str, Any] = DEFAULT_CONFIG | {
    "units": [50, 100, 200],
    "seeds": 16,
    "limit_records": 20,
    "pde_particles": 500,
    "test_points": 512,
    "exact_risk_max_units": 50,
}


def _positive_part_mean(s: np.ndarray, t: float, dimension: int) -> np.ndarray:
    """E (s c - t)_+ for s > 0, t > 0, c the first coordinate of a uniform unit vector of R^d."""
    a2 = np.minimum((t / s) ** 2, 1.0)
    half = (dimension - 1) / 2
    upper = s * (1.0 - a2) ** half / ((dimension - 1) * beta_function(0.5, half))
    return upper - 0.5 * t * (1.0 - betainc(0.5, half, a2))


def direction_mean(act: mmn.Activation, s: np.ndarray, dimension: int) -> np.ndarray:
    """g(s) = E sigma(s c) in closed form (module docstring); needs 0 < t1 < t2 and d >= 2."""
    if not 0 < act.t1 < act.t2 or dimension < 2:
        raise ValueError(f"direction_mean needs 0 < t1 < t2 and d >= 2, got {act} and d = {dimension}")
    s = np.asarray(s, np.float64)
    return act.s1 + act.slope * (_positive_part_mean(s, act.t1, dimension) - _positive_part_mean(s, act.t2, dimension))


def limit_output(act: mmn.Activation, r_M: np.ndarray, x_PxD: np.ndarray, nodes: int = 512) -> np.ndarray:
    """yhat_inf(x_p) = G(||x_p||), G(rho) = (1/M) sum_j g(r_j rho) for the radial law rhobar = (1/M) sum_j
    delta_{r_j}: G is evaluated exactly at `nodes` norms spanning the inputs' and interpolated by a cubic spline
    (G is smooth; 512 nodes agree with the direct sum to 1e-9 on the default inputs)."""
    norms_P = np.linalg.norm(np.asarray(x_PxD, np.float64), axis=1)
    rho_G = np.linspace(norms_P.min(), norms_P.max(), nodes)
    r_M = np.asarray(r_M, np.float64)
    G_G = np.array([direction_mean(act, rho * r_M, x_PxD.shape[1]).mean() for rho in rho_G])
    return CubicSpline(rho_G, G_G)(norms_P)


def half_fall_time(times_T: np.ndarray, risk_T: np.ndarray) -> float:
    """The first time at which risk_T has covered half of its fall risk_T[0] - risk_T[-1] (linear interpolation)."""
    half = risk_T[0] - 0.5 * (risk_T[0] - risk_T[-1])
    k = int(np.argmax(risk_T <= half))
    if risk_T[-1] >= risk_T[0] or k == 0:
        raise ValueError("the limit's risk does not fall over the horizon")
    return float(times_T[k - 1] + (times_T[k] - times_T[k - 1]) * (risk_T[k - 1] - half) / (risk_T[k - 1] - risk_T[k]))


def measurement_time(config: Mapping[str, Any], times_T: np.ndarray, risk_T: np.ndarray) -> float:
    """t*: `half_fall_time` rounded to the nearest positive multiple of alpha / gcd(units)."""
    quantum = config["alpha"] / math.gcd(*config["units"])
    return quantum * max(1, round(half_fall_time(times_T, risk_T) / quantum))


def _sgd_to(act: mmn.Activation, W0_SxNxD: jax.Array, keys_S: jax.Array, *, delta: float, step: float, steps: int):
    """`steps` one-pass SGD steps of size `step` from every seed's W0, vmapped over seeds."""

    def one(W0_NxD, key):
        x_KxD, y_K = mmn.sample_data(key, delta, steps, W0_NxD.shape[1])
        return jax.lax.scan(lambda W, xy: (mmn.sgd_step(act, W, *xy, step), None), W0_NxD, (x_KxD, y_K))[0]

    return jax.vmap(one)(W0_SxNxD, keys_S)


def _outputs(act: mmn.Activation, W_SxNxD: jax.Array, x_PxD: jax.Array) -> jax.Array:
    """yhat_SxP, one seed at a time (an S x N x P array would not fit)."""
    return jax.lax.map(lambda W: jnp.mean(mmn.sigma(act, x_PxD @ W.T), axis=1), W_SxNxD)


def ss_fluctuations(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """The limit's risk over [0, horizon] (radial PDE, finite d) -> outputs["ss_limit"] (time, risk, t_star); for
    every N in `units`, `seeds` SGD runs from w_i ~ N(0, init_scale^2 / d I) to t = 0 and t*, and at both times the
    test-set risk, the exact risk (N <= exact_risk_max_units) and the outputs at the probe inputs (the first
    `probe_inputs` test inputs of class +1), each beside its limit -> outputs["ss_deviations"] (units, seed, time,
    quantity, value, limit, deviation)."""
    act, delta, d = mmn.activation_of(config), config["delta"], config["dimension"]
    problem = mmn.radial_problem(config)
    r0_M = mmn.initial_radii(config["init_scale"], d, config["pde_particles"])
    interval = config["horizon"] / config["limit_records"]
    r_TxM = mmn.solve_radial_pde(problem, r0_M, interval=interval, records=config["limit_records"], dt=config["pde_dt"])
    radial_risk = jax.jit(jax.vmap(lambda r: mmn.radial_risk(problem, r)))
    with jax.enable_x64(True):
        risk_T = np.asarray(radial_risk(jnp.asarray(r_TxM)))
    times_T = interval * np.arange(config["limit_records"] + 1)
    t_star = measurement_time(config, times_T, risk_T)
    r_star_M = mmn.solve_radial_pde(problem, r0_M, interval=t_star, records=1, dt=config["pde_dt"])[-1]
    with jax.enable_x64(True):
        risk_star = float(radial_risk(jnp.asarray(r_star_M[None]))[0])
    write_results(
        outputs["ss_limit"],
        pd.DataFrame({"time": [*times_T, t_star], "risk": [*risk_T, risk_star]})
        .assign(t_star=lambda f: np.isclose(f["time"], t_star))
        .drop_duplicates("time", keep="last")
        .sort_values("time", kind="stable"),
        config,
    )

    key_test, key_runs = jax.random.split(jax.random.PRNGKey(config["seed"]))
    x_PxD, y_P = mmn.sample_data(key_test, delta, config["test_points"], d)
    x64_PxD, y64_P = np.asarray(x_PxD, np.float64), np.asarray(y_P, np.float64)
    # probes of class +1: for most class -1 inputs every unit sits below the knot t1 and yhat = s1 exactly
    probes_K = np.flatnonzero(y64_P > 0)[: config["probe_inputs"]]
    limits = {}
    for time, r_M in ((0.0, r0_M), (t_star, r_star_M)):
        yhat_P = limit_output(act, r_M, x64_PxD)
        limits[time] = {"yhat": yhat_P, "risk": float(np.mean((y64_P - yhat_P) ** 2))}
        with jax.enable_x64(True):
            limits[time]["risk_exact"] = float(radial_risk(jnp.asarray(r_M[None]))[0])

    rows = []
    for n in config["units"]:
        keys = jax.random.split(jax.random.fold_in(key_runs, n), (config["seeds"], 2))
        W0 = jax.vmap(lambda k, n=n: config["init_scale"] / np.sqrt(d) * jax.random.normal(k, (n, d)))(keys[:, 0])
        steps = round(t_star * n / config["alpha"])
        sgd = jax.jit(lambda W, k, n=n, steps=steps: _sgd_to(
            act, W, k, delta=delta, step=config["alpha"] / n, steps=steps
        ))  # fmt: skip
        for time, W in ((0.0, W0), (t_star, sgd(W0, keys[:, 1]))):
            yhat_SxP = np.asarray(jax.jit(_outputs, static_argnums=0)(act, W, x_PxD), np.float64)
            measured = {"risk": np.mean((y64_P - yhat_SxP) ** 2, axis=1)}
            if n <= config["exact_risk_max_units"]:
                with jax.enable_x64(True):
                    W64 = jnp.asarray(np.asarray(W, np.float64))
                    measured["risk_exact"] = np.asarray(
                        jax.jit(lambda W: jax.lax.map(lambda w: mmn.population_risk(act, delta, w), W))(W64)
                    )
            limit_of = {quantity: limits[time][quantity] for quantity in measured}
            for k, p in enumerate(probes_K):
                measured[f"output_{k}"], limit_of[f"output_{k}"] = yhat_SxP[:, p], limits[time]["yhat"][p]
            for quantity, value_S in measured.items():
                limit = limit_of[quantity]
                rows.append(
                    pd.DataFrame(
                        {"units": n, "seed": np.arange(config["seeds"]), "time": time, "quantity": quantity}
                        | {"value": value_S, "limit": limit, "deviation": value_S - limit}
                    )
                )
    write_results(outputs["ss_deviations"], pd.concat(rows, ignore_index=True), config)


# ---------------------------------------------------------------- the measures


def deviations_at(table: pd.DataFrame, quantity: str = "risk", when: str = "t_star") -> dict[int, np.ndarray]:
    """N -> the deviations of `quantity` over the seeds, at t* (`when="t_star"`) or t = 0 (`"start"`)."""
    time = table["time"].max() if when == "t_star" else 0.0
    rows = table[(table["quantity"] == quantity) & (table["time"] == time)]
    return {int(n): group.sort_values("seed")["deviation"].to_numpy() for n, group in rows.groupby("units")}


def std_slope(units: Sequence[int], *deviations: np.ndarray) -> float:
    """Least-squares slope of log std (over seeds) against log N."""
    stds = [np.std(dev, ddof=1) for dev in deviations]
    return float(np.polyfit(np.log(np.asarray(units, float)), np.log(stds), 1)[0])


def clt_ratio(units: Sequence[int], smallest: np.ndarray, largest: np.ndarray) -> float:
    """sqrt(N_max) std at N_max over sqrt(N_min) std at N_min: 1 when the fluctuations are exactly O(N^-1/2)."""
    n_min, n_max = min(units), max(units)
    return float(np.sqrt(n_max) * np.std(largest, ddof=1) / (np.sqrt(n_min) * np.std(smallest, ddof=1)))
