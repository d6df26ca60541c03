"""Equal-variance layers by the Hermite (Mehler) series: one 1-D quadrature per layer, shared by every pair.

For (u, v) ~ N(0, q [[1, rho], [rho, 1]]) and He_k the probabilists' Hermite polynomials normalized under N(0, 1)
(h_k = He_k / sqrt(k!)), Mehler's formula gives

    E[phi(u) phi(v)] = sum_k c_k rho^k,      c_k = a_k^2,  a_k = E_z[phi(sqrt(q) z) h_k(z)],  z ~ N(0, 1),
    E[phi'(u) phi'(v)] = (1/q) sum_k k c_k rho^(k-1)          (Price: d/dcov E[phi phi] = E[phi' phi']),
    E[phi(u)^2] = sum_k c_k.

The coefficients depend on q only, so one layer of a net whose inputs all have the same variance (Lee et al.'s
standardized digits: `replications.core.sphere`) costs one 1-D quadrature for the c_k and a polynomial in rho per
pair, instead of a 2-D quadrature per pair. The a_k are integrals of phi(sqrt(q) z) against the Hermite functions
psi_k(z) = h_k(z) exp(-z^2/4) (stable three-term recurrence) times exp(-z^2/4), by the trapezoidal rule on
|z| <= 13 (spectrally accurate for an analytic phi; exp(-13^2/4) < 5e-19 beyond).

Correlations near 1 are where a collapsed kernel lives (inputs whose 1 - rho falls below 1e-5, where Lee et al.'s
lookup table clamps), so the layer carries the distance D = q - K = q (1 - rho) instead of K:

    q - E[phi(u) phi(v)] = sum_k c_k (1 - rho^k) = (1 - rho) sum_j T_j rho^j,   T_j = sum_{k > j} c_k,

a sum of positive terms for rho >= 0, with 1 - rho = D / q read off the carried distance: 1 - rho keeps its
relative precision however small it gets (K itself, rounded near q, keeps only 1e-16 q of it).

Truncation: SERIES_TERMS = 512 terms. tanh(sqrt(q) z) has poles at |Im z| = pi / (2 sqrt(q)), so its c_k decay more
slowly as q grows: against the general quadrature of `moments` the series is within 1e-10 (NNGP) and 1e-8 (NTK,
the slower series k c_k) relative for tanh up to q = MAX_VARIANCE = 8 (tests/test_kernels.py); beyond it the
callers fall back to the general quadrature. Unit-variance tanh inputs never exceed q = weight_var + bias_var.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from replications.core.kernels.moments import activation_rules

SERIES_TERMS = 512
MAX_VARIANCE = 8.0
_HALF_WIDTH = 13.0
_STEP = 0.05

EqualVarianceLayer = Callable[[jax.Array, jax.Array, jax.Array], tuple[jax.Array, jax.Array, jax.Array]]


@functools.lru_cache(maxsize=1)
def _hermite_rule() -> tuple[np.ndarray, np.ndarray]:
    """Nodes z_Z and the matrix M_KxZ with a_k = sum_z M_kz phi(sqrt(q) z) (trapezoidal weights included)."""
    z_Z = np.arange(-_HALF_WIDTH, _HALF_WIDTH + _STEP / 2, _STEP)
    psi_KxZ = np.empty((SERIES_TERMS, z_Z.size))
    psi_KxZ[0] = np.exp(-z_Z * z_Z / 4)
    psi_KxZ[1] = z_Z * psi_KxZ[0]
    for k in range(1, SERIES_TERMS - 1):
        psi_KxZ[k + 1] = (z_Z * psi_KxZ[k] - math.sqrt(k) * psi_KxZ[k - 1]) / math.sqrt(k + 1)
    return z_Z, psi_KxZ * np.exp(-z_Z * z_Z / 4) * (_STEP / math.sqrt(2 * math.pi))


def series_coefficients(activation: str, var: jax.Array) -> jax.Array:
    """c_k = a_k^2, k = 0 .. SERIES_TERMS - 1, of phi at variance `var` (a scalar): shape (SERIES_TERMS,)."""
    z_Z, m_KxZ = _hermite_rule()
    phi = activation_rules(activation).phi
    a_K = jnp.asarray(m_KxZ) @ phi(jnp.sqrt(var) * jnp.asarray(z_Z))
    return a_K * a_K


def _horner(coefficients_K: jax.Array, x: jax.Array) -> jax.Array:
    """sum_k coefficients_k x^k, elementwise in x."""

    def step(total: jax.Array, coefficient: jax.Array) -> tuple[jax.Array, None]:
        return total * x + coefficient, None

    return jax.lax.scan(step, jnp.zeros_like(x), coefficients_K[::-1])[0]


def equal_variance_layer(activation: str) -> EqualVarianceLayer:
    """phi on pairs of equal variance: (q, D_A, ntk_A) -> (E[phi(u)^2], q - E[phi(u) phi(v)], E[phi' phi'] ntk)
    for every pair a with distance D_a = q - K_a, by the module's series (valid for q <= MAX_VARIANCE)."""
    activation_rules(activation)

    def apply(var: jax.Array, distance_A: jax.Array, ntk_A: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        var = jnp.where(var > 0, var, jnp.finfo(var.dtype).tiny)  # a zero-variance input: rho = 1 to all
        c_K = series_coefficients(activation, var)
        one_minus_rho_A = jnp.clip(distance_A / var, 0.0, 2.0)
        rho_A = 1.0 - one_minus_rho_A
        tails_K = jnp.cumsum(c_K[::-1])[::-1][1:]  # T_j = sum_{k > j} c_k, j = 0 .. K - 2
        distance_phi_A = one_minus_rho_A * _horner(tails_K, rho_A)
        k_K = jnp.arange(1, SERIES_TERMS, dtype=c_K.dtype)
        dphi_A = _horner(k_K * c_K[1:], rho_A) / var
        return jnp.sum(c_K), distance_phi_A, dphi_A * ntk_A

    return apply
