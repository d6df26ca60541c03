"""Neal's prior over one-hidden-layer networks, sampled in JAX.

    f(x) = b + sum_{j=1..H} v_j h(a_j + u_j . x),
    b ~ N(0, sigma_b^2),  a_j ~ N(0, sigma_a^2),  u_ij ~ N(0, sigma_u^2),
    v_j ~ N(0, sigma_v^2) with sigma_v = omega_v H^(-1/2)          (Gaussian output weights), or
    v_j ~ Cauchy(0, sigma_v) with sigma_v = omega_v / H              (Cauchy output weights, alpha = 1), or
    v_j ~ sigma_v S_alpha with sigma_v = omega_v H^(-1/alpha)         (symmetric alpha-stable output weights),
where S_alpha is the standard symmetric alpha-stable law, E exp(i t S_alpha) = exp(-|t|^alpha) (alpha = 1: the
standard Cauchy; alpha = 2: N(0, 2)).

With Gaussian v the prior of f tends to a Gaussian process with covariance
sigma_b^2 + omega_v^2 E[h(a + u.x) h(a + u.x')]; with Cauchy v, to a symmetric 1-stable (Cauchy) process in which a
few units with huge |v_j| dominate. Hidden units: tanh, erf, and step units h(z) = sign(z) in {-1, +1} (a 0/1 step
would only add a random constant and halve omega_v).

Every draw d has its own PRNG key fold_in(key, d), and its units are drawn in fixed blocks of `UNIT_BLOCK` with keys
fold_in(draw_key, block): a draw's function does not depend on how many draws are taken or how they are chunked, and
draws with the same key but different H share their first units.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import scipy.special
from numpy.polynomial.hermite_e import hermegauss

from replications.core import activations
from replications.core.progress import track

UNIT_BLOCK = 1024
_ELEMENTS_PER_CHUNK = 2**25  # draws x units x points held at once: 128 MiB of float32
PROGRESS_SECONDS = 30.0  # a sampling call expected to take less than this prints no progress lines


ACTIVATIONS = {name: activations.activation(name).phi for name in ("tanh", "erf", "step")}  # order: branch indices
OUTPUT_PRIORS = ("gaussian", "cauchy", "stable")


def symmetric_stable(key: jax.Array, index: float | jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """Standard symmetric alpha-stable variates, E exp(i t X) = exp(-|t|^alpha), alpha = `index` in (0, 2].

    Chambers-Mallows-Stuck (1976): with U ~ Uniform(-pi/2, pi/2) and W ~ Exp(1) independent,
        X = sin(alpha U) / cos(U)^(1/alpha) * (cos((1 - alpha) U) / W)^((1 - alpha) / alpha),
    which is tan(U) (standard Cauchy) at alpha = 1 and 2 sin(U) sqrt(W) ~ N(0, 2) at alpha = 2. In float32 the
    uniform can be exactly -pi/2, whose cosine rounds below zero (so does cos((1 - alpha) U) at alpha = 2):
    the absolute values keep the powers real.
    """
    key_u, key_w = jax.random.split(key)
    u = jax.random.uniform(key_u, shape, minval=-jnp.pi / 2, maxval=jnp.pi / 2)
    w = jax.random.exponential(key_w, shape)
    return (
        jnp.sin(index * u)
        / jnp.abs(jnp.cos(u)) ** (1 / index)
        * (jnp.abs(jnp.cos((1 - index) * u)) / w) ** ((1 - index) / index)
    )


class Prior(NamedTuple):
    """Neal's prior: H hidden units, their activation, the output-weight family, and the four scales."""

    hidden_units: int
    activation: str = "tanh"
    output_prior: str = "gaussian"
    input_weight_sd: float = 1.0  # sigma_u
    hidden_bias_sd: float = 1.0  # sigma_a
    output_bias_sd: float = 1.0  # sigma_b
    output_weight_scale: float = 1.0  # omega_v
    stable_index: float = 1.5  # alpha of the "stable" output prior (unused by the others)

    def check(self) -> Prior:
        """Return self, or raise ValueError naming the bad field."""
        if self.hidden_units < 1:
            raise ValueError(f"hidden_units must be >= 1, got {self.hidden_units}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}; known: {sorted(ACTIVATIONS)}")
        if self.output_prior not in OUTPUT_PRIORS:
            raise ValueError(f"unknown output_prior {self.output_prior!r}; known: {OUTPUT_PRIORS}")
        for name in ("input_weight_sd", "hidden_bias_sd", "output_bias_sd", "output_weight_scale"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not 0 < self.stable_index <= 2:
            raise ValueError(f"stable_index must be in (0, 2], got {self.stable_index}")
        return self

    @property
    def output_weight_sd(self) -> float:
        """sigma_v: omega_v H^(-1/2) for Gaussian v, omega_v / H (the Cauchy scale) for Cauchy v, omega_v H^(-1/alpha)
        for alpha-stable v."""
        exponent = {"gaussian": 0.5, "cauchy": 1.0, "stable": 1 / self.stable_index}[self.output_prior]
        return self.output_weight_scale * self.hidden_units ** (-exponent)


class _Traced(NamedTuple):
    """The parts of a Prior that compiled programs take as arguments, so one program serves every prior of a width:
    activation and output-weight family as branch indices, the four scales as numbers."""

    activation: jax.Array  # index into ACTIVATIONS
    output_prior: jax.Array  # index into OUTPUT_PRIORS
    stable_index: jax.Array
    input_weight_sd: jax.Array
    hidden_bias_sd: jax.Array
    output_bias_sd: jax.Array
    output_weight_sd: jax.Array


def _traced(prior: Prior) -> _Traced:
    return _Traced(
        jnp.int32(list(ACTIVATIONS).index(prior.activation)),
        jnp.int32(OUTPUT_PRIORS.index(prior.output_prior)),
        jnp.float32(prior.stable_index),
        *(jnp.float32(v) for v in (prior.input_weight_sd, prior.hidden_bias_sd, prior.output_bias_sd)),
        jnp.float32(prior.output_weight_sd),
    )


def _h(p: _Traced, z: jax.Array) -> jax.Array:
    return jax.lax.switch(p.activation, list(ACTIVATIONS.values()), z)


def _standard_output_weights(p: _Traced, key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """Standard normal, standard Cauchy or standard symmetric alpha-stable variates (to be multiplied by sigma_v)."""
    return jax.lax.switch(
        p.output_prior,
        [
            lambda k: jax.random.normal(k, shape),
            lambda k: jax.random.cauchy(k, shape),
            lambda k: symmetric_stable(k, p.stable_index, shape),
        ],
        key,
    )


@partial(jax.jit, static_argnames=("hidden_units",))
def _functions(keys_C: jax.Array, x_PxD: jax.Array, reference_D: jax.Array | None, p: _Traced, hidden_units: int):
    """f at the P inputs for C draws (one key each), accumulated over blocks of units.

    With a `reference_D` input, each unit contributes v_j [h_j(x_p) - h_j(reference)] and the bias is left out:
    the increments f(x_p) - f(reference), formed unit by unit so small ones do not drown in the rounding of f.
    """
    block = min(hidden_units, UNIT_BLOCK)
    n_blocks = math.ceil(hidden_units / block)
    dim = x_PxD.shape[1]

    def one_function(key: jax.Array) -> jax.Array:
        def add_block(f_P: jax.Array, index: jax.Array) -> tuple[jax.Array, None]:
            key_u, key_a, key_v = jax.random.split(jax.random.fold_in(key, index), 3)
            u_UxD = p.input_weight_sd * jax.random.normal(key_u, (block, dim))
            a_U = p.hidden_bias_sd * jax.random.normal(key_a, (block,))
            v_U = p.output_weight_sd * _standard_output_weights(p, key_v, (block,))
            in_range_U = index * block + jnp.arange(block) < hidden_units
            h_UxP = _h(p, a_U[:, None] + u_UxD @ x_PxD.T)
            if reference_D is not None:
                h_UxP = h_UxP - _h(p, a_U + u_UxD @ reference_D)[:, None]
            return f_P + jnp.where(in_range_U, v_U, 0.0) @ h_UxP, None

        f_P, _ = jax.lax.scan(add_block, jnp.zeros(x_PxD.shape[0]), jnp.arange(n_blocks))
        if reference_D is not None:
            return f_P
        return f_P + p.output_bias_sd * jax.random.normal(jax.random.fold_in(key, n_blocks))

    return jax.vmap(one_function)(keys_C)


def sample_functions(
    key: jax.Array, prior: Prior, x_PxD: np.ndarray, draws: int, reference_D: np.ndarray | None = None
) -> np.ndarray:
    """f(x_p) for `draws` independent networks from the prior: an array (draws, P), float32.

    With `reference_D`, the increments f(x_p) - f(reference) instead (see `_functions`). Vectorized over draws
    (vmap) and units (blocks of UNIT_BLOCK), chunked over draws so that at most ~2^25 unit activations are held at
    once. One compiled program serves every prior with the same H and input shape.
    """
    prior.check()
    x_PxD = jnp.asarray(x_PxD, jnp.float32)
    reference = None if reference_D is None else jnp.asarray(reference_D, jnp.float32)
    block = min(prior.hidden_units, UNIT_BLOCK)
    chunk = max(1, min(draws, _ELEMENTS_PER_CHUNK // (block * x_PxD.shape[0])))
    draw_keys = jax.vmap(lambda d: jax.random.fold_in(key, d))(jnp.arange(draws + (-draws % chunk)))
    traced = _traced(prior)
    starts = track(
        range(0, len(draw_keys), chunk),
        f"{draws} functions at {len(x_PxD)} inputs, H = {prior.hidden_units}",
        min_seconds=PROGRESS_SECONDS,
    )
    out = [
        np.asarray(_functions(draw_keys[i : i + chunk], x_PxD, reference, traced, prior.hidden_units)) for i in starts
    ]
    return np.concatenate(out)[:draws]


@partial(jax.jit, static_argnames=("hidden_units", "chunk"))
def _at_point_chunk(key: jax.Array, z_sd: jax.Array, p: _Traced, hidden_units: int, chunk: int) -> jax.Array:
    key_z, key_v, key_b = jax.random.split(key, 3)
    h_CxH = _h(p, z_sd * jax.random.normal(key_z, (chunk, hidden_units)))
    scale_C = jax.lax.switch(
        p.output_prior,
        [
            lambda h: jnp.sqrt(jnp.sum(h**2, axis=1)),
            lambda h: jnp.sum(jnp.abs(h), axis=1),
            lambda h: jnp.sum(jnp.abs(h) ** p.stable_index, axis=1) ** (1 / p.stable_index),
        ],
        h_CxH,
    )
    v_C = p.output_weight_sd * _standard_output_weights(p, key_v, (chunk,))
    return scale_C * v_C + p.output_bias_sd * jax.random.normal(key_b, (chunk,))


def sample_at_point(key: jax.Array, prior: Prior, x0_sq_norm: float, draws: int) -> np.ndarray:
    """f(x0) for `draws` networks, drawn exactly but with one random number per unit: an array (draws,), float32.

    At one input the pre-activations z_j = a_j + u_j . x0 are iid N(0, sigma_a^2 + sigma_u^2 |x0|^2), and given
    the hidden values h_j = h(z_j) the output weights can be summed in closed form:
      Gaussian v:  sum_j v_j h_j ~ N(0, sigma_v^2 sum_j h_j^2),
      Cauchy v:    sum_j v_j h_j ~ Cauchy(0, sigma_v sum_j |h_j|)   (1-stable: scales add),
      alpha-stable v: sum_j v_j h_j ~ sigma_v (sum_j |h_j|^alpha)^(1/alpha) S_alpha.
    So f(x0) = b + sqrt(sum_j h_j^2) sigma_v eps, or b + (sum_j |h_j|) sigma_v c, with eps ~ N(0, 1) and c
    standard Cauchy: the law of `sample_functions` at x0, at half the cost (the kurtosis sweep needs ~10^9 units).
    Chunks of fixed size have keys fold_in(key, chunk index), so the result does not depend on memory.
    """
    prior.check()
    z_sd = jnp.float32(math.sqrt(prior.hidden_bias_sd**2 + prior.input_weight_sd**2 * x0_sq_norm))
    chunk = max(1, _ELEMENTS_PER_CHUNK // (4 * prior.hidden_units))
    traced = _traced(prior)
    n_chunks = math.ceil(draws / chunk)
    chunks = track(range(n_chunks), f"{draws} draws of f(x0), H = {prior.hidden_units}", min_seconds=PROGRESS_SECONDS)
    return np.concatenate(
        [
            np.asarray(_at_point_chunk(jax.random.fold_in(key, i), z_sd, traced, prior.hidden_units, chunk))
            for i in chunks
        ]
    )[:draws]


def gaussian_expectation(fn: Callable[[np.ndarray], np.ndarray], variance: float, nodes: int = 201) -> float:
    """E[fn(z)] for z ~ N(0, variance), by Gauss-Hermite quadrature (probabilists' weights)."""
    z, w = hermegauss(nodes)
    return float(np.sum(w * fn(math.sqrt(variance) * z)) / np.sum(w))


def hidden_moments(prior: Prior, x0_sq_norm: float) -> dict[str, float]:
    """E|h|, E h^2, E h^4 of one hidden unit at an input x0 (z ~ N(0, sigma_a^2 + sigma_u^2 |x0|^2))."""
    h = {"tanh": np.tanh, "erf": scipy.special.erf, "step": lambda z: np.where(z >= 0, 1.0, -1.0)}[prior.activation]
    variance = prior.hidden_bias_sd**2 + prior.input_weight_sd**2 * x0_sq_norm
    return {f"m{k}": gaussian_expectation(lambda z, k=k: np.abs(h(z)) ** k, variance) for k in (1, 2, 4)}


def excess_kurtosis_exact(prior: Prior, x0_sq_norm: float) -> float:
    """Excess kurtosis of f(x0) at finite H, Gaussian v:  3 omega_v^4 (m4 - m2^2) / (H (sigma_b^2 + omega_v^2 m2)^2).

    f(x0) = b + sum_j v_j h_j is a sum of H iid symmetric terms plus a Gaussian; its fourth cumulant is
    H kappa4(v h) = H sigma_v^4 3 (m4 - m2^2), its variance sigma_b^2 + H sigma_v^2 m2, and sigma_v^2 = omega_v^2 / H.
    Odd cumulants vanish, so the approach to the Gaussian is 1/H (the 1/sqrt(H) Berry-Esseen term is zero).
    """
    m = hidden_moments(prior, x0_sq_norm)
    omega2 = prior.output_weight_scale**2
    return (
        3
        * omega2**2
        * (m["m4"] - m["m2"] ** 2)
        / (prior.hidden_units * (prior.output_bias_sd**2 + omega2 * m["m2"]) ** 2)
    )
