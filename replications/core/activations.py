"""The activations of the nets and of their infinite-width kernels: one registry, name -> (phi, phi').

`nets` (and everything built on it) trains with `phi`; `kernels` takes `phi` and `phi'` from here and adds each
activation's Gaussian expectations (closed forms or its quadrature), so a net and its kernel use the same function.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp


class Activation(NamedTuple):
    """phi and its derivative phi' (None where phi' is not a function: a step's is a delta)."""

    phi: Callable[[jax.Array], jax.Array]
    dphi: Callable[[jax.Array], jax.Array] | None


_SQRT_PI = math.sqrt(math.pi)


def _step(z: jax.Array) -> jax.Array:
    return jnp.where(z >= 0, 1.0, -1.0).astype(z.dtype)


def _erf_derivative(z: jax.Array) -> jax.Array:
    return (2 / _SQRT_PI) * jnp.exp(-z * z)


def _gelu(z: jax.Array) -> jax.Array:
    return jax.nn.gelu(z, approximate=False)


def _gelu_derivative(z: jax.Array) -> jax.Array:
    return jax.scipy.stats.norm.cdf(z) + z * jax.scipy.stats.norm.pdf(z)


def _relu_derivative(z: jax.Array) -> jax.Array:
    # phi'(0) = 1/2: the value that keeps a Riemann sum over a grid through 0 unbiased (lattice tables).
    return jnp.where(z > 0, 1.0, jnp.where(z < 0, 0.0, 0.5))


def _sigmoid_derivative(z: jax.Array) -> jax.Array:
    s = jax.nn.sigmoid(z)
    return s * (1.0 - s)


def _tanh_derivative(z: jax.Array) -> jax.Array:
    return 1.0 - jnp.tanh(z) ** 2


_REGISTRY: dict[str, Activation] = {
    "erf": Activation(jax.scipy.special.erf, _erf_derivative),
    "gelu": Activation(_gelu, _gelu_derivative),
    "relu": Activation(jax.nn.relu, _relu_derivative),
    "sigmoid": Activation(jax.nn.sigmoid, _sigmoid_derivative),
    "softplus": Activation(jax.nn.softplus, jax.nn.sigmoid),
    "step": Activation(_step, None),  # phi = sign, values -1/+1
    "tanh": Activation(jnp.tanh, _tanh_derivative),
}
ACTIVATIONS = tuple(sorted(_REGISTRY))
DIFFERENTIABLE = tuple(name for name in ACTIVATIONS if _REGISTRY[name].dphi is not None)


def activation(name: str, *, differentiable: bool = False) -> Activation:
    """The activation called `name`: one of ACTIVATIONS, or of DIFFERENTIABLE if `differentiable`."""
    known = DIFFERENTIABLE if differentiable else ACTIVATIONS
    if name not in known:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(known)}")
    return _REGISTRY[name]
