"""The FLOPs the group's sweep-training tasks count (their perf records' `flops`: `sweep.sweep_flops` of every
sweep they run), from a task's config alone: XLA's cost analysis of one step of one net at the config's shapes,
nothing compiled or run. So the `paper` profile's work is counted on any machine (the benchmarks table's estimate
for one GPU, `report.benchmarks`).

Each function mirrors its task's loops over widths, depths and grids; where the task's work depends on what it
measures, the count is the most it can be, as said there (maxlr refines every edge).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp

from replications.mup import datasets, mlp, resnet, sweep
from replications.mup import experiments as ex
from replications.mup import transformer as tfm
from replications.mup import transformer_experiments as tx


def _batch(batch: int, *trailing: int, dtype=jnp.float32) -> jax.ShapeDtypeStruct:
    return jax.ShapeDtypeStruct((batch, *trailing), dtype)


def _mlp_flops(config: Mapping[str, Any], width: int, loss: str, momentum: float, nets: int) -> float:
    """`nets` MLPs of `width` (SP's shape: every parametrization has it) trained `steps` steps."""
    input_dim = datasets.INPUT_DIMS[config["dataset"]["name"]]
    functions = ex.mlp_sweep_functions(ex._mlp_setups(config, input_dim, width), loss, momentum)
    x, y = _batch(config["batch"], input_dim), _batch(config["batch"], dtype=jnp.int32)
    return sweep.sweep_flops(*functions[:3], x, y, functions[3][0], config["steps"] * nets)


def maxlr_flops(config: Mapping[str, Any]) -> float:
    """`experiments.maxlr`: for every multiplier set and width, the coarse grid and (at most) `refinements` more
    rates, SP and muP, every seed."""
    rates = len(ex.log2_grid(config["log2_lr_min"], config["log2_lr_max"], config["log2_lr_step"]))
    rates += config["refinements"]
    nets = len(mlp.PARAMETRIZATIONS) * rates * config["seeds"]
    return sum(
        _mlp_flops({**config, **multipliers}, width, "mse", 0.0, nets)
        for multipliers in config["multiplier_sets"]
        for width in config["widths"]
    )


def transfer_flops(config: Mapping[str, Any]) -> float:
    """`experiments.transfer`: the tuning at the base width (multiplier pairs x its grid x its seeds), then at
    every width SP and muP over the `log2_lr_offsets` octaves, every seed."""
    tuning = config["tuning"]
    section = {**config, "input_mult": tuning["input_mults"][0], "output_mult": tuning["output_mults"][0]}
    rates = len(ex.log2_grid(tuning["log2_lr_min"], tuning["log2_lr_max"], 1.0))
    tuned = len(tuning["input_mults"]) * len(tuning["output_mults"]) * rates * tuning["seeds"]
    low, high = config["log2_lr_offsets"]
    nets = len(mlp.PARAMETRIZATIONS) * (high - low + 1) * config["seeds"]
    flops = _mlp_flops(section, config["base_width"], "xent", config["momentum"], tuned)
    return flops + sum(_mlp_flops(section, w, "xent", config["momentum"], nets) for w in config["widths"])


def depth_flops(config: Mapping[str, Any]) -> float:
    """`experiments.depth`: every depth's block parametrizations x learning rates x seeds (MNIST-1D)."""
    input_dim = datasets.INPUT_DIMS["mnist1d"]
    rates = len(ex.log2_grid(config["log2_lr_min"], config["log2_lr_max"], config["log2_lr_step"]))
    nets = len(resnet.BLOCKS) * rates * config["seeds"]
    x, y = _batch(config["batch"], input_dim), _batch(config["batch"], dtype=jnp.int32)
    total = 0.0
    for blocks in config["depths"]:
        setups = [
            resnet.resnet_setup(
                input_dim, config["width"], blocks, ex.CLASSES, block=block, multiplier=config["multiplier"],
                base_depth=config["base_depth"],
            )
            for block in resnet.BLOCKS
        ]  # fmt: skip
        *functions, hypers = ex.resnet_sweep_functions(setups)
        total += sweep.sweep_flops(*functions, x, y, hypers[0], config["steps"] * nets)
    return total


def transformer_flops(config: Mapping[str, Any]) -> float:
    """`transformer_experiments.transfer`: the tuning at the base width (multiplier pairs x its grid x its
    seeds), then at every width SP and muP over their octaves, every seed."""
    tuning = config["tuning"]
    rates = len(ex.log2_grid(tuning["log2_lr_min"], tuning["log2_lr_max"], 1.0))
    tuned = len(tuning["readout_mults"]) * len(tuning["attn_mults"]) * rates * tuning["seeds"]
    nets = sum(len(tx._offsets(config, p)) for p in tfm.PARAMETRIZATIONS) * config["seeds"]
    x, y = _batch(config["batch"], config["seq"]), _batch(config["batch"], config["seq"], dtype=jnp.uint8)

    def flops(width: int, count: int) -> float:
        hyper = tx._hypers(config, width, [("mup", 1.0, 1.0)])[0]
        return sweep.sweep_flops(*tx.sweep_functions(config, width), x, y, hyper, config["steps"] * count)

    return flops(config["base_width"], tuned) + sum(flops(w, nets) for w in config["widths"])
