"""The networks of `replications.core.nets` as flax modules, for users who build on flax.

`MLP(hidden=(n_1, ..., n_L), output_dim=k, parametrization="ntk" | "standard", weight_var, bias_var, activation)` is
the net of `nets` (same layer rule h^{l+1} = weight_multiplier a^l W + bias_multiplier b, same `LayerScale`s from
`nets.layer_scales`), with parameters named {"dense0": {"W", "b"}, "dense1": ...}. `to_params` and
`from_params` convert between a flax variable dict and the list of layers that `nets` uses, so every tool there
(`mlp_ntk`, `empirical_ntk`, `linearize`, `training.train_full_batch`) applies to a flax model's parameters:

    model = MLP(hidden=(512, 512), output_dim=1, parametrization="ntk")
    variables = model.init(key, x_BxD)
    theta_NxN = nets.mlp_ntk(to_params(variables), x_NxD, scales=model.scales(x_NxD.shape[1]), activation="relu")

Initialization draws each layer from its own key (flax's convention), so a flax model and `nets.init_mlp` with
the same key give different (identically distributed) parameters; given the same parameters they compute the same
function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from replications.core import nets


class ScaledDense(nn.Module):
    """h = weight_multiplier x W + bias_multiplier b, W_ij ~ N(0, weight_std^2), b_j ~ N(0, bias_std^2)."""

    features: int
    weight_std: float
    weight_multiplier: float
    bias_std: float
    bias_multiplier: float

    @nn.compact
    def __call__(self, x_BxD: jax.Array) -> jax.Array:
        shape = (x_BxD.shape[-1], self.features)
        W_DxH = self.param("W", lambda key, s: self.weight_std * jax.random.normal(key, s), shape)
        b_H = self.param("b", lambda key, s: self.bias_std * jax.random.normal(key, s), (self.features,))
        return self.weight_multiplier * (x_BxD @ W_DxH) + self.bias_multiplier * b_H


class MLP(nn.Module):
    """A fully connected net with hidden widths `hidden` in a named parametrization of `nets.layer_scales`."""

    hidden: Sequence[int]
    output_dim: int = 1
    parametrization: str = "ntk"
    weight_var: float = 1.0
    bias_var: float = 0.0
    activation: str = "relu"

    def scales(self, input_dim: int) -> tuple[nets.LayerScale, ...]:
        """The `LayerScale` of every layer for inputs of dimension `input_dim`."""
        sizes = (input_dim, *self.hidden, self.output_dim)
        return nets.layer_scales(
            sizes, parametrization=self.parametrization, weight_var=self.weight_var, bias_var=self.bias_var
        )

    @nn.compact
    def __call__(self, x_BxD: jax.Array) -> jax.Array:
        phi = nets.activation_function(self.activation)
        with jax.ensure_compile_time_eval():  # the scales are constants, also when the module is traced
            scales = self.scales(x_BxD.shape[-1])
        h = x_BxD
        for layer, (features, scale) in enumerate(zip((*self.hidden, self.output_dim), scales, strict=True)):
            if layer:
                h = phi(h)
            h = ScaledDense(features, *(float(s) for s in scale), name=f"dense{layer}")(h)
        return h


def to_params(variables: Mapping[str, Any]) -> nets.Params:
    """The list of {"W", "b"} layers of `nets` from a flax variable dict of `MLP`."""
    layers = variables["params"]
    return [dict(layers[f"dense{layer}"]) for layer in range(len(layers))]


def from_params(params: nets.Params) -> dict[str, Any]:
    """The flax variable dict of `MLP` holding the layers `params` of `nets`."""
    layers = {f"dense{layer}": {"W": jnp.asarray(p["W"]), "b": jnp.asarray(p["b"])} for layer, p in enumerate(params)}
    return {"params": layers}
