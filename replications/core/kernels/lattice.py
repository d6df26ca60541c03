"""The lookup-table ("lattice") method of Lee et al. 2018 (Sec. 2.5 and their code, commit 00d64d2): tables of
the Gaussian expectations over (variance, correlation), built once and cached on disk, read by bilinear interpolation.
"""

from __future__ import annotations

import functools
import os
import sys
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from replications.core.kernels.layers import Kernel, Layer
from replications.core.kernels.moments import activation_rules, pair_norms, safe_divide
from replications.core.provenance import atomic_write, cache_root

_LATTICE_FORMAT = 1  # bump when the table's construction changes, so stale files are not reused
_LATTICE_BATCH = 64  # (variance, correlation) grid points evaluated at once while building a table


class LatticeGrid(NamedTuple):
    """The grids of a lookup table. Defaults: Lee et al. 2018's (Sec. 2.5; code `--n_gauss 501 --n_var 501
    --n_corr 500 --max_var 100 --max_gauss 10`, min_var 1e-8, max_corr 0.99999 from commit 00d64d2).

    u-grid: n_gauss (odd, so 0 is a node) equally spaced points on [-max_gauss, max_gauss];
    variance grid: linspace(min_var, max_var, n_var); correlation grid: n_corr points equally spaced on
    [-max_corr, max_corr].
    """

    n_gauss: int = 501
    max_gauss: float = 10.0
    n_var: int = 501
    min_var: float = 1e-8
    max_var: float = 100.0
    n_corr: int = 500
    max_corr: float = 0.99999

    def check(self) -> LatticeGrid:
        """Return self, or raise ValueError naming the bad field."""
        if self.n_gauss < 3 or self.n_gauss % 2 != 1:
            raise ValueError(f"n_gauss must be odd and >= 3 (0 on the u-grid), got {self.n_gauss}")
        if self.n_var < 2 or self.n_corr < 2:
            raise ValueError(f"n_var and n_corr must be >= 2, got {self.n_var}, {self.n_corr}")
        if not 0 < self.min_var < self.max_var:
            raise ValueError(f"need 0 < min_var < max_var, got {self.min_var}, {self.max_var}")
        if not 0 < self.max_corr < 1:
            raise ValueError(f"max_corr must lie in (0, 1), got {self.max_corr}")
        if self.max_gauss <= 0:
            raise ValueError(f"max_gauss must be > 0, got {self.max_gauss}")
        return self


PAPER_GRID = LatticeGrid()


class LatticeTable(NamedTuple):
    """A lookup table over (variance s, correlation c); every expectation is the discrete, renormalized sum

    E_s,c[g(u) h(v)] = sum_ab w_ab g(u_a) h(u_b),  w_ab = exp(-(u_a^2 + u_b^2 - 2 c u_a u_b) / (2 s (1 - c^2)))
                                                        / sum_ab exp(...)          (and w_a ~ exp(-u_a^2 / 2s)).
    var_V, corr_C: the grids. second_V: E_s[phi(u)^2]. phi_VxC: E_s,c[phi phi]. dphi_VxC: E_s,c[phi' phi'].
    """

    var_V: np.ndarray
    corr_C: np.ndarray
    second_V: np.ndarray
    phi_VxC: np.ndarray
    dphi_VxC: np.ndarray


def _lattice_grids(grid: LatticeGrid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """u-grid, variance grid, correlation grid. The u- and correlation grids are built exactly symmetric
    (c_k = -c_{n-1-k}), which np.linspace is only to the last bit; the table uses the symmetry."""
    half = (grid.n_gauss - 1) // 2
    u_G = grid.max_gauss * np.arange(-half, half + 1) / half
    var_V = np.linspace(grid.min_var, grid.max_var, grid.n_var)
    corr_C = grid.max_corr * (2 * np.arange(grid.n_corr) - (grid.n_corr - 1)) / (grid.n_corr - 1)
    return u_G, var_V, corr_C


def _orbit_sums(u_G: np.ndarray, factors_KxG: np.ndarray, mirrored_KxG: np.ndarray):
    """Fold the double sum over the u-grid onto orbits of the symmetry group of the Gaussian weights.

    w_ab is unchanged by (a, b) -> (b, a) and by (a, b) -> (-a, -b), so sum_ab w_ab F_ab = sum_r w_r F'_r over one
    representative r of each orbit, with F'_r the sum of F over the orbit: a quarter of the exponentials.
    Returns P_R = -(u_a^2 + u_b^2), Q_R = 2 u_a u_b at the representatives, and F'_KxR for F_k = f_k (x) g_k.
    """
    n = u_G.size
    a, b = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    codes = [a * n + b, b * n + a, (n - 1 - a) * n + (n - 1 - b), (n - 1 - b) * n + (n - 1 - a)]
    reps_R, orbit_of_GG = np.unique(np.minimum.reduce(codes).ravel(), return_inverse=True)
    ra, rb = np.divmod(reps_R, n)
    outer_KxGG = (factors_KxG[:, :, None] * mirrored_KxG[:, None, :]).reshape(len(factors_KxG), -1)
    folded_KxR = np.stack([np.bincount(orbit_of_GG, weights=f, minlength=reps_R.size) for f in outer_KxGG])
    return -(u_G[ra] ** 2 + u_G[rb] ** 2), 2 * u_G[ra] * u_G[rb], folded_KxR


@jax.jit
def _lattice_sums(var_S, corr_S, p_R, q_R, folded_KxR):
    """sum_r exp((P_r + c Q_r) / (2 s (1 - c^2))) F'_kr for each (s, c): the unnormalized table entries."""

    def one(sc):
        s, c = sc
        w_R = jnp.exp((p_R + c * q_R) / (2 * s * (1 - c * c)))
        return folded_KxR @ w_R

    return jax.lax.map(one, (var_S, corr_S), batch_size=_LATTICE_BATCH)


def _build_lattice_table(activation: str, grid: LatticeGrid) -> LatticeTable:
    """The table as Lee et al.'s code builds it (`_compute_qmap_grid`), over (var, |corr|) and mirrored.

    c -> -c is u_b -> -u_b: E_s,-c[g(u) h(v)] = sum_ab w_ab(s, c) g(u_a) h(-u_b), so one pass over c > 0
    gives both signs (the grid is symmetric).
    """
    act = activation_rules(activation)
    if act.dphi is None:
        raise ValueError(f"the lattice method needs a differentiable activation, not {activation!r}")
    u_G, var_V, corr_C = _lattice_grids(grid)
    with jax.enable_x64(True):
        phi_G, dphi_G = np.asarray(act.phi(jnp.asarray(u_G))), np.asarray(act.dphi(jnp.asarray(u_G)))
        log_w_VxG = -(u_G**2) / (2 * var_V[:, None])  # max 0, at u = 0: no overflow, sum >= 1
        w_VxG = np.exp(log_w_VxG)
        second_V = (w_VxG @ phi_G**2) / w_VxG.sum(axis=1)

        ones_G = np.ones_like(u_G)
        factors = np.stack([ones_G, phi_G, phi_G, dphi_G, dphi_G])
        mirrored = np.stack([ones_G, phi_G, phi_G[::-1], dphi_G, dphi_G[::-1]])
        p_R, q_R, folded_KxR = _orbit_sums(u_G, factors, mirrored)
        upper = np.arange(grid.n_corr // 2, grid.n_corr)  # c >= 0
        var_S = np.repeat(var_V, upper.size)
        corr_S = np.tile(corr_C[upper], var_V.size)
        sums_SxK = np.asarray(_lattice_sums(var_S, corr_S, p_R, q_R, folded_KxR))
    sums_VxUxK = sums_SxK.reshape(var_V.size, upper.size, -1)
    norm_VxU = sums_VxUxK[..., 0]
    phi_VxC = np.empty((var_V.size, corr_C.size))
    dphi_VxC = np.empty_like(phi_VxC)
    lower = corr_C.size - 1 - upper
    phi_VxC[:, upper], phi_VxC[:, lower] = sums_VxUxK[..., 1] / norm_VxU, sums_VxUxK[..., 2] / norm_VxU
    dphi_VxC[:, upper], dphi_VxC[:, lower] = sums_VxUxK[..., 3] / norm_VxU, sums_VxUxK[..., 4] / norm_VxU
    return LatticeTable(var_V, corr_C, second_V, phi_VxC, dphi_VxC)


def _lattice_file(activation: str, grid: LatticeGrid, cache_dir: str | os.PathLike | None) -> Path:
    name = (
        f"{activation}_ng{grid.n_gauss}_mg{grid.max_gauss:g}_nv{grid.n_var}_{grid.min_var:g}-{grid.max_var:g}"
        f"_nc{grid.n_corr}_mc{grid.max_corr:g}_v{_LATTICE_FORMAT}.npz"
    )
    return cache_root(cache_dir) / "lattice" / name


@functools.lru_cache(maxsize=16)
def _load_or_build(activation: str, grid: LatticeGrid, path: Path) -> LatticeTable:
    try:
        with np.load(path) as stored:
            return LatticeTable(**{field: stored[field] for field in LatticeTable._fields})
    except FileNotFoundError:
        pass
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile, zlib.error) as error:
        print(f"lattice table {path} is damaged ({error!r}): rebuilding it", file=sys.stderr, flush=True)
    table = _build_lattice_table(activation, grid)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, **table._asdict())

    atomic_write(path, write)
    return table


def lattice_table(
    activation: str, grid: LatticeGrid = PAPER_GRID, cache_dir: str | os.PathLike | None = None
) -> LatticeTable:
    """Lee et al.'s lookup table for `activation`, built once and cached on disk (written atomically).

    The file lives in <cache_dir>/lattice/, cache_dir defaulting to $REPLICATIONS_CACHE, else results/cache
    (relative to the working directory); its name holds the activation and every grid parameter. Building the
    paper's grid (501 x 500 entries, each a sum over 501^2 u-grid pairs) takes about 30 s on 2 cores.
    """
    activation_rules(activation)
    grid = grid.check()
    return _load_or_build(activation, grid, _lattice_file(activation, grid, cache_dir).resolve())


def _grid_cell(grid_G: jax.Array, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(i, t): x, clamped to the equally spaced grid's ends, lies in [g_i, g_i+1] at the fraction t."""
    position = (jnp.clip(x, grid_G[0], grid_G[-1]) - grid_G[0]) * (1 / (grid_G[1] - grid_G[0]))
    i = jnp.clip(jnp.floor(position), 0, grid_G.size - 2)
    return i.astype(jnp.int32), position - i


def _interpolate_1d(grid_V: jax.Array, values_V: jax.Array, x: jax.Array) -> jax.Array:
    """Linear interpolation, clamped to the grid's ends (Lee et al.'s interp_lin)."""
    i, t = _grid_cell(grid_V, x)
    return values_V[i] * (1 - t) + values_V[i + 1] * t


def _interpolate_2d(grid_V: jax.Array, grid_C: jax.Array, tables_VxC: tuple[jax.Array, ...], s, c) -> tuple:
    """Bilinear interpolation in (s, c) of each table, clamped to the grid's edges (Lee et al.'s interp_lin_2d)."""
    (i, t), (j, u) = _grid_cell(grid_V, s), _grid_cell(grid_C, c)
    corner = i * grid_C.size + j  # flat index of (i, j); (i + 1, j) is grid_C.size further
    out = []
    for table_VxC in tables_VxC:
        flat = table_VxC.ravel()
        low = flat[corner] * (1 - u) + flat[corner + 1] * u
        high = flat[corner + grid_C.size] * (1 - u) + flat[corner + grid_C.size + 1] * u
        out.append(low * (1 - t) + high * t)
    return tuple(out)


def lattice_nonlinearity(table: LatticeTable) -> Layer:
    """phi by table lookup, as Lee et al.'s `k_full` / `k_diag`:

    K(x,x) <- second(K(x,x)) (linear interpolation in the variance),
    K <- phi(s, c), Theta <- dphi(s, c) Theta (bilinear), s = sqrt(K(x,x) K(x',x')), c = K(x,x') / s.

    The paper's inputs all have the same variance (layer-normalized), so s = K(x,x) and c = K(x,x')/K(x,x),
    exactly its index; with unequal variances the equal-variance table is read at their geometric mean, an
    approximation for activations that are not positively homogeneous. Queries clamp to the grid's edges: a
    pair of identical inputs is read at c = max_corr, as in the original code.
    """
    var_V, corr_C = jnp.asarray(table.var_V), jnp.asarray(table.corr_C)
    second_V, phi_VxC, dphi_VxC = (jnp.asarray(a) for a in (table.second_V, table.phi_VxC, table.dphi_VxC))

    def apply(k: Kernel) -> Kernel:
        s_NxM = pair_norms(k.var1, k.var2)
        c_NxM = safe_divide(k.nngp, s_NxM)
        phi_NxM, dphi_NxM = _interpolate_2d(var_V, corr_C, (phi_VxC, dphi_VxC), s_NxM, c_NxM)
        return Kernel(
            nngp=phi_NxM,
            ntk=dphi_NxM * k.ntk,
            var1=_interpolate_1d(var_V, second_V, k.var1),
            var2=_interpolate_1d(var_V, second_V, k.var2),
        )

    return apply
