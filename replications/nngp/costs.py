"""The FLOPs the nn_search task counts (its perf record's `flops`: `core.training.grid_flops` of every grid it
trains), from the group's config alone, nothing run: so the `paper` profile's work is counted on any machine (the
benchmarks table's estimate for one GPU, `report.benchmarks`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from replications.core.nets import mlp_sizes
from replications.core.training import grid_flops
from replications.nngp import nn_search
from replications.nngp.datasets import NUM_CLASSES, dataset_info, table1_sizes


def nn_search_flops(config: Mapping[str, Any]) -> float:
    """`experiments.nn_search_task`, every activation: the search (every training size and width, the whole grid,
    one seed), then the retraining with `retrain_seeds` of every width at Table 1's sizes and of the best width at
    the other sizes. Which width is best is found by the search, so it is counted as the widest: at most what the
    job counts (exact where every training size is one of Table 1's)."""
    section = config["nn_search"]
    grid = len(section["learning_rates"]) * len(section["weight_vars"]) * len(section["bias_vars"])
    every_width_at = set(table1_sizes(config))
    split, input_dim = config["split"], dataset_info(config).input_dim
    total = 0.0
    for size in config["train_sizes"]:
        retrained = section["widths"] if size in every_width_at else [max(section["widths"])]
        for width, nets in [
            *((w, grid) for w in section["widths"]),
            *((w, len(section["retrain_seeds"])) for w in retrained),
        ]:
            total += grid_flops(
                nets,
                mlp_sizes(input_dim, width, section["depth"], NUM_CLASSES),
                nn_search.training_steps(size, section),
                min(section["batch_size"], size),
                section["eval_every"],
                (size, split["validation"], split["test"]),
            )
    return total * len(config["activations"])
