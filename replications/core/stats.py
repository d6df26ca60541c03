"""Small statistics shared by the groups' claims and figures."""

from __future__ import annotations

import numpy as np
import pandas as pd


def loglog_slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of log y against log x (a power law y ~ x^slope). NaN if any y <= 0."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if len(x) < 2 or np.any(y <= 0) or np.any(x <= 0):
        return float("nan")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def mean_loglog_slope(table: pd.DataFrame, column: str, by: str = "width") -> float:
    """`loglog_slope` of `column` averaged over the rows of each value of `by` (seeds, initializations)."""
    means = table.groupby(by)[column].mean()
    return loglog_slope(means.index.to_numpy(), means.to_numpy())


def relative_frobenius_error(estimate: np.ndarray, reference: np.ndarray) -> float:
    """||estimate - reference||_F / ||reference||_F."""
    return float(np.linalg.norm(estimate - reference) / np.linalg.norm(reference))
