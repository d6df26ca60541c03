"""Fully connected networks as pure functions, their empirical neural tangent kernels, and their linearizations.

Network: sizes = (d, n_1, ..., n_depth, k), `depth` hidden layers, then a linear readout. Layer l = 0..depth maps
the layer input a^l (a^0 = x, a^l = phi(h^l)) to

    h^{l+1} = weight_multiplier_l a^l W^l + bias_multiplier_l b^l,
    W^l_ij ~ N(0, weight_std_l^2),  b^l_j ~ N(0, bias_std_l^2),    f(x) = h^{depth+1}(x),

with the four numbers of layer l held in a `LayerScale`. A parametrization is a choice of them (fan_in = n_l):

    "standard": weight_std = sqrt(weight_var / fan_in), bias_std = sqrt(bias_var), both multipliers 1
                (Lee et al. 2018's SGD baselines);
    "ntk":      weight_std = bias_std = 1, weight_multiplier = sqrt(weight_var / fan_in),
                bias_multiplier = sqrt(bias_var) (Jacot et al. 2018 with beta = sqrt(bias_var)).

Both give the same distribution of functions at initialization (with one key, the same function), whose
infinite-width limit is the NNGP of `kernels.fc_kernel`; they differ in training: gradients with respect to W^l are
multiplied by weight_multiplier_l, so only the "ntk" parametrization has a width-independent tangent kernel, the
`fc_kernel` NTK. Other abc-parametrizations (muP) pass their own `LayerScale`s. Every scale may be a traced array,
so a sweep over weight_var and bias_var is one `vmap`.

Empirical NTK of a scalar output f (Jacot et al. 2018): Theta(x, x') = J(x) J(x')^T, J(x) = df(x)/dtheta over all
trainable parameters theta (not the multipliers). Linearization (Lee et al. 2019):
f_lin(theta, x) = f(theta_0, x) + J(theta_0, x) (theta - theta_0).
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
from collections.abc import Callable, Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from replications.core import activations
from replications.core.checks import check_positive_int

Params = list[dict[str, jax.Array]]  # one {"W": W_DxH, "b": b_H} per layer, input layer first
ApplyFn = Callable[[Params, jax.Array], jax.Array]


# The differentiable activations of `kernels.fc_kernel`, so every net here has its infinite-width kernels there.
ACTIVATIONS = activations.DIFFERENTIABLE
PARAMETRIZATIONS = ("standard", "ntk")


class LayerScale(NamedTuple):
    """The scales of one dense layer: initial standard deviations of its W and b entries, and the constant factors
    (not trained) that W and b are multiplied by in the forward pass. Numbers or (traced) scalar arrays."""

    weight_std: ArrayLike
    weight_multiplier: ArrayLike
    bias_std: ArrayLike
    bias_multiplier: ArrayLike


def activation_function(name: str) -> Callable[[jax.Array], jax.Array]:
    """The activation called `name` (one of ACTIVATIONS)."""
    return activations.activation(name, differentiable=True).phi


def mlp_sizes(input_dim: int, width: int, depth: int, output_dim: int = 1) -> tuple[int, ...]:
    """(input_dim, width, ..., width, output_dim) with `depth` hidden layers of `width` units."""
    for name, value in (("input_dim", input_dim), ("width", width), ("output_dim", output_dim)):
        check_positive_int(name, value)
    check_positive_int("depth (number of hidden layers)", depth)
    return (input_dim, *([width] * depth), output_dim)


def _check_sizes(sizes: Sequence[int]) -> tuple[int, ...]:
    sizes = tuple(sizes)
    if len(sizes) < 3:
        raise ValueError(f"sizes must hold the input, >= 1 hidden layer and the output, got {sizes}")
    if any(isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1 for n in sizes):
        raise ValueError(f"every layer size must be an integer >= 1, got {sizes}")
    return sizes


def _check_variance(name: str, value: ArrayLike) -> None:
    if isinstance(value, int | float) and not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite variance >= 0, got {value!r}")


def layer_scales(
    sizes: Sequence[int], *, parametrization: str, weight_var: ArrayLike, bias_var: ArrayLike
) -> tuple[LayerScale, ...]:
    """The `LayerScale` of every layer of a net with layer sizes `sizes` in a named parametrization (module
    docstring). weight_var, bias_var: sigma_w^2, sigma_b^2, the same for every layer and the readout, as in
    `fc_kernel`; numbers or traced scalars."""
    sizes = _check_sizes(sizes)
    if parametrization not in PARAMETRIZATIONS:
        raise ValueError(f"unknown parametrization {parametrization!r}; known: {', '.join(PARAMETRIZATIONS)}")
    _check_variance("weight_var", weight_var)
    _check_variance("bias_var", bias_var)
    bias_sd = jnp.sqrt(jnp.asarray(bias_var))
    scales = []
    for fan_in in sizes[:-1]:
        weight_sd = jnp.sqrt(jnp.asarray(weight_var) / fan_in)
        if parametrization == "standard":
            scales.append(LayerScale(weight_sd, 1.0, bias_sd, 1.0))
        else:
            scales.append(LayerScale(1.0, weight_sd, 1.0, bias_sd))
    return tuple(scales)


def init_mlp(key: jax.Array, sizes: Sequence[int], scales: Sequence[LayerScale]) -> Params:
    """Parameters W^l ~ N(0, weight_std_l^2) of shape (n_l, n_{l+1}) and b^l ~ N(0, bias_std_l^2), float32.

    Each W^l and b^l is its scale times a standard normal array drawn with its own key from
    `jax.random.split(key, 2 * layers)` (order W^0, b^0, W^1, ...): with one key, nets that differ only in their
    scales share those standard normals. (Drawn in layer-shaped arrays: slicing one long draw into layers costs
    4x more on a CPU, 0.4 s instead of 0.09 s for 12M parameters.)
    """
    sizes = _check_sizes(sizes)
    if len(scales) != len(sizes) - 1:
        raise ValueError(f"need one LayerScale per layer ({len(sizes) - 1}), got {len(scales)}")
    return _init(key, sizes, tuple(scales))


@functools.partial(jax.jit, static_argnames="sizes")
def _init(key: jax.Array, sizes: tuple[int, ...], scales: tuple[LayerScale, ...]) -> Params:
    keys = jax.random.split(key, 2 * len(scales))
    params = []
    for layer, ((fan_in, fan_out), scale) in enumerate(zip(itertools.pairwise(sizes), scales, strict=True)):
        W_DxH = scale.weight_std * jax.random.normal(keys[2 * layer], (fan_in, fan_out))
        b_H = scale.bias_std * jax.random.normal(keys[2 * layer + 1], (fan_out,))
        params.append({"W": W_DxH, "b": b_H})
    return params


def _forward(
    params: Params,
    x_BxD: jax.Array,
    scales: Sequence[LayerScale],
    phi: Callable[[jax.Array], jax.Array],
    shifts: Sequence[jax.Array] | None = None,
) -> tuple[jax.Array, list[jax.Array]]:
    """(f_BxK, the layer inputs a^l), with shifts[l] (if given) added to h^{l+1}: a handle on df/dh."""
    if len(params) != len(scales):
        raise ValueError(f"params has {len(params)} layers but scales has {len(scales)}")
    h_BxH, inputs = x_BxD, []
    for layer, (p, scale) in enumerate(zip(params, scales, strict=True)):
        a_BxH = h_BxH if layer == 0 else phi(h_BxH)
        inputs.append(a_BxH)
        h_BxH = scale.weight_multiplier * (a_BxH @ p["W"]) + scale.bias_multiplier * p["b"]
        if shifts is not None:
            h_BxH = h_BxH + shifts[layer]
    return h_BxH, inputs


def apply_mlp(params: Params, x_BxD: ArrayLike, scales: Sequence[LayerScale], *, activation: str) -> jax.Array:
    """f_BxK: the network's outputs on a batch of inputs."""
    activation_function(activation)
    return _apply(params, jnp.asarray(x_BxD), tuple(scales), activation)


@functools.partial(jax.jit, static_argnames="activation")
def _apply(params: Params, x_BxD: jax.Array, scales: tuple[LayerScale, ...], activation: str) -> jax.Array:
    return _forward(params, x_BxD, scales, activation_function(activation))[0]


@functools.partial(jax.jit, static_argnames=("activation", "output"))
def mlp_ntk(
    params: Params,
    x1_NxD: ArrayLike,
    x2_MxD: ArrayLike | None = None,
    *,
    scales: Sequence[LayerScale],
    activation: str,
    output: int = 0,
) -> jax.Array:
    """Empirical NTK Theta_NxM of output `output` of an MLP, from its layer structure (no Jacobian is formed).

    With a^l the input of layer l and delta^l = df/dh^{l+1} (one backward pass for all inputs at once),
    df/dW^l_ij = weight_multiplier_l a^l_i delta^l_j and df/db^l_j = bias_multiplier_l delta^l_j, so

        Theta(x, x') = sum_l (delta^l . delta'^l) (weight_multiplier_l^2 a^l . a'^l + bias_multiplier_l^2).

    Equal to `empirical_ntk` of the same net; memory (N + M) x (total units) + N x M instead of a multiple of
    the parameter count, so it serves nets far wider than a Jacobian could.
    """
    phi = activation_function(activation)
    x1_NxD = jnp.asarray(x1_NxD)
    x2_MxD = x1_NxD if x2_MxD is None else jnp.asarray(x2_MxD)

    def features(x_BxD: jax.Array) -> tuple[list[jax.Array], list[jax.Array]]:
        shifts = [jnp.zeros((x_BxD.shape[0], p["b"].shape[0]), x_BxD.dtype) for p in params]
        f_BxK, pullback, inputs = jax.vjp(lambda s: _forward(params, x_BxD, scales, phi, s), shifts, has_aux=True)
        if not 0 <= output < f_BxK.shape[1]:
            raise ValueError(f"output {output} out of range for a net with {f_BxK.shape[1]} outputs")
        (deltas,) = pullback(jnp.zeros_like(f_BxK).at[:, output].set(1.0))
        return inputs, deltas

    (inputs1, deltas1), (inputs2, deltas2) = features(x1_NxD), features(x2_MxD)
    theta_NxM = jnp.zeros((x1_NxD.shape[0], x2_MxD.shape[0]))
    for scale, a1, a2, d1, d2 in zip(scales, inputs1, inputs2, deltas1, deltas2, strict=True):
        theta_NxM += (d1 @ d2.T) * (scale.weight_multiplier**2 * (a1 @ a2.T) + scale.bias_multiplier**2)
    return theta_NxM


def _scalar(apply_fn: ApplyFn, params: Params, x_D: jax.Array) -> jax.Array:
    """f(x) for one input, as a scalar; apply_fn must give one output per input, shape (B,) or (B, 1)."""
    f = apply_fn(params, x_D[None])
    if f.size != 1:
        raise ValueError(f"the NTK needs a scalar output per input, got output shape {f.shape} for one input")
    return f.reshape(())


@functools.partial(jax.jit, static_argnames=("apply_fn", "batch_size"))
def ntk_row(
    apply_fn: ApplyFn, params: Params, x0_D: ArrayLike, x_MxD: ArrayLike, *, batch_size: int = 256
) -> jax.Array:
    """Theta_M = Theta(x0, x_m) = J(x_m) J(x0)^T: one vjp at x0 gives g = J(x0)^T (shaped like params), then a
    jvp with tangent g at each x_m, `batch_size` inputs at a time. The Jacobian of X is never formed."""
    x0_D, x_MxD = jnp.asarray(x0_D), jnp.asarray(x_MxD)
    _, pullback = jax.vjp(lambda p: _scalar(apply_fn, p, x0_D), params)
    (g,) = pullback(jnp.ones((), x0_D.dtype))

    def tangent(x_D: jax.Array) -> jax.Array:
        return jax.jvp(lambda p: _scalar(apply_fn, p, x_D), (params,), (g,))[1]

    return jax.lax.map(tangent, x_MxD, batch_size=batch_size)


@functools.partial(jax.jit, static_argnames=("apply_fn", "batch_size"))
def empirical_ntk(
    apply_fn: ApplyFn, params: Params, x1_NxD: ArrayLike, x2_MxD: ArrayLike | None = None, *, batch_size: int = 16
) -> jax.Array:
    """Theta_NxM = J(x1) J(x2)^T of any net whose `apply_fn(params, x_BxD)` gives one output per input.

    Rows are `ntk_row`s, `batch_size` at a time (vmapped), each against `batch_size` columns at a time: memory is
    about batch_size x (parameter count) for the rows' J(x)^T plus batch_size^2 x (total units).
    """
    x1_NxD = jnp.asarray(x1_NxD)
    x2_MxD = x1_NxD if x2_MxD is None else jnp.asarray(x2_MxD)
    row = lambda x0_D: ntk_row(apply_fn, params, x0_D, x2_MxD, batch_size=batch_size)  # noqa: E731
    return jax.lax.map(row, x1_NxD, batch_size=batch_size)


def linearize(apply_fn: ApplyFn, params0: Params) -> ApplyFn:
    """f_lin(params, x_BxD) = f(params0, x) + J(params0, x) (params - params0), by one `jax.jvp`.

    It has apply_fn's signature and output shape, so it trains, vmaps and differentiates like the net itself;
    its gradient at params0 is the net's.
    """

    def apply_lin(params: Params, x_BxD: jax.Array) -> jax.Array:
        delta = jax.tree.map(jnp.subtract, params, params0)
        f0, df = jax.jvp(lambda p: apply_fn(p, x_BxD), (params0,), (delta,))
        return f0 + df

    return apply_lin
