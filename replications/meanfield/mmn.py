"""Mei, Montanari & Nguyen (PNAS 2018), isotropic Gaussians: one-pass SGD of a two-layer net against the radial
reduction of its distributional dynamics (DD).

Data and model. y = +-1 with probability 1/2; x | y ~ N(0, a_y^2 I_d) with a_+ = 1 + Delta, a_- = 1 - Delta.
The net is yhat(x) = (1/N) sum_i sigma(<w_i, x>), output weights fixed, sigma piecewise linear: level s1 below the
knot t1, s2 above t2, linear (slope kappa = (s2 - s1) / (t2 - t1)) in between. One-pass SGD on (y - yhat)^2:

    w_i <- w_i + 2 eps (y_k - yhat(x_k)) sigma'(<w_i, x_k>) x_k,       time t = k eps.

Risk. R_N = E (y - yhat)^2 = 1 + (2/N) sum_i V(w_i) + (1/N^2) sum_ij U(w_i, w_j), with V(w) = -E[y sigma(<w,x>)]
and U(w, w') = E[sigma(<w,x>) sigma(<w',x>)]. Given y = +-1, (<w,x>, <w',x>) is a centred Gaussian pair with
standard deviations a_y ||w||, a_y ||w'|| and correlation c = <w,w'> / (||w|| ||w'||). With the Hermite
coefficients alpha_k(s) = E[sigma(sG) He_k(G)] / sqrt(k!) (G ~ N(0,1), `hermite_coefficients`) and Mehler's
formula E[He_j(G1) He_k(G2)] = delta_jk k! c^k:

    V(w)     = -(1/2) [q(a_+ r) - q(a_- r)],                     q = alpha_0, r = ||w||,
    U(w, w') = (1/2) sum_{y=+-} sum_k c^k alpha_k(a_y r) alpha_k(a_y r').

Radial reduction. The DD d_t rho = 2 div(rho grad Psi), Psi(w; rho) = V(w) + int U(w, w') rho(dw'), keeps a
rotation-invariant rho rotation invariant. Then c between a fixed w and w' ~ rho is the first coordinate of a
uniform unit vector of R^d, independent of r', with even moments m_k = E c^k = (k-1)!! / (d (d+2) ... (d+k-2)) and
odd moments 0, so Psi depends on r = ||w|| only, Psi(w; rho) = psi(r; rhobar) with

    psi(r; rhobar) = v(r) + int u_d(r, r') rhobar(dr'),   v(r) = V(w),
    u_d(r, r')     = (1/2) sum_{y=+-} sum_{k even} m_k alpha_k(a_y r) alpha_k(a_y r'),

and the velocity -2 grad_w Psi = -2 psi'(r) w / r is radial: each ||w|| moves by dr/dt = -2 d_r psi(r; rhobar_t),
i.e. d_t rhobar = 2 d_r(rhobar d_r psi). As d -> infinity, m_k -> 0 for k > 0 and u_d -> u(r,r') =
(1/2) sum_y q(a_y r) q(a_y r') (the paper's form, c -> 0). We solve both; the finite-d u_d is the exact
N -> infinity, eps -> 0 limit of the SGD at the simulated d (its correction to u is O(1/d), from k = 2; the k = 1
term, which would be O(1/sqrt d), averages out by symmetry). The PDE is solved by a particle scheme: M radii
placed at the quantiles of the initial law follow dr_j/dt = -2 d_r psi(r_j; (1/M) sum_l delta_{r_l}) by RK4; for a
discrete initial law this is the exact solution of the 1-D continuity equation, so the only errors are the quantile
discretization of rhobar_0 (O(1/M) in W1) and the time step.

What the SGD adds at finite d. A step moves w by eps g with ||g||^2 ~ d, so ||w||^2 gains a drift
eps^2 ||g||^2 = O(eps^2 d) per step, O(eps d) per unit time, outward, that the DD does not have; and the
empirical measure of N units in R^d is only approximately rotation invariant (the k = 1 term, a linear component
of yhat that the gradient damps, fluctuates at O(1/sqrt(N d))). Both vanish as eps d -> 0 and N -> infinity.

Step size. The paper's eps (1e-6, UNSURE) would take 2e7 steps to reach t = 20. We use eps = 2e-5 (eps d = 8e-4,
1e6 steps, about 15 us each): eps = 4e-5 gives the same radii and risks within the seed-to-seed spread, and at
eps = 2e-5 the W1 distance to the PDE is ~1e-2 against the ~3.5 the PDE law itself travels.

Risks recorded: the SGD's exact population risk R_N (closed form from the radii and the pairwise overlaps c_ij,
the diagonal U(w, w) = (1/2) sum_y E sigma(a_y r G)^2 in closed form), and the PDE's R(rhobar) =
1 + 2 int v drhobar + int int u_d drhobar drhobar.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from jax.scipy.stats import norm
from scipy.stats import chi2, wasserstein_distance

from replications.core.results import write_results

RISK_ORDER = 24  # alpha_0 .. alpha_23 in the SGD risk: at trained overlaps (|c| <= 0.7) order 40 moves R_N 1e-11
PDE_ORDER = 16  # alpha_0 .. alpha_15 in u_d: the dropped m_k alpha_k^2 are < 1e-8 at d = 40, < 1e-4 at d = 10

DEFAULT_CONFIG: dict[str, Any] = {
    "delta": 0.8,  # Delta: class standard deviations 1 +- Delta
    "dimension": 40,  # d
    "units": 800,  # N
    "init_scale": 0.8,  # w_i ~ N(0, init_scale^2 / d I_d), so ||w_i|| ~ init_scale
    "knots": [0.5, 1.5],  # t1, t2
    "levels": [-2.5, 7.5],  # s1, s2
    "step": 2.0e-5,  # eps (the paper's 1e-6 would need 2e7 steps)
    "sgd_steps": 1_000_000,  # t_max = step * sgd_steps = 20
    "seeds": 2,  # SGD runs, vmapped
    "records": 40,  # equally spaced record times after t = 0
    "pde_particles": 2000,
    "pde_dt": 0.05,  # RK4 step: 0.05 and 0.005 agree to 1e-4 in R
}
SMOKE_CONFIG: dict[str, Any] = DEFAULT_CONFIG | {
    "units": 200,
    "step": 1.0e-4,
    "sgd_steps": 20_000,
    "seeds": 1,
    "records": 10,
    "pde_particles": 300,
}


class Activation(NamedTuple):
    """sigma(z) = s1 for z <= t1, s2 for z >= t2, linear in between."""

    t1: float
    t2: float
    s1: float
    s2: float

    @property
    def slope(self) -> float:
        return (self.s2 - self.s1) / (self.t2 - self.t1)


def activation_of(config: Mapping[str, Any]) -> Activation:
    (t1, t2), (s1, s2) = config["knots"], config["levels"]
    return Activation(float(t1), float(t2), float(s1), float(s2))


def sigma(act: Activation, z: jax.Array) -> jax.Array:
    return act.s1 + act.slope * (jnp.clip(z, act.t1, act.t2) - act.t1)


def sigma_prime(act: Activation, z: jax.Array) -> jax.Array:
    return jnp.where((z > act.t1) & (z < act.t2), act.slope, 0.0).astype(z.dtype)


def class_scales(delta: float) -> tuple[float, float]:
    """(a_+, a_-) = (1 + Delta, 1 - Delta): the standard deviations of x | y = +1 and x | y = -1."""
    return 1.0 + delta, 1.0 - delta


# ---------------------------------------------------------------- Gaussian expectations of sigma (closed form)


def gaussian_mean(act: Activation, s_S: jax.Array) -> jax.Array:
    """q(s) = E sigma(s G) = s1 + kappa (E(sG - t1)_+ - E(sG - t2)_+), E(sG - t)_+ = s phi(t/s) - t Phi(-t/s)."""
    s = jnp.asarray(s_S)
    z1, z2 = act.t1 / s, act.t2 / s
    return act.s1 + act.slope * (s * (norm.pdf(z1) - norm.pdf(z2)) - act.t1 * norm.cdf(-z1) + act.t2 * norm.cdf(-z2))


def hermite_coefficients(act: Activation, s_S: jax.Array, order: int) -> jax.Array:
    """alpha_SxK[:, k] = E[sigma(s G) He_k(G)] / sqrt(k!), k < order, for scales s > 0, order >= 3.

    Gaussian integration by parts, E[f(G) He_k(G)] = E[f^(k)(G)], with sigma'' = kappa (delta_t1 - delta_t2) and
    E[delta^(m)(sG - t)] = s^-(m+1) He_m(t/s) phi(t/s) give, with z_j = t_j / s and h_m = He_m / sqrt(m!):
    alpha_0 = q(s) (`gaussian_mean`),
    alpha_1 = kappa s [Phi(z2) - Phi(z1)],
    alpha_k = kappa s [h_{k-2}(z1) phi(z1) - h_{k-2}(z2) phi(z2)] / sqrt(k (k-1)),  k >= 2.
    """
    s = jnp.asarray(s_S)
    z1, z2 = act.t1 / s, act.t2 / s
    phi1, phi2 = norm.pdf(z1), norm.pdf(z2)
    alpha0 = gaussian_mean(act, s)
    alpha1 = act.slope * s * (norm.cdf(z2) - norm.cdf(z1))

    def recurrence(carry, m):  # h_{m+1}(z) = (z h_m - sqrt(m) h_{m-1}) / sqrt(m+1), for z1 and z2 at once
        h_prev, h = carry
        return (h, (jnp.stack([z1, z2]) * h - jnp.sqrt(m) * h_prev) / jnp.sqrt(m + 1.0)), h

    h0 = jnp.ones((2, *s.shape), s.dtype)
    _, h_Kx2xS = jax.lax.scan(recurrence, (jnp.zeros_like(h0), h0), jnp.arange(order - 2, dtype=s.dtype))
    k = jnp.arange(2, order, dtype=s.dtype)[:, None]
    higher_KxS = act.slope * s * (h_Kx2xS[:, 0] * phi1 - h_Kx2xS[:, 1] * phi2) / jnp.sqrt(k * (k - 1.0))
    return jnp.concatenate([alpha0[None], alpha1[None], higher_KxS]).T


def second_moment(act: Activation, s_S: jax.Array) -> jax.Array:
    """E[sigma(s G)^2]: s1^2 Phi(z1) + s2^2 Phi(-z2) + E[(b0 + b1 G)^2; z1 < G < z2], b0 = s1 - kappa t1,
    b1 = kappa s, from the truncated moments of G on (z1, z2)."""
    s = jnp.asarray(s_S)
    z1, z2 = act.t1 / s, act.t2 / s
    mass = norm.cdf(z2) - norm.cdf(z1)
    first = norm.pdf(z1) - norm.pdf(z2)
    second = mass + z1 * norm.pdf(z1) - z2 * norm.pdf(z2)
    b0, b1 = act.s1 - act.slope * act.t1, act.slope * s
    middle = b0**2 * mass + 2 * b0 * b1 * first + b1**2 * second
    return act.s1**2 * norm.cdf(z1) + act.s2**2 * norm.cdf(-z2) + middle


def overlap_moments(dimension: int | None, order: int) -> np.ndarray:
    """m_K[k] = E c^k for c the first coordinate of a uniform unit vector of R^d: m_0 = 1, odd moments 0,
    m_k = m_{k-2} (k-1) / (d + k - 2). `dimension=None` is d = infinity (c = 0)."""
    m_K = np.zeros(order)
    m_K[0] = 1.0
    if dimension is not None:
        for k in range(2, order, 2):
            m_K[k] = m_K[k - 2] * (k - 1) / (dimension + k - 2)
    return m_K


# ---------------------------------------------------------------- the radial PDE


class Radial(NamedTuple):
    """What psi and R need: the activation, the class scales, and sqrt(m_k / 2) for the kernel u_d."""

    act: Activation
    scales: tuple[float, float]
    weights_K: np.ndarray | jax.Array


def radial_problem(config: Mapping[str, Any], *, finite_dimension: bool = True) -> Radial:
    """The finite-d PDE (kernel u_d, the exact limit of SGD at the simulated d) or, with finite_dimension=False,
    the paper's d -> infinity form (kernel u)."""
    dimension = config["dimension"] if finite_dimension else None
    moments_K = overlap_moments(dimension, PDE_ORDER)
    return Radial(activation_of(config), class_scales(config["delta"]), np.sqrt(moments_K / 2))


def radial_potential(problem: Radial, r_M: jax.Array) -> jax.Array:
    """v(r) = V(w) for ||w|| = r: -(1/2) [q(a_+ r) - q(a_- r)]."""
    (a_plus, a_minus), act = problem.scales, problem.act
    return -0.5 * (gaussian_mean(act, a_plus * r_M) - gaussian_mean(act, a_minus * r_M))


def radial_features(problem: Radial, r_M: jax.Array) -> jax.Array:
    """F_Mx2xK with u_d(r, r') = sum_{y, k} F[r, y, k] F[r', y, k]: F[., y, k] = sqrt(m_k / 2) alpha_k(a_y r)."""
    order = len(problem.weights_K)
    return jnp.stack(
        [hermite_coefficients(problem.act, a * r_M, order) * problem.weights_K for a in problem.scales], axis=1
    )


def radial_risk(problem: Radial, r_M: jax.Array) -> jax.Array:
    """R(rhobar) = 1 + 2 int v drhobar + int int u_d drhobar drhobar for rhobar = (1/M) sum_j delta_{r_j}."""
    mean_2xK = jnp.mean(radial_features(problem, r_M), axis=0)
    return 1.0 + 2.0 * jnp.mean(radial_potential(problem, r_M)) + jnp.sum(mean_2xK**2)


def radial_velocity(problem: Radial, r_M: jax.Array) -> jax.Array:
    """dr_j/dt = -2 d_r psi(r_j; rhobar), psi(r; rhobar) = v(r) + sum_{y,k} F[r, y, k] mean_l F[r_l, y, k]; the
    r-derivatives of v and F by forward-mode autodiff (each is elementwise in r)."""
    ones_M = jnp.ones_like(r_M)
    dv_M = jax.jvp(lambda r: radial_potential(problem, r), (r_M,), (ones_M,))[1]
    F_Mx2xK, dF_Mx2xK = jax.jvp(lambda r: radial_features(problem, r), (r_M,), (ones_M,))
    return -2.0 * (dv_M + jnp.sum(dF_Mx2xK * jnp.mean(F_Mx2xK, axis=0), axis=(1, 2)))


def initial_radii(init_scale: float, dimension: int, particles: int) -> np.ndarray:
    """The quantiles (j + 1/2) / M of ||w|| for w ~ N(0, init_scale^2 / d I_d): init_scale sqrt(chi2_d / d)."""
    levels = (np.arange(particles) + 0.5) / particles
    return init_scale * np.sqrt(chi2.ppf(levels, dimension) / dimension)


@functools.partial(jax.jit, static_argnames=("act", "scales"))
def _velocity(r_M: jax.Array, weights_K: jax.Array, *, act: Activation, scales: tuple[float, float]) -> jax.Array:
    return radial_velocity(Radial(act, scales, weights_K), r_M)


def solve_radial_pde(problem: Radial, r0_M: np.ndarray, *, interval: float, records: int, dt: float) -> np.ndarray:
    """The particles r_RxM at t = 0, interval, ..., records x interval (RK4, the largest step <= dt dividing the
    interval), in float64. The loop is in Python around one compiled velocity: compiling the four stages of an
    RK4 step together costs more than the whole run."""
    substeps = int(np.ceil(interval / dt - 1e-9))
    h = interval / substeps
    r_RxM = [np.asarray(r0_M, np.float64)]
    with jax.enable_x64(True):
        weights_K = jnp.asarray(problem.weights_K)

        def velocity(r: jax.Array) -> jax.Array:
            return _velocity(r, weights_K, act=problem.act, scales=problem.scales)

        r = jnp.asarray(r_RxM[0])
        for _ in range(records):
            for _ in range(substeps):
                k1 = velocity(r)
                k2 = velocity(r + 0.5 * h * k1)
                k3 = velocity(r + 0.5 * h * k2)
                k4 = velocity(r + h * k3)
                r = r + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            r_RxM.append(np.asarray(r))
    return np.stack(r_RxM)


# ---------------------------------------------------------------- SGD and its population risk


def sample_data(key: jax.Array, delta: float, count: int, dimension: int) -> tuple[jax.Array, jax.Array]:
    """(x_CxD, y_C): y = +-1 with probability 1/2, x | y ~ N(0, (1 + y Delta)^2 I_d)."""
    key_y, key_x = jax.random.split(key)
    y_C = jnp.where(jax.random.bernoulli(key_y, 0.5, (count,)), 1.0, -1.0)
    return (1.0 + delta * y_C)[:, None] * jax.random.normal(key_x, (count, dimension)), y_C


def sgd_step(act: Activation, W_NxD: jax.Array, x_D: jax.Array, y: jax.Array, step: float) -> jax.Array:
    """w_i <- w_i + 2 eps (y - yhat(x)) sigma'(<w_i, x>) x, yhat(x) = (1/N) sum_i sigma(<w_i, x>)."""
    z_N = W_NxD @ x_D
    error = y - jnp.mean(sigma(act, z_N))
    return W_NxD + (2.0 * step * error * sigma_prime(act, z_N))[:, None] * x_D[None, :]


def run_sgd(
    act: Activation, W0_NxD: jax.Array, key: jax.Array, *, delta: float, step: float, steps: int, records: int
) -> jax.Array:
    """One-pass SGD from W0, one fresh sample per step; W_RxNxD at steps 0, steps/records, ..., steps."""
    per_record = steps // records
    dimension = W0_NxD.shape[1]

    def block(W, block_key):
        x_CxD, y_C = sample_data(block_key, delta, per_record, dimension)
        W = jax.lax.scan(lambda W, xy: (sgd_step(act, W, *xy, step), None), W, (x_CxD, y_C))[0]
        return W, W

    W_RxNxD = jax.lax.scan(block, W0_NxD, jax.random.split(key, records))[1]
    return jnp.concatenate([W0_NxD[None], W_RxNxD])


def population_risk(act: Activation, delta: float, W_NxD: jax.Array, order: int = RISK_ORDER) -> jax.Array:
    """R_N = 1 + (2/N) sum_i V(w_i) + (1/N^2) sum_ij U(w_i, w_j), exactly: off the diagonal the Mehler series
    U = (1/2) sum_y sum_{k < order} c_ij^k alpha_k(a_y r_i) alpha_k(a_y r_j), summed over k by Horner's rule in one
    elementwise pass; on it U(w, w) = (1/2) sum_y E sigma(a_y r G)^2."""
    n = W_NxD.shape[0]
    r_N = jnp.linalg.norm(W_NxD, axis=1)
    unit_NxD = W_NxD / r_N[:, None]
    c_NxN = unit_NxD @ unit_NxD.T
    off_diagonal_NxN = 1.0 - jnp.eye(n, dtype=W_NxD.dtype)
    pairs, linear = 0.0, 0.0
    for sign, a in zip((1.0, -1.0), class_scales(delta), strict=True):
        alpha_NxK = hermite_coefficients(act, a * r_N, order)
        series_NxN = jnp.zeros_like(c_NxN)
        for k in reversed(range(order)):
            series_NxN = series_NxN * c_NxN + alpha_NxK[:, k, None] * alpha_NxK[None, :, k]
        pairs += jnp.sum(series_NxN * off_diagonal_NxN) + jnp.sum(second_moment(act, a * r_N))
        linear += sign * jnp.sum(alpha_NxK[:, 0])
    return 1.0 - linear / n + 0.5 * pairs / n**2


# ---------------------------------------------------------------- the compute task and the measures


def mmn_radial(config: Mapping[str, Any], outputs: Mapping[str, Path]) -> None:
    """SGD (`seeds` runs of `units` units in `dimension` dimensions, `sgd_steps` steps of size `step`) and the
    radial PDE (`pde_particles` particles) from the same initial law, recorded at `records` equally spaced times
    after t = 0 -> outputs["mmn_radii"] (source, time, seed, radius; seed -1 for the deterministic PDE) and
    outputs["mmn_risk"] (source, time, seed, risk)."""
    act, delta, d, n = activation_of(config), config["delta"], config["dimension"], config["units"]
    records, step = config["records"], config["step"]
    if config["sgd_steps"] % records:
        raise ValueError(f"sgd_steps ({config['sgd_steps']}) must be a multiple of records ({records})")
    interval = step * (config["sgd_steps"] // records)
    times_R = interval * np.arange(records + 1)

    keys = jax.random.split(jax.random.PRNGKey(config["seed"]), (config["seeds"], 2))
    W0_SxNxD = jax.vmap(lambda k: config["init_scale"] / np.sqrt(d) * jax.random.normal(k, (n, d)))(keys[:, 0])
    sgd = jax.jit(
        jax.vmap(lambda W0, k: run_sgd(act, W0, k, delta=delta, step=step, steps=config["sgd_steps"], records=records))
    )
    W_SxRxNxD = np.asarray(sgd(W0_SxNxD, keys[:, 1]), np.float64)
    with jax.enable_x64(True):  # one (S R)-long loop, not a vmap: each risk holds N x N matrices
        risk_SxR = np.asarray(
            jax.jit(lambda W: jax.lax.map(lambda w: population_risk(act, delta, w), W))(W_SxRxNxD.reshape(-1, n, d))
        ).reshape(config["seeds"], records + 1)
    radii_SxRxN = np.linalg.norm(W_SxRxNxD, axis=3)

    r0_M = initial_radii(config["init_scale"], d, config["pde_particles"])
    pdes = {}  # source -> (particles r_RxM, risk R_R); the risk of each form under its own kernel
    for source, finite in (("pde", True), ("pde_d_infinity", False)):
        problem = radial_problem(config, finite_dimension=finite)
        r_RxM = solve_radial_pde(problem, r0_M, interval=interval, records=records, dt=config["pde_dt"])
        with jax.enable_x64(True):
            pdes[source] = r_RxM, np.asarray(jax.jit(jax.vmap(lambda r, p=problem: radial_risk(p, r)))(r_RxM))

    radii = [
        pd.DataFrame({"source": "sgd", "time": times_R[t], "seed": s, "radius": radii_SxRxN[s, t]})
        for s in range(config["seeds"])
        for t in range(records + 1)
    ] + [
        pd.DataFrame({"source": source, "time": times_R[t], "seed": -1, "radius": r_RxM[t]})
        for source, (r_RxM, _) in pdes.items()
        for t in range(records + 1)
    ]
    risk = [
        pd.DataFrame({"source": "sgd", "time": times_R, "seed": s, "risk": risk_SxR[s]}) for s in range(config["seeds"])
    ] + [
        pd.DataFrame({"source": source, "time": times_R, "seed": -1, "risk": risk_R})
        for source, (_, risk_R) in pdes.items()
    ]
    write_results(outputs["mmn_radii"], pd.concat(radii, ignore_index=True), config)
    write_results(outputs["mmn_risk"], pd.concat(risk, ignore_index=True), config)


def w1_ratio(radii: pd.DataFrame) -> float:
    """W1(law of ||w|| under SGD, PDE law) at the final time / W1(PDE law at t = 0, PDE law at the final time): the
    SGD's distance from the mean-field prediction in units of how far the prediction moves. SGD units of all
    seeds are pooled (they share one law)."""
    return radius_w1_ratio(*final_radii(radii))


def final_radii(radii: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What `w1_ratio` reads: the SGD units' radii at the final time (every seed's, pooled), and the finite-d PDE's
    particles' radii at its first and at the final time."""
    end = radii["time"].max()
    pde, sgd = radii[radii["source"] == "pde"], radii[radii["source"] == "sgd"]
    pde_start, pde_end = pde[pde["time"] == pde["time"].min()]["radius"], pde[pde["time"] == end]["radius"]
    return sgd[sgd["time"] == end]["radius"].to_numpy(), pde_start.to_numpy(), pde_end.to_numpy()


def radius_w1_ratio(sgd_end_U: np.ndarray, pde_start_M: np.ndarray, pde_end_M: np.ndarray) -> float:
    """W1(SGD units' radii, PDE particles' radii at the final time) / W1(PDE's radii at the first time, at the final
    time): `w1_ratio` on arrays, as a bootstrap over the SGD units evaluates it once per resample."""
    return float(wasserstein_distance(sgd_end_U, pde_end_M) / wasserstein_distance(pde_start_M, pde_end_M))


def risk_gap(risk: pd.DataFrame) -> float:
    """max over recorded times of |mean over seeds of R_N(SGD) - R(PDE)| / R(PDE) at t = 0."""
    curves = risk.groupby(["source", "time"])["risk"].mean().unstack("source").sort_index()
    return float(np.max(np.abs(curves["sgd"] - curves["pde"])) / curves["pde"].iloc[0])
