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
from replications.nngp.measures import accuracy_estimate, seed_estimate, selected_gp, selected_nn
from replications.nngp.paper import TABLE1

PAPER = {(e.dataset, e.train_size, e.activation, e.model): e for e in TABLE1}


def _gp_tied(activation: str, bias_var: float) -> bool:
    """ReLU with bias_var = 0: the kernel is weight_var^(depth + 1) times one fixed kernel, so every weight_var gives
    the same posterior mean (up to the jitter) and ties on validation."""
    return activation == "relu" and bias_var == 0


TIE_NOTE = (
    "GP names marked 'tied': ReLU with sigma_b^2 = 0, where sigma_w^2 only rescales the kernel, so every sigma_w^2 "
    "of the grid gives the same predictions up to rounding; which one is shown was decided by rounding in the "
    "validation MSE."
)
INTERVAL_NOTE = (
    "Intervals (95 %): NN, Student-t over the retrained seeds of the net the one-seed search chose on validation; "
    "GP, Wilson over the test points."
)


def table(config: Mapping[str, Any], gp: pd.DataFrame, nn: pd.DataFrame, retrained: pd.DataFrame) -> pd.DataFrame:
    """One row per (Table 1 training size, activation, model): ours (with its 95 % interval and the seeds behind
    it) and the paper's."""
    info = dataset_info(config)
    tests = config["split"]["test"]
    rows = []
    for size in table1_sizes(config):
        for activation in config["activations"]:
            g = selected_gp(gp, activation, size)
            n, seed_rows = selected_nn(nn, retrained, activation, size)
            gp_name = f"GP-{g['depth']}-{g['weight_var']:.2f}-{g['bias_var']:.2f}"
            nn_estimate = seed_estimate(seed_rows["test_accuracy"])
            ours = {
                "nn": (
                    f"NN-{n['depth']}-{n['width']}-{n['weight_var']:.2f}-{n['bias_var']:.2f}",
                    nn_estimate,
                    f"lr {n['learning_rate']:.2g}",
                ),
                "gp": (
                    gp_name + (" (tied)" if _gp_tied(activation, g["bias_var"]) else ""),
                    accuracy_estimate(g["test_accuracy"], tests),
                    "",
                ),
            }
            for model, (name, estimate, detail) in ours.items():
                paper = PAPER.get((info.paper, size, activation, model))  # MNIST 1k, 10k, 50k; CIFAR 1k, 10k, 45k
                low, high = estimate.ci if estimate.ci is not None else (float("nan"), float("nan"))
                rows.append(
                    {
                        "dataset": f"{info.row_label}:{size_label(size)}",
                        "activation": activation,
                        "model": model,
                        "ours_best": name,
                        "ours_detail": detail,
                        "ours_test_accuracy": estimate.value,
                        "ours_ci_low": low,
                        "ours_ci_high": high,
                        "ours_n": estimate.n,
                        "paper_best": paper.best if paper else "",
                        "paper_test_accuracy": paper.test_accuracy if paper else float("nan"),
                    }
                )
    return pd.DataFrame(rows)


def _accuracy_cell(row: Any) -> str:
    return f"{row.ours_test_accuracy:.4f} [{row.ours_ci_low:.3f}, {row.ours_ci_high:.3f}]"


def markdown(rows: pd.DataFrame) -> str:
    lines = [
        "| training set | activation | model | ours: best | ours: test accuracy [95 % interval] | paper: best "
        "| paper: test accuracy |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows.itertuples():
        best = f"{r.ours_best}, {r.ours_detail}" if r.ours_detail else r.ours_best
        lines.append(
            f"| {r.dataset} | {r.activation} | {r.model.upper()} | {best} | {_accuracy_cell(r)} "
            f"| {r.paper_best} | {r.paper_test_accuracy:.4f} |"
        )
    return "\n".join([*lines, "", INTERVAL_NOTE, TIE_NOTE]) + "\n"


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """Table 1 as CSV, markdown and PNG/PDF, from the NNGP and the NN searches."""
    set_theme()
    rows = table(config, *(read_table(inputs[name]) for name in ("gp_search", "nn_search", "nn_retrain")))
    atomic_write(outputs["csv"], lambda tmp: rows.to_csv(tmp, index=False))
    atomic_write(outputs["md"], lambda tmp: tmp.write_text(markdown(rows)))
    cells = [
        [
            r.dataset,
            r.activation,
            r.model.upper(),
            f"{r.ours_best}, {r.ours_detail}" if r.ours_detail else r.ours_best,
            _accuracy_cell(r),
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
        "ours: test acc. [95 %]",
        "paper: best",
        "paper: test acc.",
    ]
    fig, ax = plt.subplots(figsize=(13, 0.4 * len(cells) + 1.4))
    ax.axis("off")
    widths = [0.1, 0.08, 0.06, 0.21, 0.17, 0.17, 0.13]
    grid = ax.table(cellText=cells, colLabels=columns, colWidths=widths, loc="center", cellLoc="center")
    grid.auto_set_font_size(False)
    grid.set_fontsize(9.5)
    grid.scale(1, 1.5)
    split, info = config["split"], dataset_info(config)
    ax.set_title(
        f"Table 1 (Lee et al. 2018) on {info.title}: {split['validation']} validation and {split['test']} test "
        f"{info.unit}; models selected on validation accuracy"
    )
    fig.text(0.5, 0.01, f"{INTERVAL_NOTE}\n{TIE_NOTE}", ha="center", va="bottom", fontsize=8, wrap=True)
    save_figure(fig, outputs["png"])
