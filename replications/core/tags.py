"""muP for any parameter tree, by per-tensor width tags (TP5 Table 8, relative to a base model; `mup`'s
`set_base_shapes`).

A tensor's tag says which of its dimensions grow with width, found by comparing its shape with the same tensor's
shape in the base model (the net at the base width): a dimension that differs is infinite. Kernels are stored
(fan_in, fan_out), as flax's `Dense` does; a vector (bias, LayerNorm gain) has only a fan_out; a token or
position embedding (vocabulary, d) is an input weight, its vocabulary the fan_in.

    kind      infinite dims       examples                                  m (its width multiplier)
    hidden    fan_in and fan_out  attention and MLP kernels (matrix-like)   fan_in / base fan_in
    input     fan_out only        embeddings, biases, LayerNorm gains       fan_out / base fan_out
    output    fan_in only         the readout                               fan_in / base fan_in
    scalar    none                the readout's bias                        1

TP5 Table 8 (SP in parentheses; sigma^2 / fan_in is SP's fan-in init, whatever sigma a tensor has):

    kind      init variance              multiplier   SGD learning rate             Adam learning rate
    hidden    SP                         1            x fan_out_mult / fan_in_mult  x 1 / m   (1)
    input     SP                         1            x m   (1)                     x 1
    output    sigma^2 / base fan_in      1 / m  (1)   x m   (1)                     x 1
    scalar    SP                         1            x 1                           x 1

Every factor is a ratio to the base model, so at the base width every one is exactly 1.0 and muP is SP bit for
bit (the products below multiply by 1.0, which is exact in floating point).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

KINDS = ("hidden", "input", "output", "scalar")
OPTIMIZERS = ("sgd", "adam")


class Tag(NamedTuple):
    """What muP needs to know of one tensor: its kind and its fan-in and fan-out relative to the base model."""

    kind: str
    fan_in_mult: float
    fan_out_mult: float

    @property
    def width_mult(self) -> float:
        """m of the module docstring: the fan-in ratio where the fan-in grows, else the fan-out ratio."""
        if self.kind in ("hidden", "output"):
            return self.fan_in_mult
        return self.fan_out_mult if self.kind == "input" else 1.0


def tag(shape: tuple[int, ...], base_shape: tuple[int, ...]) -> Tag:
    """The tag of a tensor of `shape` whose base-model shape is `base_shape` (kernels (fan_in, fan_out); vectors
    (fan_out,); scalars ())."""
    if len(shape) != len(base_shape):
        raise ValueError(f"shape {shape} and base shape {base_shape} differ in rank")
    if len(shape) > 2:
        raise ValueError(f"tensors of rank > 2 are not tagged (reshape them to (fan_in, fan_out)): {shape}")
    dims = [(1, 1)] * (2 - len(shape)) + list(zip(base_shape, shape, strict=True))
    (base_in, fan_in), (base_out, fan_out) = dims
    grows_in, grows_out = fan_in != base_in, fan_out != base_out
    kind = {(True, True): "hidden", (False, True): "input", (True, False): "output", (False, False): "scalar"}
    return Tag(kind[grows_in, grows_out], fan_in / base_in, fan_out / base_out)


def tag_tree(params: Any, base_params: Any) -> Any:
    """Tags of every tensor of a parameter tree (arrays or `jax.ShapeDtypeStruct`s) against the base model's."""
    return jax.tree.map(lambda p, b: tag(tuple(p.shape), tuple(b.shape)), params, base_params)


def _is_tag(node: Any) -> bool:
    return isinstance(node, Tag)


def lr_factors(tags: Any, optimizer: str, parametrization: str = "mup") -> Any:
    """Per-tensor learning-rate factors (a tree of floats shaped like the parameters): Table 8 under "mup", every
    factor 1 under "sp"."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; known: {', '.join(OPTIMIZERS)}")

    def factor(t: Tag) -> float:
        if parametrization == "sp" or t.kind == "scalar":
            return 1.0
        if optimizer == "adam":
            return 1.0 / t.fan_in_mult if t.kind == "hidden" else 1.0
        return t.fan_out_mult / t.fan_in_mult if t.kind == "hidden" else t.width_mult

    _check(parametrization)
    return jax.tree.map(factor, tags, is_leaf=_is_tag)


def multipliers(tags: Any, parametrization: str = "mup") -> Any:
    """Per-tensor forward multipliers: 1 / m for the output weights under muP, else 1."""
    _check(parametrization)
    return jax.tree.map(
        lambda t: 1.0 / t.fan_in_mult if parametrization == "mup" and t.kind == "output" else 1.0,
        tags,
        is_leaf=_is_tag,
    )


def init_stds(tags: Any, sp_stds: Any, parametrization: str = "mup") -> Any:
    """Per-tensor init standard deviations from SP's (`sp_stds`, e.g. sigma / sqrt(fan_in)): the output weights'
    multiplied by sqrt(m) under muP (variance sigma^2 / base fan_in), every other one kept."""
    _check(parametrization)
    return jax.tree.map(
        lambda t, s: s * math.sqrt(t.fan_in_mult) if parametrization == "mup" and t.kind == "output" else s,
        tags,
        sp_stds,
        is_leaf=_is_tag,
    )


def _check(parametrization: str) -> None:
    if parametrization not in ("sp", "mup"):
        raise ValueError(f"unknown parametrization {parametrization!r}; known: sp, mup")


def scale_by_tree(factors: Any) -> optax.GradientTransformation:
    """Multiply each update by its tensor's factor (a tree of numbers shaped like the parameters); chained after an
    optimizer it gives per-tensor learning rates: eta_W = eta f_W."""

    def update(updates, state, params=None):
        del params
        return jax.tree.map(lambda u, f: u * jnp.asarray(f, u.dtype), updates, factors), state

    return optax.GradientTransformation(lambda params: optax.EmptyState(), update)


def optimizer(name: str, learning_rate: Any, factors: Any, adam_eps: float = 1e-8) -> optax.GradientTransformation:
    """SGD or Adam (b1 0.9, b2 0.999, `adam_eps`) at the master rate `learning_rate` with per-tensor factors."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    base = optax.sgd(learning_rate) if name == "sgd" else optax.adam(learning_rate, eps=adam_eps)
    return optax.chain(base, scale_by_tree(factors))
