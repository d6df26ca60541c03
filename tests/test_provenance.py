"""Results files carry their provenance (code included) and are written atomically with the user's umask."""

import os
import stat
import subprocess

import numpy as np
import pandas as pd
import pytest

from replications.core.provenance import (
    GROUP_ENV,
    atomic_write,
    code_digest,
    config_digest,
    git_state,
    provenance,
    read_arrays,
    read_table,
    write_arrays,
    write_table,
)


def test_table_round_trip_with_provenance(tmp_path):
    prov = provenance({"draws": 10, "activation": "tanh"}, seed=3)
    table = pd.DataFrame({"width": [1, 2], "value": [0.5, 0.25]})
    write_table(tmp_path / "t.csv", table, prov)
    back = read_table(tmp_path / "t.csv")
    pd.testing.assert_frame_equal(back, table)
    assert back.attrs["provenance"]["seed"] == 3
    assert back.attrs["provenance"]["config"] == {"draws": 10, "activation": "tanh"}
    assert back.attrs["provenance"]["versions"]["jax"]


def test_arrays_round_trip_with_provenance(tmp_path):
    prov = provenance({"a": 1}, seed=None)
    write_arrays(tmp_path / "a.npz", {"x": np.arange(3)}, prov)
    arrays, back = read_arrays(tmp_path / "a.npz")
    np.testing.assert_array_equal(arrays["x"], np.arange(3))
    assert back["config_sha256"] == config_digest({"a": 1})


def test_config_digest_ignores_key_order():
    assert config_digest({"a": 1, "b": [1, 2]}) == config_digest({"b": [1, 2], "a": 1})
    assert config_digest({"a": 1}) != config_digest({"a": 2})


def test_failed_write_leaves_nothing_half_written(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def crash(tmp):
        tmp.write_text("half")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        atomic_write(target, crash)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_atomic_write_honours_the_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        atomic_write(tmp_path / "t.txt", lambda tmp: tmp.write_text("x"))
        write_table(tmp_path / "t.csv", pd.DataFrame({"a": [1]}), provenance({}, seed=None))
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "t.txt").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "t.csv").stat().st_mode) == mode


def test_code_digest_follows_the_sources(tmp_path):
    for name in ("core/a.py", "neal/b.py", "ntk/c.py", "core/data.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    neal, ntk = code_digest("neal", tmp_path), code_digest("ntk", tmp_path)
    assert neal != ntk
    (tmp_path / "ntk/c.py").write_text("x = 2\n")
    assert code_digest("neal", tmp_path) == neal and code_digest("ntk", tmp_path) != ntk
    (tmp_path / "core/data.txt").write_text("not code")
    assert code_digest("neal", tmp_path) == neal
    (tmp_path / "core/a.py").write_text("x = 3\n")
    assert code_digest("neal", tmp_path) != neal


def test_provenance_records_the_commit_and_the_code(tmp_path, monkeypatch):
    monkeypatch.setenv(GROUP_ENV, "neal")
    code = provenance({}, seed=None)["code"]
    assert code["sha256"] == code_digest("neal")
    assert set(code) == {"commit", "dirty", "sha256"}
    package = tmp_path / "replications"
    package.mkdir()
    (package / "x.py").write_text("x = 1\n")
    assert git_state(package) == {"commit": None, "dirty": None}  # not a git work tree
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert git_state(package) == {"commit": head, "dirty": False}
    (tmp_path / "results").mkdir()
    (tmp_path / "results/out.csv").write_text("written by a job")  # outputs do not make the sources dirty
    assert git_state(package)["dirty"] is False
    (package / "x.py").write_text("x = 2\n")
    assert git_state(package) == {"commit": head, "dirty": True}
