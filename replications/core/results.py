"""The one writer of a compute task's results tables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from replications.core.provenance import provenance, write_table


def write_results(
    path: str | os.PathLike, rows: pd.DataFrame | list[dict] | Mapping[str, Any], config: Mapping[str, Any]
) -> None:
    """Write `rows` (a table, a list of row dicts or a dict of columns) as a tidy CSV table, atomically, with the
    provenance of the task's `config` and its `config["seed"]`."""
    write_table(path, pd.DataFrame(rows), provenance(config, config["seed"]))
