"""Lee et al. 2018 Fig 1: test accuracy and test MSE against training-set size, the NNGP against the best SGD-trained
net of each width, ReLU and tanh. "Neural network performance more closely resembles NNGP performance with
increasing width." Each net is the best on validation over its (learning rate, weight_var, bias_var) grid.
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
from replications.nngp.measures import best_nn, selected_gp


def curves(config: Mapping[str, Any], gp: pd.DataFrame, nn: pd.DataFrame) -> pd.DataFrame:
    """Tidy: activation, model ("NNGP" or "NN-<width>"), train_size, test_accuracy, test_mse."""
    rows = []
    for activation in config["activations"]:
        for size in config["train_sizes"]:
            g = selected_gp(gp, activation, size)
            rows.append(
                {
                    "activation": activation,
                    "model": "NNGP",
                    "width": None,
                    "train_size": size,
                    "test_accuracy": g["test_accuracy"],
                    "test_mse": g["test_mse"],
                }
            )
            for width in config["nn_search"]["widths"]:
                n = best_nn(nn, activation=activation, train_size=size, width=width)
                rows.append(
                    {
                        "activation": activation,
                        "model": f"NN, width {width}",
                        "width": width,
                        "train_size": size,
                        "test_accuracy": n["test_accuracy"],
                        "test_mse": n["test_mse"],
                    }
                )
    return pd.DataFrame(rows)


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Rows: activations; columns: test accuracy, test MSE; from `inputs["gp_search"]` and `inputs["nn_search"]`."""
    set_theme()
    table = curves(config, read_table(inputs["gp_search"]), read_table(inputs["nn_search"]))
    activations = config["activations"]
    widths = config["nn_search"]["widths"]
    palette = dict(
        zip(
            [f"NN, width {w}" for w in widths],
            plt.cm.viridis_r([0.15 + 0.75 * i / max(1, len(widths) - 1) for i in range(len(widths))]),
            strict=True,
        )
    )
    palette["NNGP"] = "black"
    fig, axes = plt.subplots(len(activations), 2, figsize=(10, 3.8 * len(activations)), squeeze=False)
    for r, activation in enumerate(activations):
        rows = table[table["activation"] == activation]
        for c, metric in enumerate(["test_accuracy", "test_mse"]):
            ax = axes[r, c]
            for model, line in rows.groupby("model", sort=False):
                style = {"lw": 2.5, "ls": "--"} if model == "NNGP" else {"lw": 1.5}
                ax.plot(line["train_size"], line[metric], marker="o", ms=4, color=palette[model], label=model, **style)
            ax.set_xscale("log")
            ax.set_xlabel("training-set size")
            ax.set_ylabel(metric.replace("_", " ").replace("mse", "MSE"))
            ax.set_title(f"{dataset_info(config).label}, {activation}")
            if c == 0:
                ax.legend(fontsize="small")
    fig.suptitle("NNGP against the best SGD-trained net of each width (selected on validation)")
    fig.tight_layout()
    save_figure(fig, outputs["png"])
