"""The 2-hidden-layer ReLU MLP of Tensor Programs IV/V in the standard parametrization (SP) and in muP.

    h^1 = sqrt(iota) xi W^1,   h^2 = relu(h^1) W^2,   f = omega m^-1 relu(h^2) W^3        (no biases)

with W^1_ij ~ N(0, 1 / (d iota)), W^2_ij ~ N(0, 1 / n) (PyTorch's kaiming_normal_(a=1, fan_in)), iota the input
multiplier and omega the output multiplier of the authors' `examples/MLP/main.py`. SP: m = 1 and every tensor
has the learning rate eta. muP relative to the base width n0 (TP5 Table 8, `core.parametrization`): m = n / n0,
the readout's init variance sigma^2 / n0 instead of sigma^2 / n, and per-tensor learning-rate factors (SGD: m for
W^1 and W^3; Adam: 1/m for W^2). At n = n0 the two are the same net. The input multiplier leaves the function at
initialization unchanged (the init is divided by sqrt(iota)) and multiplies W^1's effective learning rate by iota.

Two readouts: "zero" (the authors' MLP script, and every task of this group: W^3 = 0, so f_0 = 0) and "random"
(TP5 Table 8's readout init: W^3_ij ~ N(0, 1 / n) in SP, N(0, 1 / n0) under muP). Biases exist in the parameter
lists (the `core.nets` layout) but have multiplier 0, so they neither act nor train.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

from replications.core.nets import LayerScale, Params, layer_scales
from replications.core.parametrization import mup_lr_factors, mup_scales

PARAMETRIZATIONS = ("sp", "mup")
READOUTS = ("zero", "random")
LAYER_NAMES = ("h1", "h2", "x2", "logits")  # sqrt(iota) xi W^1, relu(h^1) W^2, relu(h^2) (the readout's input), f


class MLPSetup(NamedTuple):
    """Layer sizes, `LayerScale`s and per-tensor learning-rate factors of one net."""

    sizes: tuple[int, ...]
    scales: tuple[LayerScale, ...]
    lr_factors: list[dict[str, float]]


def mlp_setup(
    input_dim: int,
    width: int,
    classes: int,
    *,
    parametrization: str,
    base_width: int,
    optimizer: str,
    readout: str = "zero",
    input_mult: float = 1.0,
    output_mult: float = 1.0,
) -> MLPSetup:
    """The scales and learning-rate factors of the module docstring's net for `optimizer` "sgd" or "adam"."""
    if parametrization not in PARAMETRIZATIONS:
        raise ValueError(f"unknown parametrization {parametrization!r}; known: {', '.join(PARAMETRIZATIONS)}")
    if readout not in READOUTS:
        raise ValueError(f"unknown readout {readout!r}; known: {', '.join(READOUTS)}")
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"unknown optimizer {optimizer!r}; known: sgd, adam")
    if base_width < 1:
        raise ValueError(f"base_width must be >= 1, got {base_width}")
    if not (input_mult > 0 and output_mult > 0):
        raise ValueError(f"multipliers must be > 0, got input {input_mult}, output {output_mult}")
    sizes = (input_dim, width, width, classes)
    if parametrization == "mup":
        scales = list(mup_scales(sizes, base_width, weight_var=1.0, bias_var=0.0))
        factors = mup_lr_factors(sizes, base_width, optimizer)
    else:
        scales = list(layer_scales(sizes, parametrization="standard", weight_var=1.0, bias_var=0.0))
        factors = [{"W": 1.0, "b": 1.0} for _ in scales]
    scales = [s._replace(bias_std=0.0, bias_multiplier=0.0) for s in scales]
    root = input_mult**0.5
    scales[0] = scales[0]._replace(weight_std=scales[0].weight_std / root, weight_multiplier=root)
    readout_std = 0.0 if readout == "zero" else scales[-1].weight_std
    scales[-1] = scales[-1]._replace(
        weight_std=readout_std, weight_multiplier=scales[-1].weight_multiplier * output_mult
    )
    as_float = [LayerScale(*(float(v) for v in s)) for s in scales]
    return MLPSetup(sizes, tuple(as_float), factors)


def layer_outputs(params: Params, x_BxD: jax.Array, scales: Sequence[LayerScale]) -> dict[str, jax.Array]:
    """Every layer's output on a batch, named as LAYER_NAMES (biases omitted: their multipliers are 0)."""
    h1 = scales[0].weight_multiplier * (x_BxD @ params[0]["W"])
    h2 = scales[1].weight_multiplier * (jax.nn.relu(h1) @ params[1]["W"])
    x2 = jax.nn.relu(h2)
    return {"h1": h1, "h2": h2, "x2": x2, "logits": scales[2].weight_multiplier * (x2 @ params[2]["W"])}


def logits(params: Params, x_BxD: jax.Array, scales: Sequence[LayerScale]) -> jax.Array:
    return layer_outputs(params, x_BxD, scales)["logits"]


def cross_entropy(f_BxK: jax.Array, y_B: jax.Array) -> jax.Array:
    """Mean softmax cross-entropy of integer labels."""
    return optax.softmax_cross_entropy_with_integer_labels(f_BxK, y_B).mean()


def mse_label(f_BxK: jax.Array, y_B: jax.Array) -> jax.Array:
    """The authors' MSE_label: mean over the batch and the K outputs of (f - (onehot(y) - 1/K))^2."""
    K = f_BxK.shape[1]
    return jnp.mean((f_BxK - (jax.nn.one_hot(y_B, K) - 1.0 / K)) ** 2)


LOSSES = {"xent": cross_entropy, "mse": mse_label}
