"""Lee et al. 2018 Fig 1: test accuracy and test MSE against training-set size, the NNGP against the best SGD-trained
net of each width, ReLU and tanh. "Neural network performance more closely resembles NNGP performance with
increasing width." Each width's net is the best on validation over its (learning rate, weight_var, bias_var) grid
(one seed); the best net over widths is retrained with fresh seeds (mean and 95 % Student-t interval over them), as
the camera-ready version's "NN-best" curve.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import read_table
from replications.nngp.datasets import dataset_info
from replications.nngp.measures import best_nn, seed_estimate, selected_gp, selected_nn

METRICS = ("test_accuracy", "test_mse")


def curves(config: Mapping[str, Any], gp: pd.DataFrame, nn: pd.DataFrame, retrained: pd.DataFrame) -> pd.DataFrame:
    """Tidy: activation, model, width, train_size, and per metric its value and 95 % interval. Models: "NNGP";
    "NN, width <w>", the width's best net on validation in the one-seed search (its test metrics; no interval);
    "NN, best width", the best net over every width retrained with fresh seeds (mean and Student-t interval)."""
    rows = []

    def point(model: pd.Series) -> dict[str, float]:  # one value: its interval collapses onto it
        return {f"{metric}{part}": model[metric] for metric in METRICS for part in ("", "_low", "_high")}

    for activation in config["activations"]:
        for size in config["train_sizes"]:
            common = {"activation": activation, "train_size": size}
            rows.append(common | {"model": "NNGP", "width": None} | point(selected_gp(gp, activation, size)))
            for width in config["nn_search"]["widths"]:
                best = best_nn(nn, activation=activation, train_size=size, width=width)
                rows.append(common | {"model": f"NN, width {width}", "width": width} | point(best))
            chosen, seeds = selected_nn(nn, retrained, activation, size)
            row = common | {"model": "NN, best width", "width": int(chosen["width"])}
            for metric in METRICS:
                estimate = seed_estimate(seeds[metric])
                low, high = estimate.ci if estimate.ci is not None else (estimate.value, estimate.value)
                row |= {metric: estimate.value, f"{metric}_low": low, f"{metric}_high": high}
            rows.append(row)
    return pd.DataFrame(rows)


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Rows: activations; columns: test accuracy, test MSE; from the NNGP search, the nets' search and retraining."""
    set_theme()
    table = curves(config, *(read_table(inputs[name]) for name in ("gp_search", "nn_search", "nn_retrain")))
    activations = config["activations"]
    widths = config["nn_search"]["widths"]
    seeds = len(config["nn_search"]["retrain_seeds"])
    palette = dict(
        zip(
            [f"NN, width {w}" for w in widths],
            plt.cm.viridis_r([0.15 + 0.75 * i / max(1, len(widths) - 1) for i in range(len(widths))]),
            strict=True,
        )
    )
    palette |= {"NNGP": "black", "NN, best width": "tab:red"}
    fig, axes = plt.subplots(len(activations), 2, figsize=(10, 3.8 * len(activations)), squeeze=False)
    for r, activation in enumerate(activations):
        rows = table[table["activation"] == activation]
        for c, metric in enumerate(METRICS):
            ax = axes[r, c]
            for model, line in rows.groupby("model", sort=False):
                style = {
                    "NNGP": {"lw": 2.5, "ls": "--"},
                    "NN, best width": {"lw": 2, "capsize": 3, "zorder": 3},
                }.get(model, {"lw": 1, "alpha": 0.8})
                bars = [line[metric] - line[f"{metric}_low"], line[f"{metric}_high"] - line[metric]]
                ax.errorbar(
                    line["train_size"],
                    line[metric],
                    yerr=bars,
                    marker="o",
                    ms=4,
                    color=palette[model],
                    label=model,
                    **style,
                )
            ax.set_xscale("log")
            ax.set_xticks(config["train_sizes"], [str(size) for size in config["train_sizes"]])
            ax.minorticks_off()
            ax.set_xlabel("training-set size")
            ax.set_ylabel(metric.replace("_", " ").replace("mse", "MSE"))
            ax.set_title(f"{dataset_info(config).label}, {activation}")
            if c == 0:
                ax.legend(fontsize="small")
    fig.suptitle(
        "NNGP against SGD-trained nets chosen on validation: the best of each width (one-seed search),\nand the best "
        f"over widths retrained with {seeds} fresh seeds (mean, 95 % Student-t interval)",
        fontsize="medium",
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
