"""NNGP and NTK of inputs that all have the same norm, for many hyperparameters and depths at once.

After Lee et al.'s per-example standardization every input has x.x/d = 1, so at every layer all the variances
K^l(x, x) are one number q_l and each pair's kernels depend on the pair only through the input correlation
rho = x.x'/d = cos(theta):

    K^l(x, x') = F_l(theta),    Theta^l(x, x') = G_l(theta).

`angular_kernels` evaluates F_l and G_l with the layer rules of `replications.core.kernels` (exact or lattice) on
a grid of angles theta in [0, pi], for a batch of (weight_var, bias_var) and every depth up to the largest asked,
in one compiled program; `kernel_from_angles` then gives any N x M kernel by interpolation in theta. For an
activation without closed forms (tanh) the exact method uses the Hermite series of `kernels.hermite`, which shares
one 1-D quadrature per layer among all the angles and carries the distance q_l - F_l(theta) = q_l (1 - rho), so a
collapsing kernel (1 - rho -> 0 in the ordered phase) keeps its relative precision through the layers. The grid is
in the angle, not in rho, because the kernels are smooth in theta at theta = 0 (identical inputs) where they have
a (1 - rho)^(3/2) singularity in rho (relu); linear interpolation on 4097 angles is within ~1e-7 of the direct
computation (tests/test_sphere.py). This turns a 30 x 30 x 50-layer phase diagram on thousands of inputs from
hours into seconds, with no change to the kernel computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from numpy.typing import ArrayLike

from replications.core.kernels import (
    PAPER_GRID,
    LatticeGrid,
    dense,
    input_kernel,
    lattice_nonlinearity,
    lattice_table,
    nonlinearity,
)
from replications.core.kernels.hermite import MAX_VARIANCE, equal_variance_layer
from replications.core.kernels.moments import activation_rules

ANGLES = 4097
_SETTINGS_PER_CHUNK = 64


class AngularKernels(NamedTuple):
    """F (nngp) and G (ntk) on the angle grid: arrays (settings, depths, angles); `var` = q_l, (settings, depths);
    `distance` = q_l - F_l (as computed: by the series, to its relative precision, for activations without closed
    forms under the exact method; else the difference)."""

    theta_A: np.ndarray
    depths: tuple[int, ...]
    nngp_SxLxA: np.ndarray
    ntk_SxLxA: np.ndarray
    var_SxL: np.ndarray
    distance_SxLxA: np.ndarray


def angular_kernels(
    activation: str,
    weight_var_S: ArrayLike,
    bias_var_S: ArrayLike,
    depths: Sequence[int],
    *,
    method: str = "exact",
    angles: int = ANGLES,
    lattice_grid: LatticeGrid = PAPER_GRID,
) -> AngularKernels:
    """The kernels of unit-variance inputs at angle theta, for each (weight_var_s, bias_var_s) and depth in `depths`.

    Inputs with x.x/d = 1 (d = 2 here: x = sqrt(2) (cos theta, sin theta)) pass through the same layer rules as
    `fc_kernel` (a dense layer, then `depth` times nonlinearity + dense), so F_depth(theta) equals
    `fc_kernel(x, x', depth=depth, ...)` for any unit-variance x, x' at angle theta (to ~1e-8 relative where the
    Hermite series replaces the general quadrature: tests/test_kernels_hermite.py). float64.
    """
    weight_var_S = np.atleast_1d(np.asarray(weight_var_S, np.float64))
    bias_var_S = np.atleast_1d(np.asarray(bias_var_S, np.float64))
    if weight_var_S.shape != bias_var_S.shape or np.any(weight_var_S < 0) or np.any(bias_var_S < 0):
        raise ValueError("weight_var_S and bias_var_S must be non-negative arrays of one shape")
    depths = tuple(sorted(set(int(d) for d in depths)))
    if not depths or depths[0] < 1:
        raise ValueError(f"depths must be >= 1, got {depths}")
    if method not in ("exact", "lattice"):
        raise ValueError(f"unknown method {method!r}; known: exact, lattice")
    theta_A = np.linspace(0.0, np.pi, angles)
    series = method == "exact" and activation_rules(activation).pair is None
    results = _compute(activation, weight_var_S, bias_var_S, depths, method, theta_A, lattice_grid, series)
    if series:  # settings whose variances leave the series' range: the general quadrature
        outside = np.flatnonzero(results[3] > MAX_VARIANCE)
        if outside.size:
            general = _compute(
                activation, weight_var_S[outside], bias_var_S[outside], depths, method, theta_A, lattice_grid, False
            )
            for array, replacement in zip(results, general, strict=True):
                array[outside] = replacement
    nngp, ntk, var, _, distance = results
    return AngularKernels(theta_A, depths, nngp, ntk, var, distance)


def _compute(
    activation: str,
    weight_var_S: np.ndarray,
    bias_var_S: np.ndarray,
    depths: tuple[int, ...],
    method: str,
    theta_A: np.ndarray,
    lattice_grid: LatticeGrid,
    series: bool,
) -> list[np.ndarray]:
    """[nngp_SxLxA, ntk_SxLxA, var_SxL, max_var_S (over all layers), distance_SxLxA], in chunks of settings."""
    phi = (
        lattice_nonlinearity(lattice_table(activation, lattice_grid))
        if method == "lattice"
        else nonlinearity(activation)
    )
    chunks = []
    with jax.enable_x64(True):
        x1 = jnp.array([[np.sqrt(2.0), 0.0]])
        x2 = jnp.sqrt(2.0) * jnp.stack([jnp.cos(theta_A), jnp.sin(theta_A)], axis=1)
        k0 = input_kernel(x1, x2)
        half_angle_sin_A = jnp.sin(jnp.asarray(theta_A) / 2)
        take = jnp.asarray([d - 1 for d in depths])

        def one_setting(weight_var: jax.Array, bias_var: jax.Array) -> tuple[jax.Array, ...]:
            layer = dense(weight_var, bias_var)

            def step(k, _):
                k = layer(phi(k))
                return k, (k.nngp[0], k.ntk[0], k.var1[0], k.var1[0] - k.nngp[0])

            _, (nngp_LxA, ntk_LxA, var_L, distance_LxA) = jax.lax.scan(step, layer(k0), None, length=depths[-1])
            return nngp_LxA[take], ntk_LxA[take], var_L[take], jnp.max(var_L), distance_LxA[take]

        def one_setting_series(weight_var: jax.Array, bias_var: jax.Array) -> tuple[jax.Array, ...]:
            series_phi = equal_variance_layer(activation)

            def step(carry, _):
                var, distance_A, ntk_A = carry
                second, distance_phi_A, dphi_ntk_A = series_phi(var, distance_A, ntk_A)
                var, distance_A = bias_var + weight_var * second, weight_var * distance_phi_A
                nngp_A = var - distance_A
                ntk_A = nngp_A + weight_var * dphi_ntk_A
                return (var, distance_A, ntk_A), (nngp_A, ntk_A, var, distance_A)

            var0 = bias_var + weight_var  # x.x/d = 1
            distance0_A = 2 * weight_var * half_angle_sin_A**2  # weight_var (1 - cos theta), without cancellation
            carry = (var0, distance0_A, var0 - distance0_A)
            _, (nngp_LxA, ntk_LxA, var_L, distance_LxA) = jax.lax.scan(step, carry, None, length=depths[-1])
            max_var = jnp.maximum(var0, jnp.max(var_L))
            return nngp_LxA[take], ntk_LxA[take], var_L[take], max_var, distance_LxA[take]

        batched = jax.jit(jax.vmap(one_setting_series if series else one_setting))
        for start in range(0, len(weight_var_S), _SETTINGS_PER_CHUNK):
            part = slice(start, start + _SETTINGS_PER_CHUNK)
            chunks.append([np.asarray(a) for a in batched(weight_var_S[part], bias_var_S[part])])
    return [np.concatenate([c[i] for c in chunks]) for i in range(5)]


def input_angles(x1_NxD: ArrayLike, x2_MxD: ArrayLike | None = None) -> np.ndarray:
    """theta_ij = arccos(x1_i.x2_j / d) for inputs standardized to x.x/d = 1 (checked to 1e-6)."""
    x1 = np.asarray(x1_NxD, np.float64)
    x2 = x1 if x2_MxD is None else np.asarray(x2_MxD, np.float64)
    d = x1.shape[1]
    for x in (x1, x2):
        norms = np.sum(x * x, axis=1) / d
        if not np.allclose(norms, 1.0, atol=1e-6):
            raise ValueError(f"inputs must have x.x/d = 1 (per-example standardized); got {norms.min()}..{norms.max()}")
    return np.arccos(np.clip(x1 @ x2.T / d, -1.0, 1.0))


class AngleInterpolation(NamedTuple):
    """Where each pair's angle falls on the uniform angle grid: cell index and fraction, computed once and reused
    for every (hyperparameter, depth) read off the same inputs."""

    cell_NxM: np.ndarray
    fraction_NxM: np.ndarray


def angle_interpolation(theta_NxM: np.ndarray, angles: int) -> AngleInterpolation:
    """Cells and fractions of the angles on linspace(0, pi, angles)."""
    position = np.clip(theta_NxM, 0.0, np.pi) * ((angles - 1) / np.pi)
    cell = np.minimum(position.astype(np.int32), angles - 2)
    return AngleInterpolation(cell, position - cell)


def kernel_from_angles(interpolation: AngleInterpolation, values_A: np.ndarray) -> np.ndarray:
    """A kernel matrix from its values on the angle grid, by linear interpolation in theta."""
    left = values_A[interpolation.cell_NxM]
    return left + interpolation.fraction_NxM * (values_A[interpolation.cell_NxM + 1] - left)
