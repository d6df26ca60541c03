"""Layers: pure functions Kernel -> Kernel, and their composition into a fully connected network."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from replications.core.kernels.moments import pair_rule, second_rule


class Kernel(NamedTuple):
    """The NNGP and NTK of one tile of inputs x1 (N rows) against x2 (M columns).

    nngp: K(x1_i, x2_j), shape (N, M).       ntk: Theta(x1_i, x2_j), shape (N, M).
    var1: K(x1_i, x1_i), shape (N,).        var2: K(x2_j, x2_j), shape (M,).
    """

    nngp: jax.Array
    ntk: jax.Array
    var1: jax.Array
    var2: jax.Array


Layer = Callable[[Kernel], Kernel]


def input_kernel(x1_NxD: jax.Array, x2_MxD: jax.Array) -> Kernel:
    """The kernel of the inputs themselves: nngp = x1.x2 / d, ntk = 0 (inputs carry no parameters)."""
    d = x1_NxD.shape[1]
    gram_NxM = x1_NxD @ x2_MxD.T / d
    return Kernel(
        nngp=gram_NxM,
        ntk=jnp.zeros_like(gram_NxM),
        var1=jnp.sum(x1_NxD * x1_NxD, axis=1) / d,
        var2=jnp.sum(x2_MxD * x2_MxD, axis=1) / d,
    )


def dense(weight_var: ArrayLike, bias_var: ArrayLike, same_inputs: ArrayLike = False) -> Layer:
    """A dense layer in NTK parametrization: K <- bias_var + weight_var K,  Theta <- K_new + weight_var Theta.

    same_inputs: the tile's rows and columns are the same points. K(x_i, x_i) is then set to the variance var_i,
    which it equals in exact arithmetic but may miss in the last bit (a Gram entry against a squared norm); a
    correlation of 1 - 1e-16 instead of 1 would become 1e-8 through arccos in a relu NTK, and grow through depth
    in a step's arcsine. XLA may still recompute var_i inside the N x M loop with a fused multiply-add and not in
    the variance's own loop, so the relu and step rules also read a correlation within 4 ulps of 1 as 1
    (`moments._snap_unit`).
    """

    def apply(k: Kernel) -> Kernel:
        var1 = bias_var + weight_var * k.var1
        nngp = bias_var + weight_var * k.nngp
        diagonal = jnp.arange(nngp.shape[0])[:, None] == jnp.arange(nngp.shape[1])[None, :]
        nngp = jnp.where(jnp.logical_and(same_inputs, diagonal), var1[:, None], nngp)
        return Kernel(nngp=nngp, ntk=nngp + weight_var * k.ntk, var1=var1, var2=bias_var + weight_var * k.var2)

    return apply


def nonlinearity(activation: str, *, quadrature: bool = False) -> Layer:
    """phi applied elementwise: K <- E[phi(u) phi(v)],  Theta <- E[phi'(u) phi'(v)] Theta,  K(x,x) <- E[phi(u)^2].

    Closed forms where known, the module's quadrature otherwise (or when `quadrature`).
    """
    pair, second = pair_rule(activation, quadrature), second_rule(activation, quadrature)

    def apply(k: Kernel) -> Kernel:
        phi_NxM, dphi_NxM = pair(k.var1, k.nngp, k.var2)
        var1_N, var2_M = jnp.split(second(jnp.concatenate([k.var1, k.var2])), [k.var1.size])
        return Kernel(nngp=phi_NxM, ntk=dphi_NxM * k.ntk, var1=var1_N, var2=var2_M)

    return apply


def serial(*layers: Layer) -> Layer:
    """The composition layers[-1] o ... o layers[0]."""

    def apply(k: Kernel) -> Kernel:
        for layer in layers:
            k = layer(k)
        return k

    return apply


def repeat(layer: Layer, times: ArrayLike) -> Layer:
    """layer composed `times` times, as a loop: one compilation for every depth (and on CPU faster than XLA's
    code for an unrolled chain).

    The loop carries nngp + i ntk as one complex array. XLA compiles a layer into a single loop only when the
    loop has a single output: with nngp and ntk as two outputs it splits the layer into several loops and writes
    their shared intermediates (a relu pair's angle, a table lookup) to memory, 1.5x slower on CPU.
    """

    def body(_, carry: tuple[jax.Array, jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array, jax.Array]:
        packed, var1, var2 = carry
        k = layer(Kernel(nngp=jnp.real(packed), ntk=jnp.imag(packed), var1=var1, var2=var2))
        return jax.lax.complex(k.nngp, k.ntk), k.var1, k.var2

    def apply(k: Kernel) -> Kernel:
        carry = (jax.lax.complex(k.nngp, k.ntk), k.var1, k.var2)
        packed, var1, var2 = jax.lax.fori_loop(0, times, body, carry)
        return Kernel(nngp=jnp.real(packed), ntk=jnp.imag(packed), var1=var1, var2=var2)

    return apply


def fully_connected(
    depth: ArrayLike, weight_var: ArrayLike, bias_var: ArrayLike, phi: Layer, same_inputs: ArrayLike = False
) -> Layer:
    """Dense, then `depth` times (phi, Dense): `depth` hidden layers and the readout (same_inputs: see dense)."""
    linear = dense(weight_var, bias_var, same_inputs)
    return serial(linear, repeat(serial(phi, linear), depth))
