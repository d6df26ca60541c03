"""Caches are validated on load: a damaged MNIST-1D cache or lattice table is rebuilt with a message naming the
file; a damaged MNIST-1D rule output is an error naming the file and the fix."""

import numpy as np
import pytest

from replications.core.data import load_mnist1d
from replications.core.kernels import LatticeGrid, lattice_table


def test_damaged_mnist1d_cache_is_rebuilt(tmp_path, capsys):
    first = load_mnist1d(100, seed=3, cache_dir=tmp_path)
    path = tmp_path / "mnist1d_n100_seed3.npz"
    path.write_bytes(path.read_bytes()[:200])  # truncated
    again = load_mnist1d(100, seed=3, cache_dir=tmp_path)
    np.testing.assert_array_equal(first.x_NxD, again.x_NxD)
    assert f"MNIST-1D cache {path} is damaged" in capsys.readouterr().err


def test_damaged_lattice_table_is_rebuilt(tmp_path, capsys):
    grid = LatticeGrid(n_gauss=11, n_var=5, n_corr=4)
    table = lattice_table("relu", grid, cache_dir=tmp_path)
    (path,) = (tmp_path / "lattice").glob("*.npz")
    path.write_bytes(b"PK\x03\x04 not a zip")
    from replications.core.kernels import lattice

    lattice._load_or_build.cache_clear()  # the in-process cache would hide the file
    again = lattice_table("relu", grid, cache_dir=tmp_path)
    np.testing.assert_array_equal(table.phi_VxC, again.phi_VxC)
    assert f"lattice table {path} is damaged" in capsys.readouterr().err


def test_damaged_mnist1d_rule_output_names_the_file(tmp_path):
    from replications.mup.datasets import mnist1d_train

    path = tmp_path / "mnist1d_n100_seed3.npz"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match=f"MNIST-1D file {path} is damaged .*delete it and rerun"):
        mnist1d_train(path)
