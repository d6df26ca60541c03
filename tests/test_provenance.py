"""Results files carry their provenance and are written atomically."""

import numpy as np
import pandas as pd
import pytest

from replications.core.provenance import (
    atomic_write,
    config_digest,
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
