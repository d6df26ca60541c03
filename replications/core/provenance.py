"""Provenance stored with every results file, and atomic writes.

Each results file records the package versions, the seed and the configuration it came from, so a table in
results/ can be traced to the exact run that made it. No timestamp is stored: the same config and seed on the
same machine give byte-identical files (Snakemake's logs and benchmarks keep the times).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_PACKAGES = ("replications", "jax", "jaxlib", "numpy", "scipy", "flax", "optax")
PROVENANCE_PREFIX = "# provenance: "


def config_digest(config: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a config mapping (sorted keys)."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def provenance(config: Mapping[str, Any], seed: int | None) -> dict[str, Any]:
    """Versions, platform, seed and config (with its digest) of one compute task."""
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "versions": versions,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "seed": seed,
        "config": dict(config),
        "config_sha256": config_digest(config),
    }


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> None:
    """Call `write(tmp_path)` on a temporary file beside `path`, then rename it onto `path`.

    A crash leaves either the old file or none, never a half-written one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(path: str | os.PathLike, table: pd.DataFrame, prov: Mapping[str, Any]) -> None:
    """Write a tidy table as CSV whose first line is `# provenance: {json}`."""

    def write(tmp: Path) -> None:
        with open(tmp, "w") as f:
            f.write(PROVENANCE_PREFIX + json.dumps(prov, sort_keys=True) + "\n")
            table.to_csv(f, index=False)

    atomic_write(path, write)


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a table written by `write_table`; its provenance is in `.attrs["provenance"]`."""
    with open(path) as f:
        first = f.readline()
        table = pd.read_csv(f)
    if first.startswith(PROVENANCE_PREFIX):
        table.attrs["provenance"] = json.loads(first[len(PROVENANCE_PREFIX) :])
    return table


def write_arrays(path: str | os.PathLike, arrays: Mapping[str, np.ndarray], prov: Mapping[str, Any]) -> None:
    """Write named arrays as .npz with the provenance JSON under the key `provenance`."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, provenance=np.array(json.dumps(prov, sort_keys=True)), **arrays)

    atomic_write(path, write)


def read_arrays(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read an .npz written by `write_arrays`: (arrays, provenance)."""
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files if k != "provenance"}
        prov = json.loads(str(npz["provenance"])) if "provenance" in npz.files else {}
    return arrays, prov
