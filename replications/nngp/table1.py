"""Lee et al. 2018 Table 1 at every training size of the config that the paper reports for the dataset (MNIST 1k by
default; `datasets.table1_sizes`): test accuracy of the best NNGP and the best SGD-trained net, selected on
validation, beside the paper's numbers (blank where the paper has none). Written as CSV, markdown and a PNG table.

Model strings follow the paper: NN-depth-width-weight_var-bias_var and GP-depth-weight_var-bias_var.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from replications.core.plotting import save_figure, set_theme
from replications.core.provenance import atomic_write, read_table
from replications.nngp.datasets import dataset_info, size_label, table1_sizes
from replications.nngp.measures import best_nn, selected_gp
from replications.nngp.paper import TABLE1

PAPER = {(e.dataset, e.train_size, e.activation, e.model): e for e in TABLE1}


def table(config: Mapping[str, Any], gp: pd.DataFrame, nn: pd.DataFrame) -> pd.DataFrame:
    """One row per (Table 1 training size, activation, model): ours and the paper's."""
    info = dataset_info(config)
    rows = []
    for size in table1_sizes(config):
        for activation in config["activations"]:
            g = selected_gp(gp, activation, size)
            n = best_nn(nn, activation=activation, train_size=size)
            ours = {
                "nn": (f"NN-{n['depth']}-{n['width']}-{n['weight_var']:.2f}-{n['bias_var']:.2f}", n["test_accuracy"]),
                "gp": (f"GP-{g['depth']}-{g['weight_var']:.2f}-{g['bias_var']:.2f}", g["test_accuracy"]),
            }
            for model, (name, accuracy) in ours.items():
                paper = PAPER.get((info.paper, size, activation, model))  # MNIST 1k, 10k, 50k; CIFAR 1k, 10k, 45k
                rows.append(
                    {
                        "dataset": f"{info.row_label}:{size_label(size)}",
                        "activation": activation,
                        "model": model,
                        "ours_best": name,
                        "ours_test_accuracy": accuracy,
                        "paper_best": paper.best if paper else "",
                        "paper_test_accuracy": paper.test_accuracy if paper else float("nan"),
                    }
                )
    return pd.DataFrame(rows)


def markdown(rows: pd.DataFrame) -> str:
    lines = [
        "| training set | activation | model | ours: best | ours: test accuracy | paper: best | paper: test accuracy |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows.itertuples():
        lines.append(
            f"| {r.dataset} | {r.activation} | {r.model.upper()} | {r.ours_best} | {r.ours_test_accuracy:.4f} "
            f"| {r.paper_best} | {r.paper_test_accuracy:.4f} |"
        )
    return "\n".join(lines) + "\n"


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Table 1 as CSV, markdown and PNG/PDF, from the NNGP and the NN searches."""
    set_theme()
    rows = table(config, read_table(inputs["gp_search"]), read_table(inputs["nn_search"]))
    atomic_write(outputs["csv"], lambda tmp: rows.to_csv(tmp, index=False))
    atomic_write(outputs["md"], lambda tmp: tmp.write_text(markdown(rows)))
    cells = [
        [
            r.dataset,
            r.activation,
            r.model.upper(),
            r.ours_best,
            f"{r.ours_test_accuracy:.4f}",
            r.paper_best,
            f"{r.paper_test_accuracy:.4f}",
        ]
        for r in rows.itertuples()
    ]
    columns = [
        "training set",
        "activation",
        "model",
        "ours: best",
        "ours: test acc.",
        "paper: best",
        "paper: test acc.",
    ]
    fig, ax = plt.subplots(figsize=(12, 0.4 * len(cells) + 0.8))
    ax.axis("off")
    widths = [0.1, 0.09, 0.07, 0.21, 0.12, 0.21, 0.12]
    grid = ax.table(cellText=cells, colLabels=columns, colWidths=widths, loc="center", cellLoc="center")
    grid.auto_set_font_size(False)
    grid.set_fontsize(9.5)
    grid.scale(1, 1.5)
    split, info = config["split"], dataset_info(config)
    ax.set_title(
        f"Table 1 (Lee et al. 2018) on {info.title}: {split['validation']} validation and {split['test']} test "
        f"{info.unit}; models selected on validation accuracy"
    )
    save_figure(fig, outputs["png"])
