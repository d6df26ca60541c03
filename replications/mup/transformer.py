"""A small decoder-only, byte-level Transformer (TP5 Fig 1's net) in SP and in muP, its parameters tagged by
`replications.core.tags`.

    x^0 = E[tokens] + P[positions]                                      (token and position embeddings)
    post-LN (TP5):  x <- LN(x + Attn(x)),  x <- LN(x + FFN(x))    (pre-LN: x <- x + Attn(LN(x)), ..., a final LN)
    Attn(x) = softmax(causal(s q k^T)) v W^O per head, q = x W^Q, ...   (H heads of d_head = d / H: H fixed)
    FFN(x) = gelu(x W^1 + b^1) W^2 + b^2                                 (d_ffn = 4 d)
    f = omega mu x W^R + b^R                                             (vocabulary 256: the bytes)

Initialization: embeddings N(0, embedding_std^2) (input weights: constant in width), every kernel N(0, 1 / fan_in),
biases 0, LayerNorm gains 1; the queries W^Q and the readout W^R start at zero (TP5 §D.2) in both parametrizations.
Attention scale s: SP alpha / sqrt(d_head); muP alpha / d_head scaled to equal SP at the base width,
alpha sqrt(d_head0) / d_head (TP5 Def. 4.1, `mup`'s `8 / d`). Readout multiplier: omega mu with mu the tags' output
multiplier (SP 1, muP base_d / d); per-tensor learning rates from the tags (Adam: the matrix-like kernels eta base_d
/ d). The tunable constants alpha (attention) and omega (readout) are the same in SP and muP, so the two are one net
at the base width, bit for bit.

The parameters are a plain tree of arrays (a flax params dict: {"embed": ..., "block0": ..., "readout": ...}); the
numbers a variant changes (init stds, learning-rate factors, s, omega mu) are a `hyper` tree, traced, so SP and
muP of one width, at every learning rate and seed, run as one compiled program (`replications.mup.sweep`).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from replications.core import tags

VOCAB = 256  # bytes
FFN_RATIO = 4
LN_EPS = 1e-5
PARAMETRIZATIONS = ("sp", "mup")


class Shape(NamedTuple):
    """The architecture (what fixes the parameter shapes and the program)."""

    width: int
    layers: int
    heads: int
    seq: int
    pre_ln: bool = False

    @property
    def d_head(self) -> int:
        return self.width // self.heads


def check_shape(shape: Shape) -> None:
    if shape.width % shape.heads:
        raise ValueError(f"width {shape.width} is not a multiple of the {shape.heads} heads")


def param_shapes(shape: Shape) -> dict[str, Any]:
    """The parameter tree's shapes (kernels (fan_in, fan_out), embeddings (vocabulary, d))."""
    d, f = shape.width, FFN_RATIO * shape.width
    tree: dict[str, Any] = {"embed": {"tokens": (VOCAB, d), "positions": (shape.seq, d)}}
    for layer in range(shape.layers):
        tree[f"block{layer}"] = {
            "attn": {"query": (d, d), "key": (d, d), "value": (d, d), "out": (d, d)},
            "ln1": {"scale": (d,), "bias": (d,)},
            "ffn": {"in": (d, f), "in_bias": (f,), "out": (f, d), "out_bias": (d,)},
            "ln2": {"scale": (d,), "bias": (d,)},
        }
    if shape.pre_ln:
        tree["ln_final"] = {"scale": (d,), "bias": (d,)}
    tree["readout"] = {"kernel": (d, VOCAB), "bias": (VOCAB,)}
    return tree


def _is_shape(node: Any) -> bool:
    return isinstance(node, tuple) and all(isinstance(v, int) for v in node)


def _paths(tree: Any) -> list[tuple[str, ...]]:
    leaves = jax.tree_util.tree_flatten_with_path(tree, is_leaf=_is_shape)[0]
    return [tuple(k.key for k in path) for path, _ in leaves]


def _sp_std(path: tuple[str, ...], dims: tuple[int, ...], embedding_std: float) -> float:
    """SP's init std of one tensor: embeddings embedding_std, kernels 1 / sqrt(fan_in); zero for the queries, the
    readout and biases; LayerNorm's (gains start at 1: `init_params` adds the mean)."""
    if path[0] == "embed":
        return embedding_std
    if path[-1] in ("query",) or path == ("readout", "kernel") or len(dims) == 1:
        return 0.0
    return 1.0 / math.sqrt(dims[0])


def tag_tree(shape: Shape, base_width: int) -> Any:
    """The tags of every tensor of the net of `shape` against the same net at `base_width`."""
    as_struct = lambda s: jax.tree.map(lambda d: jax.ShapeDtypeStruct(d, jnp.float32), s, is_leaf=_is_shape)  # noqa: E731
    return tags.tag_tree(as_struct(param_shapes(shape)), as_struct(param_shapes(shape._replace(width=base_width))))


def hyper(
    shape: Shape,
    *,
    parametrization: str,
    base_width: int,
    readout_mult: float,
    attn_mult: float,
    embedding_std: float,
    optimizer: str = "adam",
) -> dict[str, Any]:
    """The numbers that make the net of `shape` SP or muP (relative to `base_width`): init stds, per-tensor
    learning-rate factors, the attention scale and the readout multiplier (see the module docstring)."""
    check_shape(shape)
    base = shape._replace(width=base_width)
    check_shape(base)
    tag_of = tag_tree(shape, base_width)
    shapes = param_shapes(shape)
    sp_stds = jax.tree.unflatten(
        jax.tree.structure(shapes, is_leaf=_is_shape),
        [
            _sp_std(p, dims, embedding_std)
            for p, dims in zip(_paths(shapes), jax.tree.leaves(shapes, is_leaf=_is_shape), strict=True)
        ],
    )
    if parametrization == "mup":  # alpha / d_head, scaled to equal SP at the base width
        attn_scale = attn_mult / math.sqrt(base.d_head) * (base.d_head / shape.d_head)
    else:
        attn_scale = attn_mult / math.sqrt(shape.d_head)
    mults = tags.multipliers(tag_of, parametrization)
    return {
        "init_stds": tags.init_stds(tag_of, sp_stds, parametrization),
        "lr_factors": tags.lr_factors(tag_of, optimizer, parametrization),
        "attn_scale": attn_scale,
        "readout_mult": readout_mult * mults["readout"]["kernel"],
    }


def init_params(key: jax.Array, shape: Shape, hyper: dict[str, Any]) -> dict[str, Any]:
    """Parameters drawn N(mean, std^2) with the stds of `hyper` (traced): mean 1 for LayerNorm gains, else 0."""
    shapes = param_shapes(shape)
    paths = _paths(shapes)
    dims = jax.tree.leaves(shapes, is_leaf=_is_shape)
    stds = jax.tree.leaves(hyper["init_stds"])
    keys = jax.random.split(key, len(dims))
    leaves = [
        (1.0 if p[-1] == "scale" else 0.0) + s * jax.random.normal(k, d, jnp.float32)
        for p, d, s, k in zip(paths, dims, stds, keys, strict=True)
    ]
    return jax.tree.unflatten(jax.tree.structure(shapes, is_leaf=_is_shape), leaves)


def _layer_norm(x: jax.Array, p: dict[str, jax.Array]) -> jax.Array:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(var + LN_EPS) * p["scale"] + p["bias"]


def _attention(x_BxSxD: jax.Array, p: dict[str, jax.Array], heads: int, scale: jax.Array):
    """(output, attention logits BxHxSxS before the mask) of causal multi-head attention."""
    B, S, D = x_BxSxD.shape
    split = lambda w: (x_BxSxD @ w).reshape(B, S, heads, D // heads)  # noqa: E731
    q, k, v = split(p["query"]), split(p["key"]), split(p["value"])
    logits_BxHxSxS = scale * jnp.einsum("bqhd,bkhd->bhqk", q, k)
    causal = jnp.tril(jnp.ones((S, S), bool))
    weights = jax.nn.softmax(jnp.where(causal, logits_BxHxSxS, -jnp.inf), axis=-1)
    out = jnp.einsum("bhqk,bkhd->bqhd", weights, v).reshape(B, S, D)
    return out @ p["out"], logits_BxHxSxS


def _ffn(x: jax.Array, p: dict[str, jax.Array]) -> jax.Array:
    return jax.nn.gelu(x @ p["in"] + p["in_bias"]) @ p["out"] + p["out_bias"]


def activations(params: dict[str, Any], tokens_BxS: jax.Array, shape: Shape, hyper: dict[str, Any]) -> dict:
    """Every tracked activation: the embedding output, each block's attention logits and output, the logits."""
    S = tokens_BxS.shape[1]
    x = params["embed"]["tokens"][tokens_BxS] + params["embed"]["positions"][:S]
    acts = {"embedding": x}
    for layer in range(shape.layers):
        p = params[f"block{layer}"]
        if shape.pre_ln:
            out, attn_logits = _attention(_layer_norm(x, p["ln1"]), p["attn"], shape.heads, hyper["attn_scale"])
            x = x + out
            x = x + _ffn(_layer_norm(x, p["ln2"]), p["ffn"])
        else:
            out, attn_logits = _attention(x, p["attn"], shape.heads, hyper["attn_scale"])
            x = _layer_norm(x + out, p["ln1"])
            x = _layer_norm(x + _ffn(x, p["ffn"]), p["ln2"])
        acts[f"attn_logits{layer}"] = attn_logits
        acts[f"block{layer}"] = x
    if shape.pre_ln:
        x = _layer_norm(x, params["ln_final"])
    acts["logits"] = hyper["readout_mult"] * (x @ params["readout"]["kernel"]) + params["readout"]["bias"]
    return acts


def activation_names(shape: Shape) -> tuple[str, ...]:
    blocks = [n for layer in range(shape.layers) for n in (f"attn_logits{layer}", f"block{layer}")]
    return ("embedding", *blocks, "logits")


def loss(params: dict[str, Any], tokens_BxS: jax.Array, targets_BxS: jax.Array, shape: Shape, hyper: dict) -> jax.Array:
    """Mean next-byte cross-entropy (nats per byte); tokens may come as floats (the sweep's inputs)."""
    logits = activations(params, tokens_BxS.astype(jnp.int32), shape, hyper)["logits"]
    return optax.softmax_cross_entropy_with_integer_labels(logits, targets_BxS.astype(jnp.int32)).mean()


def train_flops(shape: Shape, batch: int) -> float:
    """Analytic FLOPs of one training step (forward and backward = 3 x forward; a multiply-add is 2 FLOPs): the
    kernels' matmuls, the readout and the attention's two S x S x d products (the causal half not skipped)."""
    d, S = shape.width, shape.seq
    per_token = 2 * (shape.layers * (4 + 2 * FFN_RATIO) * d * d + d * VOCAB) + shape.layers * 4 * S * d
    return 3.0 * batch * S * per_token


def windows(data: np.ndarray, seq: int) -> tuple[np.ndarray, np.ndarray]:
    """(inputs NxS, next-byte targets NxS) of the non-overlapping windows of `seq` + 1 bytes of a uint8 array."""
    n = (len(data) - 1) // seq
    x = data[: n * seq].reshape(n, seq)
    y = data[1 : n * seq + 1].reshape(n, seq)
    return x, y
