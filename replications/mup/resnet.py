"""The residual MLP of Tensor Programs VI's learning-rate-transfer experiment (Fig 10): L blocks of depth 1.

    x^0 = xi U / sqrt(d),   x^l = x^{l-1} + beta_L MS(relu(x^{l-1} W^l))  (l = 1..L),   f = x^L V / n

MS(z) = z - mean_j z_j subtracts the mean over the n units (TP6's "post-nonlin ReLU with mean subtraction"); U
and V have standard normal entries, W^l entries N(0, 1/n). The input and output layers U, V are fixed (not
trained), as in TP6: `hyper` gives them learning-rate factor 0, so only the blocks are trained, by Adam. The
output multiplier 1/n is muP's, at a fixed width. Three block parametrizations, TP6 Fig 10's rows:

    "depth_mup":   branch multiplier beta_L = a / sqrt(L / L0) and Adam learning rate eta / sqrt(L / L0)
                   (alpha = gamma = 1/2, `core.parametrization.depth_mup`);
    "branch_only": beta_L = a / sqrt(L / L0) and learning rate eta (alpha = 1/2, gamma = 0): the branch
                   multiplier without the learning-rate rule, the row that isolates eta / sqrt(L);
    "standard":    beta_L = a and learning rate eta at every depth.
All three are the same net at the base depth L0.

The blocks' weights are one (L, n, n) array run through `lax.scan`, so a depth compiles once whatever its size.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from replications.core.parametrization import depth_mup

BLOCKS = ("depth_mup", "branch_only", "standard")


class ResNetSetup(NamedTuple):
    """Sizes of the net, its branch multiplier and the factor its Adam learning rate is multiplied by."""

    input_dim: int
    width: int
    depth: int
    classes: int
    branch_multiplier: float
    lr_factor: float


def resnet_setup(
    input_dim: int, width: int, depth: int, classes: int, *, block: str, multiplier: float, base_depth: int
) -> ResNetSetup:
    """The net of the module docstring with `depth` blocks parametrized by `block`."""
    if block not in BLOCKS:
        raise ValueError(f"unknown block parametrization {block!r}; known: {', '.join(BLOCKS)}")
    scaled = depth_mup(depth, multiplier=multiplier, learning_rate=1.0, base_depth=base_depth)
    if block in ("branch_only", "standard"):
        scaled = scaled._replace(adam_learning_rate=1.0)
    if block == "standard":
        scaled = scaled._replace(branch_multiplier=multiplier)
    return ResNetSetup(input_dim, width, depth, classes, scaled.branch_multiplier, scaled.adam_learning_rate)


def init_resnet(key: jax.Array, setup: ResNetSetup) -> dict[str, jax.Array]:
    """{"U": fixed input layer, "W": trained blocks (L, n, n), "V": fixed readout}, standard normal times
    1/sqrt(n) for the blocks."""
    k_in, k_blocks, k_out = jax.random.split(key, 3)
    n = setup.width
    return {
        "U": jax.random.normal(k_in, (setup.input_dim, n)),
        "W": jax.random.normal(k_blocks, (setup.depth, n, n)) / jnp.sqrt(n),
        "V": jax.random.normal(k_out, (n, setup.classes)),
    }


def hyper(setup: ResNetSetup) -> dict:
    """What differs between the block parametrizations at one depth, as numbers (traced in `sweep`): the branch
    multiplier and the per-tensor learning-rate factors (`core.parametrization.scale_updates`: U and V fixed,
    the blocks scaled)."""
    return {"branch_multiplier": setup.branch_multiplier, "lr_factors": {"U": 0.0, "W": setup.lr_factor, "V": 0.0}}


def apply_resnet(
    params: dict[str, jax.Array], x_BxD: jax.Array, setup: ResNetSetup, branch_multiplier: jax.Array | float
) -> jax.Array:
    """f_BxK of the module docstring, with beta_L = `branch_multiplier` (a number or a traced scalar)."""
    x0 = x_BxD @ params["U"] / jnp.sqrt(setup.input_dim)

    def block(x_BxN, W_NxN):
        z = jax.nn.relu(x_BxN @ W_NxN)
        return x_BxN + branch_multiplier * (z - z.mean(axis=1, keepdims=True)), None

    xL, _ = jax.lax.scan(block, x0, params["W"])
    return xL @ params["V"] / setup.width
