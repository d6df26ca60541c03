"""Neal's networks with two hidden layers, sampled in JAX:

    f(x) = b + sum_{k=1..H2} v_k tanh(c_k + sum_{j=1..H1} w_kj tanh(a_j + u_j x)),
    u_j ~ N(0, sigma_u^2), a_j ~ N(0, sigma_a^2), c_k ~ N(0, sigma_c^2), b ~ N(0, sigma_b^2),
    w_kj: Gaussian (scale omega_w H1^(-1/2)) or Cauchy (scale omega_w / H1),
    v_k:  Gaussian (scale omega_v H2^(-1/2)) or Cauchy (scale omega_v / H2).

As H1 grows, each second-layer input is a Gaussian process (Gaussian w) or a Cauchy process dominated by a few
first-layer units (Cauchy w, so the second-layer units switch abruptly where those units do); as H2 grows, f
is a Gaussian process over these features (Gaussian v) or a Cauchy process dominated by a few of them (Cauchy v).
Neal's abstract: with more than one hidden layer "a combination of Gaussian and non-Gaussian priors appears most
interesting".
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

FAMILIES = ("gaussian", "cauchy")


class TwoLayerPrior(NamedTuple):
    """Widths, the two weight families (hidden-to-hidden, hidden-to-output), and the scales."""

    first_units: int  # H1
    second_units: int  # H2
    hidden_prior: str = "gaussian"  # w
    output_prior: str = "gaussian"  # v
    input_weight_sd: float = 1.0  # sigma_u
    hidden_bias_sd: float = 1.0  # sigma_a
    second_bias_sd: float = 1.0  # sigma_c
    hidden_weight_scale: float = 1.0  # omega_w
    output_bias_sd: float = 1.0  # sigma_b
    output_weight_scale: float = 1.0  # omega_v


def _weights(key: jax.Array, family: str, fan_in: int, scale: float, shape: tuple[int, ...]) -> jax.Array:
    if family == "gaussian":
        return scale / np.sqrt(fan_in) * jax.random.normal(key, shape)
    return scale / fan_in * jax.random.cauchy(key, shape)


@partial(jax.jit, static_argnames=("prior",))
def _function(key: jax.Array, x_P: jax.Array, prior: TwoLayerPrior) -> jax.Array:
    key_u, key_a, key_w, key_c, key_v, key_b = jax.random.split(key, 6)
    h1, h2 = prior.first_units, prior.second_units
    u_H1 = prior.input_weight_sd * jax.random.normal(key_u, (h1,))
    a_H1 = prior.hidden_bias_sd * jax.random.normal(key_a, (h1,))
    w_H2xH1 = _weights(key_w, prior.hidden_prior, h1, prior.hidden_weight_scale, (h2, h1))
    c_H2 = prior.second_bias_sd * jax.random.normal(key_c, (h2,))
    v_H2 = _weights(key_v, prior.output_prior, h2, prior.output_weight_scale, (h2,))
    first_H1xP = jnp.tanh(a_H1[:, None] + u_H1[:, None] * x_P[None, :])
    second_H2xP = jnp.tanh(c_H2[:, None] + w_H2xH1 @ first_H1xP)
    return prior.output_bias_sd * jax.random.normal(key_b) + v_H2 @ second_H2xP


def sample_functions(key: jax.Array, prior: TwoLayerPrior, x_P: np.ndarray, draws: int) -> np.ndarray:
    """f(x_p) for `draws` two-hidden-layer nets, draw d with key fold_in(key, d): an array (draws, P), float32."""
    for family in (prior.hidden_prior, prior.output_prior):
        if family not in FAMILIES:
            raise ValueError(f"unknown weight prior {family!r}; known: {FAMILIES}")
    x_P = jnp.asarray(x_P, jnp.float32)
    return np.stack([np.asarray(_function(jax.random.fold_in(key, d), x_P, prior)) for d in range(draws)])
