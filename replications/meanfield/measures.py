"""The numbers the mean-field claims and figures are judged by, computed from the results tables."""

from __future__ import annotations

import pandas as pd

from replications.core.stats import mean_loglog_slope


def loss_slope(losses: pd.DataFrame, column: str = "train_loss") -> float:
    """Rotskoff & Vanden-Eijnden: log-log slope of the long-time loss against the number of units."""
    return mean_loglog_slope(losses, column, by="units")


def global_min_fraction(losses: pd.DataFrame, threshold: float = 1e-3) -> float:
    """Chizat & Bach: fraction of seeds in which the largest particle count ends with a training loss below
    `threshold` times its initial loss."""
    rows = losses[losses["particles"] == losses["particles"].max()]
    first = rows[rows["time"] == rows["time"].min()].set_index("seed")["loss"]
    last = rows[rows["time"] == rows["time"].max()].set_index("seed")["loss"]
    return float(((last / first) < threshold).mean())


def contrast_slopes(changes: pd.DataFrame) -> dict[str, float]:
    """Slopes against N of the per-unit movement under each scaling, and of the NTK change under the NTK scaling."""
    ntk, mf = changes[changes["scaling"] == "ntk"], changes[changes["scaling"] == "mean field"]
    return {
        "ntk": mean_loglog_slope(ntk, "unit_movement"),
        "mf": mean_loglog_slope(mf, "unit_movement"),
        "kernel_ntk": mean_loglog_slope(ntk, "kernel_change"),
    }
