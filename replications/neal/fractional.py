"""Fractional Brownian priors: a one-hidden-layer net whose Gaussian-process limit has increments
E[(f(x + d) - f(x))^2] ~ C |d|^eta with a roughness exponent eta between Brownian (1) and smooth (2).

Neal's abstract says such priors arise "depending on the hidden unit activation function and the prior for
input-to-hidden weights"; his construction itself was not available to us (see the README), so this is ours:

    f(x) = b + sum_{j=1..H} v_j tanh(u_j (x - t_j)),   v_j ~ N(0, omega_v^2 / H),  b ~ N(0, sigma_b^2),
    u_j ~ sigma_u S_alpha (symmetric alpha-stable, alpha = eta - 1 in (0, 1)),  t_j ~ N(0, sigma_t^2),

i.e. heavy-tailed input weights u_j and hidden biases a_j = -u_j t_j, so each unit is a tanh step of random
steepness u_j at a random place t_j, independent of its steepness (the prior is nearly stationary for |x| << sigma_t).
Why eta = 1 + alpha: for Gaussian v the squared increment is omega_v^2 times one unit's,
E[(tanh(u (x + d - t)) - tanh(u (x - t)))^2] ~ p_t(x) E_u[g(u d) / |u|], g(y) = int (tanh(s + y) - tanh(s))^2 ds,
with g(y) ~ y^2 for small y and ~ 4|y| for large y. A unit of steepness u is in its transition at x with
probability ~ 1/|u|; the stable tail P(|u| > r) ~ r^(-alpha) makes units of steepness ~ 1/d dominate, and the
integral scales as d^(1 + alpha). Gaussian u (alpha = 2) gives eta = 2 (smooth), u = infinity (step units) eta = 1.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from replications.neal.prior import symmetric_stable

_ELEMENTS_PER_CHUNK = 2**25


@partial(jax.jit, static_argnames=("hidden_units",))
def _functions(keys_C, x_P, reference, scales, hidden_units: int):
    exponent, input_scale, location_sd, output_sd, bias_sd = scales

    def one(key: jax.Array) -> jax.Array:
        key_u, key_t, key_v, key_b = jax.random.split(key, 4)
        u_H = input_scale * symmetric_stable(key_u, exponent - 1.0, (hidden_units,))
        t_H = location_sd * jax.random.normal(key_t, (hidden_units,))
        v_H = output_sd * jax.random.normal(key_v, (hidden_units,))
        h_HxP = jnp.tanh(u_H[:, None] * (x_P[None, :] - t_H[:, None]))
        if reference is not None:
            return v_H @ (h_HxP - jnp.tanh(u_H * (reference - t_H))[:, None])
        return v_H @ h_HxP + bias_sd * jax.random.normal(key_b)

    return jax.vmap(one)(keys_C)


def sample_functions(
    key: jax.Array,
    x_P: np.ndarray,
    draws: int,
    *,
    hidden_units: int,
    roughness_exponent: float,
    input_weight_scale: float = 1.0,
    location_sd: float = 1.0,
    output_weight_scale: float = 1.0,
    output_bias_sd: float = 1.0,
    reference: float | None = None,
) -> np.ndarray:
    """f(x_p) for `draws` nets of the prior with roughness exponent eta in (1, 2): an array (draws, P), float32.

    With `reference`, the increments f(x_p) - f(reference) instead, formed unit by unit (the bias cancels). Draw d
    has key fold_in(key, d), so a draw does not depend on how many are taken.
    """
    if not 1 < roughness_exponent < 2:
        raise ValueError(f"roughness_exponent must be in (1, 2), got {roughness_exponent}")
    x_P = jnp.asarray(x_P, jnp.float32)
    scales = tuple(
        jnp.float32(s)
        for s in (
            roughness_exponent,
            input_weight_scale,
            location_sd,
            output_weight_scale / np.sqrt(hidden_units),
            output_bias_sd,
        )
    )
    ref = None if reference is None else jnp.float32(reference)
    chunk = max(1, min(draws, _ELEMENTS_PER_CHUNK // (hidden_units * len(x_P))))
    keys = jax.vmap(lambda d: jax.random.fold_in(key, d))(jnp.arange(draws + (-draws % chunk)))
    out = [
        np.asarray(_functions(keys[i : i + chunk], x_P, ref, scales, hidden_units)) for i in range(0, len(keys), chunk)
    ]
    return np.concatenate(out)[:draws]
