"""abc-parametrizations of MLPs (Tensor Programs IV), and muP in practice (Tensor Programs V, Table 8; VI, Depth-muP).

TP4 (Yang & Hu 2021). An L-hidden-layer MLP h^1 = W^1 xi, x^l = phi(h^l), h^{l+1} = W^{l+1} x^l, f = W^{L+1} x^L
of width n is parametrized by exponents (a_l, b_l) per layer l = 1..L+1 and c:

    W^l = n^(-a_l) w^l,     w^l_ij ~ N(0, n^(-2 b_l)),     SGD learning rate eta n^(-c).

With r := min(a_{L+1} + b_{L+1}, 2 a_{L+1} + c) + c - 1 + min_{l <= L} [2 a_l + 1(l = 1)] (features move by
Theta(n^-r)), the parametrization is

    stable       iff a_1 + b_1 = 0, a_l + b_l = 1/2 (2 <= l <= L), a_{L+1} + b_{L+1} >= 1/2, r >= 0,
                     2 a_{L+1} + c >= 1 and a_{L+1} + b_{L+1} + r >= 1;
    nontrivial   iff (stable and) a_{L+1} + b_{L+1} + r = 1 or 2 a_{L+1} + c = 1;
    feature learning iff (stable, nontrivial and) r = 0; kernel regime iff r > 0 (the Dynamical Dichotomy).

(a_l, b_l, c) -> (a_l + theta, b_l - theta, c - 2 theta) changes neither the function nor its SGD updates.
Exponents are exact `Fraction`s, so the conditions are decided exactly.

TP5's Table 8 ("muP relative to a base width n0", what the `mup` package implements), with m = n / n0:
input weights and all hidden biases: init as SP, SGD lr x m, Adam lr x 1; hidden weights: init as SP, SGD lr x 1,
Adam lr x 1/m; output weights: init variance sigma^2 / n0 (SP: sigma^2 / n) with output multiplier 1/m, SGD lr x m,
Adam lr x 1. At n = n0 this is SP exactly. `mup_scales` gives the `nets.LayerScale`s, `mup_lr_factors` the per-tensor
learning-rate factors, and `scale_updates` applies them to any optax optimizer; both read the rules off the
per-tensor width tags of `core.tags` (the rules of any parameter tree, the Transformer's included).

TP6 (Depth-muP): residual blocks x^l = x^{l-1} + (a / sqrt(L)) g(x^{l-1}) trained by Adam at eta / sqrt(L)
(`depth_mup`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

from replications.core import tags
from replications.core.nets import LayerScale, Params, layer_scales

HALF = Fraction(1, 2)


class ABC(NamedTuple):
    """Exponents a_1..a_{L+1}, b_1..b_{L+1} and c of an L-hidden-layer MLP."""

    a: tuple[Fraction, ...]
    b: tuple[Fraction, ...]
    c: Fraction

    @property
    def hidden_layers(self) -> int:
        return len(self.a) - 1

    def shifted(self, theta: Fraction) -> ABC:
        """(a + theta, b - theta, c - 2 theta): the same function and updates (TP4 §3)."""
        return ABC(tuple(x + theta for x in self.a), tuple(x - theta for x in self.b), self.c - 2 * theta)


def named_parametrization(name: str, hidden_layers: int) -> ABC:
    """TP4 Table 1: "sp" (standard, c = 0: unstable), "sp_lr_1/n", "ntp", "mfp" (one hidden layer only), "mup"."""
    L = hidden_layers
    if L < 1:
        raise ValueError(f"need at least one hidden layer, got {L}")
    zero = Fraction(0)
    if name in ("sp", "sp_lr_1/n"):
        return ABC((zero,) * (L + 1), (zero,) + (HALF,) * L, Fraction(int(name == "sp_lr_1/n")))
    if name == "ntp":
        return ABC((zero,) + (HALF,) * L, (zero,) * (L + 1), zero)
    if name == "mfp":
        if L != 1:
            raise ValueError("the mean-field parametrization of TP4 Table 1 has one hidden layer")
        return ABC((zero, Fraction(1)), (zero, zero), Fraction(-1))
    if name == "mup":
        return ABC((-HALF,) + (zero,) * (L - 1) + (HALF,), (HALF,) * (L + 1), zero)
    raise ValueError(f"unknown parametrization {name!r}; known: sp, sp_lr_1/n, ntp, mfp, mup")


def feature_speed(p: ABC) -> Fraction:
    """r = min(a_{L+1} + b_{L+1}, 2 a_{L+1} + c) + c - 1 + min_{l <= L} [2 a_l + 1(l = 1)]."""
    a_out, b_out = p.a[-1], p.b[-1]
    hidden = min(2 * a + (1 if layer == 0 else 0) for layer, a in enumerate(p.a[:-1]))
    return min(a_out + b_out, 2 * a_out + p.c) + p.c - 1 + hidden


def is_stable(p: ABC) -> bool:
    """TP4's stability conditions (module docstring)."""
    r, a_out, b_out = feature_speed(p), p.a[-1], p.b[-1]
    return (
        p.a[0] + p.b[0] == 0
        and all(a + b == HALF for a, b in zip(p.a[1:-1], p.b[1:-1], strict=True))
        and a_out + b_out >= HALF
        and r >= 0
        and 2 * a_out + p.c >= 1
        and a_out + b_out + r >= 1
    )


def is_nontrivial(p: ABC) -> bool:
    """Stable, and the function moves by Theta(1) in Theta(1) steps."""
    r, a_out, b_out = feature_speed(p), p.a[-1], p.b[-1]
    return is_stable(p) and (a_out + b_out + r == 1 or 2 * a_out + p.c == 1)


def is_feature_learning(p: ABC) -> bool:
    """Stable, nontrivial and r = 0: the last layer's features move by Theta(1)."""
    return is_nontrivial(p) and feature_speed(p) == 0


def is_kernel_regime(p: ABC) -> bool:
    """Stable, nontrivial and r > 0: training is kernel regression in the limit."""
    return is_nontrivial(p) and feature_speed(p) > 0


def abc_scales(p: ABC, sizes: Sequence[int], width: int) -> tuple[LayerScale, ...]:
    """`nets.LayerScale`s of the abc-parametrized net with layer sizes `sizes` at width n = `width` (no biases:
    bias stds 0): weight_std = n^-b_l, weight_multiplier = n^-a_l. Its SGD learning rate is eta n^-c."""
    if len(sizes) - 1 != len(p.a):
        raise ValueError(f"{len(p.a)} layers of exponents for {len(sizes) - 1} layers")
    pairs = zip(p.a, p.b, strict=True)
    return tuple(LayerScale(float(width ** -float(b)), float(width ** -float(a)), 0.0, 0.0) for a, b in pairs)


# --------------------------------------------------------------------------------------------------------------
# muP in practice: TP5 Table 8 relative to a base width
# --------------------------------------------------------------------------------------------------------------


def mlp_tags(sizes: Sequence[int], base_width: int) -> list[dict[str, tags.Tag]]:
    """The `core.tags` tag of every tensor of a `nets` MLP ([{"W": (n_l, n_l+1), "b": (n_l+1,)}, ...]) of layer
    sizes `sizes` against the same net with every hidden layer `base_width` wide."""
    if len(set(sizes[1:-1])) != 1:
        raise ValueError(f"muP here needs equal hidden widths, got {sizes[1:-1]}")
    if base_width < 1:
        raise ValueError(f"base_width must be >= 1, got {base_width}")

    def shapes(layer_sizes: Sequence[int]) -> list[dict[str, jax.ShapeDtypeStruct]]:
        return [
            {"W": jax.ShapeDtypeStruct((n_in, n_out), jnp.float32), "b": jax.ShapeDtypeStruct((n_out,), jnp.float32)}
            for n_in, n_out in itertools.pairwise(layer_sizes)
        ]

    base_sizes = (sizes[0], *[base_width] * (len(sizes) - 2), sizes[-1])
    return tags.tag_tree(shapes(sizes), shapes(base_sizes))


def mup_scales(sizes: Sequence[int], base_width: int, *, weight_var: float, bias_var: float) -> tuple[LayerScale, ...]:
    """The standard parametrization's scales with muP's readout, by the tags (`mlp_tags`, `tags.init_stds`,
    `tags.multipliers`): init std sqrt(weight_var / n0) and multiplier n0 / n (TP5 Table 8 relative to base width
    n0). Equal to `layer_scales(..., "standard")` at n = n0."""
    tag_of = mlp_tags(sizes, base_width)
    scales = layer_scales(sizes, parametrization="standard", weight_var=weight_var, bias_var=bias_var)
    stds = tags.init_stds(tag_of, [{"W": s.weight_std, "b": s.bias_std} for s in scales])
    mults = tags.multipliers(tag_of)
    return tuple(
        LayerScale(std["W"], s.weight_multiplier * mult["W"], std["b"], s.bias_multiplier * mult["b"])
        for s, std, mult in zip(scales, stds, mults, strict=True)
    )


def mup_lr_factors(sizes: Sequence[int], base_width: int, optimizer: str) -> list[dict[str, float]]:
    """Per-tensor learning-rate factors of muP (TP5 Table 8, by the tags: `mlp_tags`, `tags.lr_factors`) for
    `optimizer` "sgd" (momentum included) or "adam", shaped like `nets` parameters: [{"W": factor, "b": factor},
    ...], input layer first. With m = n / n0: SGD x m for the input layer and every hidden bias, x 1 for hidden
    weights, x m for the readout's weights; Adam x 1/m for hidden weights, else x 1. All 1 at n = n0."""
    return tags.lr_factors(mlp_tags(sizes, base_width), optimizer)


def scale_updates(factors: Params | list[dict[str, float]]) -> optax.GradientTransformation:
    """Multiply each parameter's update by its factor (a tree shaped like the parameters): chained after an optax
    optimizer, per-tensor learning rates, e.g. `optax.chain(optax.sgd(eta, momentum=0.9), scale_updates(f))`."""

    def update(updates, state, params=None):
        del params
        return jax.tree.map(lambda u, f: u * jnp.asarray(f, u.dtype), updates, factors), state

    return optax.GradientTransformation(lambda params: optax.EmptyState(), update)


class DepthMuP(NamedTuple):
    """Depth-muP (TP6) for L residual blocks of depth 1: branch multiplier a / sqrt(L), Adam learning rate
    eta / sqrt(L) (relative to a base depth L0: L -> L / L0)."""

    branch_multiplier: float
    adam_learning_rate: float


def depth_mup(depth: int, *, multiplier: float, learning_rate: float, base_depth: int = 1) -> DepthMuP:
    """The branch multiplier and Adam learning rate of Depth-muP at `depth` blocks."""
    if depth < 1 or base_depth < 1:
        raise ValueError(f"depth and base_depth must be >= 1, got {depth} and {base_depth}")
    ratio = math.sqrt(depth / base_depth)
    return DepthMuP(multiplier / ratio, learning_rate / ratio)
