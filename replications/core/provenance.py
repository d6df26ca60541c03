"""Provenance stored with every results file, and atomic writes.

Each results file records the package versions, the seed and the configuration it came from, and the code: the
git commit, whether the package's sources differed from it, and the SHA-256 of the sources the task ran (its
group's package and core: `code_digest`, the same digest the rule's params carry, so editing them reruns the job).
A table in results/ can so be traced to the exact run that made it. No timestamp is stored: the same code, config
and seed on the same machine give byte-identical files (Snakemake's logs and benchmarks keep the times).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_PACKAGES = ("replications", "jax", "jaxlib", "numpy", "scipy", "flax", "optax")
PROVENANCE_PREFIX = "# provenance: "
PACKAGE_DIR = Path(__file__).resolve().parents[1]
# The group whose task runs in this process (set by `python -m replications GROUP ...`): its code is recorded.
GROUP_ENV = "REPLICATIONS_GROUP"


def code_digest(group: str | None = None, package_dir: str | os.PathLike = PACKAGE_DIR) -> str:
    """SHA-256 over the path and bytes of every .py file under `core/` and the group's package (every package
    when `group` is None): the code a group's tasks run. Caches, data and docs do not count."""
    package_dir = Path(package_dir)
    folders = [package_dir / "core"] + ([package_dir / group] if group else [package_dir])
    files = sorted({path for folder in folders for path in folder.rglob("*.py") if "__pycache__" not in path.parts})
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def git_state(package_dir: str | os.PathLike = PACKAGE_DIR) -> dict[str, Any]:
    """The commit checked out where the package lives, and whether its sources (the package, the workflow) have
    uncommitted changes; both None outside a git work tree or without git. Files the pipeline writes (results/,
    figures/) do not count, so every job of one run records the same state."""
    root = Path(package_dir).parent

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--", "replications", "workflows", "Snakefile")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


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
        "code": {**git_state(), "sha256": code_digest(os.environ.get(GROUP_ENV) or None)},
    }


CACHE_ENV = "REPLICATIONS_CACHE"  # root of the on-disk caches (lattice tables, corpus counts)
DEFAULT_CACHE = Path("results") / "cache"


def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    """The folder of the on-disk caches: `cache_dir` where given, else $REPLICATIONS_CACHE, else results/cache
    (relative to the working directory). Every cache under it is keyed by what it was computed from and validated
    on load (a damaged file is rebuilt, with a message)."""
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(os.environ.get(CACHE_ENV, DEFAULT_CACHE))


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> None:
    """Call `write(tmp_path)` on a temporary file beside `path`, then rename it onto `path`: the one way every
    results, figure, table and cache file of the archive is written.

    A crash leaves either the old file or none, never a half-written one. The file gets the mode a plain `open`
    would give it (0666 less the user's umask: 0644 by default), not mkstemp's private 0600, so collaborators on a
    shared file system can read the results.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (read by setting it, then restoring it at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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
