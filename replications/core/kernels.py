"""Infinite-width kernels of fully connected networks: the NNGP kernel K and the neural tangent kernel Theta.

Network (NTK parametrization, every parameter omega ~ N(0, 1)): `depth` hidden layers of width n -> infinity, then a
linear readout,

    h^1 = sigma_w W^0 x / sqrt(d) + sigma_b b^0,    h^{l+1} = sigma_w W^l phi(h^l) / sqrt(n) + sigma_b b^l,
    f(x) = h^{depth+1}(x),    weight_var = sigma_w^2,  bias_var = sigma_b^2.

Kernels (Lee et al. 2018 Eq. 4-6; Jacot et al. 2018 Thm 1). Inputs are used as given:

    K^0(x, x') = bias_var + weight_var x.x' / d,    Theta^0 = K^0,
    K^{l+1}     = bias_var + weight_var E[phi(u) phi(v)],
    Theta^{l+1} = K^{l+1} + weight_var E[phi'(u) phi'(v)] Theta^l,
    (u, v) ~ N(0, [[K^l(x, x), K^l(x, x')], [K^l(x, x'), K^l(x', x')]]),

and `fc_kernel` returns (K^depth, Theta^depth), the kernels of the readout f. As in neural-tangents, every layer is a
pure function `Kernel -> Kernel` (`dense`, `nonlinearity`, `lattice_nonlinearity`), and a network is their
composition (`serial`, `repeat`, `fully_connected`). A `Kernel` carries, beside the pair kernels of its N x M tile,
the variances K(x, x) of its own rows and columns, so a tile is computed without the rest of the matrix.

The single-layer expectations `activation_moments` (pairs) and `activation_second_moment` (one input) are

    relu  (arc-cosine, Cho & Saul 2009), cos(t) = rho = K12 / sqrt(K11 K22):
          E[phi phi] = sqrt(K11 K22) (sin t + (pi - t) cos t) / (2 pi),   E[phi' phi'] = (pi - t) / (2 pi),
    erf   (arcsine, Williams 1997):
          E[phi phi] = (2/pi) arcsin(2 K12 / sqrt((1 + 2 K11)(1 + 2 K22))),
          E[phi' phi'] = (4/pi) / sqrt((1 + 2 K11)(1 + 2 K22) - 4 K12^2),
    step  (phi = sign, values -1/+1): E[phi phi] = (2/pi) arcsin(rho),  E[phi' phi'] = 4 p(0, 0)
          = 2 / (pi sqrt(K11 K22 - K12^2)) (infinite at rho = +-1),

and for every other activation (tanh, sigmoid, softplus, gelu) a quadrature that stays accurate at any variance:
phi = b + r with b a function of closed-form Gaussian expectations (erf-shaped or relu-shaped, matching phi's
asymptotes) and r a residual confined to |w| <= window, so E[phi(u) phi(v)] = E[b b] (closed form)
+ E[b(u) r(v)] + E[r(u) b(v)] (1-D integrals, the conditional mean of b in closed form) + E[r(u) r(v)] (iterated
integral over u = sqrt(K11) t1 and v | u), with composite Gauss-Legendre rules graded towards the features at 0.
(A plain 2-D Gauss-Hermite rule in z = u / sqrt(K11) loses its accuracy as K11 grows: phi(sqrt(K11) z) then
changes within 1/sqrt(K11) of z = 0; with 48^2 nodes its error on tanh is 1e-3 at K11 = 5 and 4e-2 at 400.)

`method="lattice"` is the lookup-table method of Lee et al. 2018 (Sec. 2.5 and their code, commit 00d64d2), see
`lattice_table` and `lattice_nonlinearity`.

Cost: `fc_kernel` computes the N x M matrix in tiles (one compiled program per tile shape, the tiles shared out
among the CPU cores; for x2 = None only the upper triangle) and loops over the layers (one compilation for every
depth); a relu or erf NNGP + NTK of 3000 x 3000 inputs through 10 layers takes under a second on 2 cores
(tests/benchmarks/bench_kernels.py).

Precision: every public function computes in float64 inside a `jax.enable_x64(True)` context and returns float64
numpy arrays. The context is scoped to these calls, so the rest of a program (nets trained in float32) is left as it
is. The layer rules themselves (`dense`, `nonlinearity`, ...) compute in the precision of their inputs.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import sys
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from replications.core.provenance import atomic_write

METHODS = ("exact", "lattice")
BLOCK_SIZE = 512  # rows (and columns) per tile: 256k pairs, 2 MB per array
QUADRATURE_BLOCK_SIZE = 128  # quadrature holds 192 inner nodes per pair at once: 25 MB per array at 128^2
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
CACHE_ENV = "REPLICATIONS_CACHE"  # root of the on-disk caches; lattice tables go to <root>/lattice
DEFAULT_CACHE = Path("results") / "cache"
_LATTICE_FORMAT = 1  # bump when the table's construction changes, so stale files are not reused
_LATTICE_BATCH = 64  # (variance, correlation) grid points evaluated at once while building a table


class Kernel(NamedTuple):
    """The NNGP and NTK of one tile of inputs x1 (N rows) against x2 (M columns).

    nngp: K(x1_i, x2_j), shape (N, M).       ntk: Theta(x1_i, x2_j), shape (N, M).
    var1: K(x1_i, x1_i), shape (N,).        var2: K(x2_j, x2_j), shape (M,).
    """

    nngp: jax.Array
    ntk: jax.Array
    var1: jax.Array
    var2: jax.Array


Layer = Callable[[Kernel], Kernel]
PairMoments = Callable[[jax.Array, jax.Array, jax.Array], tuple[jax.Array, jax.Array]]


# --------------------------------------------------------------------------------------------------------------
# Activations and their Gaussian expectations
# --------------------------------------------------------------------------------------------------------------


def _safe_divide(a: jax.Array, b: jax.Array) -> jax.Array:
    """a / b, and 0 where b == 0 (a zero-variance input has correlation 0 with everything)."""
    return a / jnp.where(b > 0, b, 1.0)


# XLA's float64 arcsin / arccos on CPU are scalar code (~15 ns per element, most of a relu layer's time); these are
# plain arithmetic that XLA vectorizes (~3 ns), and agree with numpy's to 1 ulp. For r <= 1/2:
#     arcsin(r) = r + r^3 sum_{k>=1} c_k r^(2k-2),   c_k = binom(2k, k) / (4^k (2k + 1))   (26 terms: < 1e-17),
# and for |x| > 1/2, arcsin(|x|) = pi/2 - 2 arcsin(sqrt((1 - |x|)/2)) and arccos(|x|) = 2 arcsin(sqrt((1 - |x|)/2)).
_ARCSIN_SERIES = tuple(math.comb(2 * k, k) / 4**k / (2 * k + 1) for k in range(1, 27))


def _arcsin_reduced(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(arcsin(r), |x| <= 1/2) with r = |x| if |x| <= 1/2, else r = sqrt((1 - |x|) / 2)."""
    a = jnp.abs(x)
    small = a <= 0.5
    r2 = jnp.where(small, a * a, (1 - a) / 2)
    r = jnp.where(small, a, jnp.sqrt(r2))
    series = _ARCSIN_SERIES[-1]
    for c in _ARCSIN_SERIES[-2::-1]:
        series = series * r2 + c
    return r + r * r2 * series, small


def _arcsin(x: jax.Array) -> jax.Array:
    """arcsin on [-1, 1]."""
    s, small = _arcsin_reduced(x)
    return jnp.sign(x) * jnp.where(small, s, jnp.pi / 2 - 2 * s)


def _arccos(x: jax.Array) -> jax.Array:
    """arccos on [-1, 1]."""
    s, small = _arcsin_reduced(x)
    return jnp.where(small, jnp.pi / 2 - jnp.sign(x) * s, jnp.where(x > 0, 2 * s, jnp.pi - 2 * s))


def _arc_cosine(norm: jax.Array, cos: jax.Array) -> tuple[jax.Array, jax.Array]:
    """relu's (E[phi phi], E[phi' phi']) from norm = sqrt(K11 K22) and cos = rho (Cho & Saul 2009)."""
    cos = jnp.clip(cos, -1.0, 1.0)
    angle = _arccos(cos)
    sin = jnp.sqrt(1.0 - cos * cos)
    return norm * (sin + (jnp.pi - angle) * cos) / (2 * jnp.pi), (jnp.pi - angle) / (2 * jnp.pi)


def _norms(var1_N: jax.Array, var2_M: jax.Array) -> jax.Array:
    """sqrt(K11 K22) for every pair. One square root of the product, not a product of roots: sqrt(v * v) == v
    exactly, so an input's correlation with itself is exactly 1 (where arccos and arcsin have infinite slope)."""
    return jnp.sqrt(var1_N[:, None] * var2_M[None, :])


def _relu_pair(var1_N: jax.Array, cov_NxM: jax.Array, var2_M: jax.Array) -> tuple[jax.Array, jax.Array]:
    norm_NxM = _norms(var1_N, var2_M)
    return _arc_cosine(norm_NxM, _safe_divide(cov_NxM, norm_NxM))


def _erf_pair(var1_N: jax.Array, cov_NxM: jax.Array, var2_M: jax.Array) -> tuple[jax.Array, jax.Array]:
    scale1_N, scale2_M = 1.0 + 2.0 * var1_N, 1.0 + 2.0 * var2_M
    inv_norm_NxM = jax.lax.rsqrt(scale1_N)[:, None] * jax.lax.rsqrt(scale2_M)[None, :]
    phi_NxM = (2 / jnp.pi) * _arcsin(jnp.clip(2.0 * cov_NxM * inv_norm_NxM, -1.0, 1.0))
    det_NxM = scale1_N[:, None] * scale2_M[None, :] - 4.0 * cov_NxM * cov_NxM
    return phi_NxM, (4 / jnp.pi) * jax.lax.rsqrt(det_NxM)


def _step_pair(var1_N: jax.Array, cov_NxM: jax.Array, var2_M: jax.Array) -> tuple[jax.Array, jax.Array]:
    norm_NxM = _norms(var1_N, var2_M)
    rho_NxM = jnp.clip(_safe_divide(cov_NxM, norm_NxM), -1.0, 1.0)
    det_NxM = jnp.maximum(norm_NxM * norm_NxM - cov_NxM * cov_NxM, 0.0)
    return _arcsin(rho_NxM) / (jnp.pi / 2), (2 / jnp.pi) / jnp.sqrt(det_NxM)


def _gelu(z: jax.Array) -> jax.Array:
    return jax.nn.gelu(z, approximate=False)


def _gelu_derivative(z: jax.Array) -> jax.Array:
    return jax.scipy.stats.norm.cdf(z) + z * jax.scipy.stats.norm.pdf(z)


def _sigmoid_derivative(z: jax.Array) -> jax.Array:
    s = jax.nn.sigmoid(z)
    return s * (1.0 - s)


def _relu_derivative(z: jax.Array) -> jax.Array:
    # phi'(0) = 1/2: the value that keeps a Riemann sum over a grid through 0 unbiased (lattice tables).
    return jnp.where(z > 0, 1.0, jnp.where(z < 0, 0.0, 0.5))


class _Base(NamedTuple):
    """A function with closed-form Gaussian expectations: 0 ("zero"), offset + scale erf(rate w) ("erf"), or
    scale relu(w) ("relu")."""

    kind: str
    offset: float = 0.0
    scale: float = 1.0
    rate: float = 1.0

    def __call__(self, w: jax.Array) -> jax.Array:
        if self.kind == "zero":
            return jnp.zeros_like(w)
        if self.kind == "erf":
            return self.offset + self.scale * jax.scipy.special.erf(self.rate * w)
        return self.scale * jax.nn.relu(w)


class _Quadrature(NamedTuple):
    """phi = phi_base + residual and phi' = dphi_base + residual', each residual negligible (< 1e-17) outside
    |w| <= window and of definite parity (even or odd)."""

    phi_base: _Base
    dphi_base: _Base
    window: float


class _Activation(NamedTuple):
    phi: Callable[[jax.Array], jax.Array]
    dphi: Callable[[jax.Array], jax.Array] | None  # None: phi' is not a function (a step's is a delta)
    pair: PairMoments | None  # closed form of (E[phi phi], E[phi' phi']), else quadrature
    second: Callable[[jax.Array], jax.Array] | None  # closed form of E[phi(u)^2], u ~ N(0, var), else quadrature
    quadrature: _Quadrature | None


_SQRT_PI = math.sqrt(math.pi)
_ACTIVATIONS: dict[str, _Activation] = {
    "relu": _Activation(
        jax.nn.relu,
        _relu_derivative,
        _relu_pair,
        lambda var: var / 2,
        _Quadrature(_Base("relu"), _Base("erf", 0.5, 0.5), 6.5),
    ),
    "erf": _Activation(
        jax.scipy.special.erf,
        lambda z: (2 / _SQRT_PI) * jnp.exp(-z * z),
        _erf_pair,
        lambda var: (2 / jnp.pi) * _arcsin(2 * var / (1 + 2 * var)),
        # The base erf(2w) differs from phi, so a forced quadrature is a real check of the closed form.
        _Quadrature(_Base("erf", rate=2.0), _Base("zero"), 6.5),
    ),
    "step": _Activation(lambda z: jnp.where(z >= 0, 1.0, -1.0), None, _step_pair, jnp.ones_like, None),
    "tanh": _Activation(
        jnp.tanh,
        lambda z: 1.0 - jnp.tanh(z) ** 2,
        None,
        None,
        _Quadrature(_Base("erf", rate=_SQRT_PI / 2), _Base("zero"), 20.0),
    ),
    "sigmoid": _Activation(
        jax.nn.sigmoid,
        _sigmoid_derivative,
        None,
        None,
        _Quadrature(_Base("erf", 0.5, 0.5, _SQRT_PI / 4), _Base("zero"), 40.0),
    ),
    "softplus": _Activation(
        jax.nn.softplus,
        jax.nn.sigmoid,
        None,
        None,
        _Quadrature(_Base("relu"), _Base("erf", 0.5, 0.5, _SQRT_PI / 4), 40.0),
    ),
    "gelu": _Activation(
        _gelu,
        _gelu_derivative,
        None,
        None,
        _Quadrature(_Base("relu"), _Base("erf", 0.5, 0.5, 1 / math.sqrt(2)), 9.5),
    ),
}
ACTIVATIONS = tuple(sorted(_ACTIVATIONS))


def _activation(name: str) -> _Activation:
    if name not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}")
    return _ACTIVATIONS[name]


# Quadrature. A Gauss-Hermite rule in z = u / sqrt(K11) fails for large variances: phi(sqrt(K11) z) then has
# features of width 1/sqrt(K11) at z = 0 (relative errors 1e-3 at K11 = 5, 4e-2 at K11 = 400 with 48^2 nodes).
# Instead phi = base + residual; the base's expectations are closed forms, and the residual, confined to
# |w| <= window around 0, is integrated by composite Gauss-Legendre rules whose panels are graded towards the
# points where the integrand has its features. Relative error <~ 1e-10 over variances 1e-2 .. 4e2 (tests).
_TRUNCATION = 8.5  # |t| of a standard normal beyond which its mass (2e-17) is dropped


def _gauss_legendre(edges: np.ndarray, nodes: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre rule on [0, 1] with panels between `edges`: fractions f_q and weights w_q."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    lo, hi = edges[:-1, None], edges[1:, None]
    return ((lo + hi) / 2 + (hi - lo) / 2 * x).ravel(), ((hi - lo) / 2 * w).ravel()


def _graded_edges(levels: int, uniform: int, both_ends: bool) -> np.ndarray:
    geometric = 2.0 ** -np.arange(levels, 0, -1)
    ends = [geometric, 1 - geometric] if both_ends else [geometric]
    return np.unique(np.concatenate([[0.0, 1.0], np.linspace(0, 1, uniform + 1), *ends]))


_OUTER_RULE = _gauss_legendre(_graded_edges(6, 4, both_ends=False))  # 11 panels, 88 nodes
_INNER_RULE = _gauss_legendre(_graded_edges(4, 2, both_ends=True))  # 8 panels, 64 nodes
_CROSS_RULE = _gauss_legendre(_graded_edges(24, 4, both_ends=False))  # 27 panels, 216 nodes


def _std_normal_pdf(t: jax.Array) -> jax.Array:
    return jnp.exp(-0.5 * t * t) / math.sqrt(2 * math.pi)


def _positive(x: jax.Array) -> jax.Array:
    return jnp.where(x > 0, x, 1e-300)


def _base_pair(base: _Base, sd1: jax.Array, sd2: jax.Array, rho: jax.Array) -> jax.Array:
    """E[b(u) b(v)], (u, v) with standard deviations sd1, sd2 and correlation rho."""
    if base.kind == "zero":
        return jnp.zeros_like(rho)
    if base.kind == "erf":
        a2 = base.rate**2
        sin = 2 * a2 * rho * sd1 * sd2 / jnp.sqrt((1 + 2 * a2 * sd1 * sd1) * (1 + 2 * a2 * sd2 * sd2))
        return base.offset**2 + base.scale**2 * (2 / jnp.pi) * _arcsin(jnp.clip(sin, -1.0, 1.0))
    return base.scale**2 * _arc_cosine(sd1 * sd2, rho)[0]


def _base_mean(base: _Base, mean: jax.Array, sd: jax.Array) -> jax.Array:
    """E[b(w)], w ~ N(mean, sd^2)."""
    if base.kind == "zero":
        return jnp.zeros_like(mean)
    if base.kind == "erf":
        return base.offset + base.scale * jax.scipy.special.erf(
            base.rate * mean / jnp.sqrt(1 + 2 * (base.rate * sd) ** 2)
        )
    x = mean / _positive(sd)
    return base.scale * (mean * jax.scipy.stats.norm.cdf(x) + sd * _std_normal_pdf(x))


def _cross_pair(splits, window: float, sd1, sd2, rho) -> tuple[jax.Array, ...]:
    """E[b(u) r(v)] + E[r(u) b(v)] for each split (b, r), in one loop over the nodes.

    E[b(u) r(v)] = E_v[r(v) E[b(u) | v]]: a 1-D integral over v = sd2 t, |v| <= window, graded towards t = 0 where
    both factors have their features, with u | v ~ N(rho sd1 t, sd1^2 (1 - rho^2)) and E[b(u) | v] in closed form.
    """
    tau = jnp.sqrt(jnp.maximum(1 - rho * rho, 0.0))
    half1 = jnp.minimum(window / _positive(sd1), _TRUNCATION)
    half2 = jnp.minimum(window / _positive(sd2), _TRUNCATION)
    f_Q = jnp.asarray(np.concatenate([_CROSS_RULE[0], -_CROSS_RULE[0]]))
    w_Q = jnp.asarray(np.concatenate([_CROSS_RULE[1], _CROSS_RULE[1]]))

    def one_way(base, residual, half_r, sd_r, sd_b, t_fraction, weight):
        t = half_r * t_fraction
        mean_b = _base_mean(base, rho * sd_b * t, sd_b * tau)
        return half_r * weight * residual(sd_r * t) * _std_normal_pdf(t) * mean_b

    def node(q: jax.Array, totals: tuple[jax.Array, ...]) -> tuple[jax.Array, ...]:
        return tuple(
            total
            + one_way(base, residual, half2, sd2, sd1, f_Q[q], w_Q[q])
            + one_way(base, residual, half1, sd1, sd2, f_Q[q], w_Q[q])
            for total, (base, residual) in zip(totals, splits, strict=True)
        )

    zeros = jnp.zeros_like(rho * half1 * half2)
    return jax.lax.fori_loop(0, f_Q.size, node, (zeros,) * len(splits))


def _residual_pair(residuals, window: float, sd1, sd2, rho) -> tuple[jax.Array, ...]:
    """E[r(u) r(v)] for each residual r, as iterated integrals over the wider variable u = sd_o t1 (outer,
    graded towards 0) and v | u ~ N(mu, s^2), mu = rho sd_n t1, s = sd_n sqrt(1 - rho^2) (inner, in t = (v - mu)/s,
    over |v| <= window, split where v = 0 and where t = 0 and graded towards both ends of each piece).

    Taking u as the wider variable keeps the inner integral smooth on the outer rule's scale. The residuals have
    definite parity, so r(u) r(v) is even in (u, v) -> (-u, -v) and the outer integral is twice that over t1 > 0.
    """
    sd_o, sd_n = jnp.maximum(sd1, sd2), jnp.minimum(sd1, sd2)
    half = jnp.minimum(window / _positive(sd_o), _TRUNCATION)
    s = sd_n * jnp.sqrt(jnp.maximum(1 - rho * rho, 0.0))
    s_safe = _positive(s)
    f_outer, w_outer = (jnp.asarray(a) for a in _OUTER_RULE)
    f_inner, w_inner = (jnp.asarray(a) for a in _INNER_RULE)

    def outer_node(q: jax.Array, totals: tuple[jax.Array, ...]) -> tuple[jax.Array, ...]:
        t1 = half * f_outer[q]
        mu = rho * sd_n * t1
        lo = jnp.clip((-window - mu) / s_safe, -_TRUNCATION, _TRUNCATION)
        hi = jnp.clip((window - mu) / s_safe, -_TRUNCATION, _TRUNCATION)
        v_zero = jnp.clip(-mu / s_safe, lo, hi)
        cuts = (lo, jnp.clip(jnp.minimum(v_zero, 0.0), lo, hi), jnp.clip(jnp.maximum(v_zero, 0.0), lo, hi), hi)
        t_I = jnp.concatenate([a[..., None] + (b - a)[..., None] * f_inner for a, b in itertools.pairwise(cuts)], -1)
        w_I = jnp.concatenate([(b - a)[..., None] * w_inner for a, b in itertools.pairwise(cuts)], -1)
        w_I = w_I * _std_normal_pdf(t_I)
        v_I = mu[..., None] + s[..., None] * t_I
        weight = 2 * half * w_outer[q] * _std_normal_pdf(t1)
        pairs = zip(totals, residuals, strict=True)
        return tuple(total + weight * r(sd_o * t1) * jnp.sum(w_I * r(v_I), axis=-1) for total, r in pairs)

    zeros = jnp.zeros_like(rho * half)
    return jax.lax.fori_loop(0, f_outer.size, outer_node, (zeros,) * len(residuals))


def _splits(act: _Activation) -> tuple[tuple[_Base, Callable[[jax.Array], jax.Array]], ...]:
    """((b, r) for phi, (b', r') for phi'), r = phi - b."""
    q = act.quadrature
    if q is None:
        raise ValueError("this activation has closed forms only (its derivative is not a function)")
    return (q.phi_base, lambda w: act.phi(w) - q.phi_base(w)), (q.dphi_base, lambda w: act.dphi(w) - q.dphi_base(w))


def _quadrature_pair(act: _Activation) -> PairMoments:
    """E[phi phi] and E[phi' phi'], each E[b b] + (E[b(u) r(v)] + E[r(u) b(v)]) + E[r(u) r(v)]."""
    splits = _splits(act)
    crossed = [i for i, (base, _) in enumerate(splits) if base.kind != "zero"]

    def pair(var1_N: jax.Array, cov_NxM: jax.Array, var2_M: jax.Array) -> tuple[jax.Array, jax.Array]:
        sd1_Nx1, sd2_1xM = jnp.sqrt(var1_N)[:, None], jnp.sqrt(var2_M)[None, :]
        rho_NxM = jnp.clip(_safe_divide(cov_NxM, _norms(var1_N, var2_M)), -1.0, 1.0)
        window = act.quadrature.window
        residual_pairs = _residual_pair([r for _, r in splits], window, sd1_Nx1, sd2_1xM, rho_NxM)
        moments = [
            _base_pair(base, sd1_Nx1, sd2_1xM, rho_NxM) + rr
            for (base, _), rr in zip(splits, residual_pairs, strict=True)
        ]
        if crossed:
            crosses = _cross_pair([splits[i] for i in crossed], window, sd1_Nx1, sd2_1xM, rho_NxM)
            for i, cross in zip(crossed, crosses, strict=True):
                moments[i] = moments[i] + cross
        return moments[0], moments[1]

    return pair


def _quadrature_second(act: _Activation) -> Callable[[jax.Array], jax.Array]:
    """E[phi(u)^2] = E[b^2] + E[2 b r + r^2]: closed form plus a 1-D integral over u = sd t, |u| <= window."""
    (base, residual), _ = _splits(act)
    f_Q = jnp.asarray(np.concatenate([_CROSS_RULE[0], -_CROSS_RULE[0]]))
    w_Q = jnp.asarray(np.concatenate([_CROSS_RULE[1], _CROSS_RULE[1]]))

    def second(var_N: jax.Array) -> jax.Array:
        sd_N = jnp.sqrt(var_N)
        half_N = jnp.minimum(act.quadrature.window / _positive(sd_N), _TRUNCATION)
        t_NxQ = half_N[:, None] * f_Q
        u_NxQ = sd_N[:, None] * t_NxQ
        b_NxQ, r_NxQ = base(u_NxQ), residual(u_NxQ)
        integral_N = half_N * jnp.sum(w_Q * (2 * b_NxQ + r_NxQ) * r_NxQ * _std_normal_pdf(t_NxQ), axis=-1)
        return _base_pair(base, sd_N, sd_N, jnp.ones_like(sd_N)) + integral_N

    return second


def _pair_rule(name: str, quadrature: bool) -> PairMoments:
    act = _activation(name)
    return act.pair if act.pair is not None and not quadrature else _quadrature_pair(act)


def _second_rule(name: str, quadrature: bool) -> Callable[[jax.Array], jax.Array]:
    act = _activation(name)
    return act.second if act.second is not None and not quadrature else _quadrature_second(act)


@functools.partial(jax.jit, static_argnames=("name", "quadrature"))
def _pair_moments_jit(var1_N, cov_NxM, var2_M, *, name: str, quadrature: bool):
    return _pair_rule(name, quadrature)(var1_N, cov_NxM, var2_M)


@functools.partial(jax.jit, static_argnames=("name", "quadrature"))
def _second_moment_jit(var_N, *, name: str, quadrature: bool):
    return _second_rule(name, quadrature)(var_N)


def _as_variances(var: ArrayLike, what: str) -> np.ndarray:
    var = np.asarray(var, dtype=np.float64)
    if var.ndim != 1:
        raise ValueError(f"{what} must be a 1-D array of variances, got shape {var.shape}")
    if not np.all(np.isfinite(var)) or np.any(var < 0):
        raise ValueError(f"{what} must be finite and >= 0 (variances); min is {var.min(initial=0.0)}")
    return var


def activation_moments(
    activation: str, var1_N: ArrayLike, cov_NxM: ArrayLike, var2_M: ArrayLike, *, quadrature: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The single-layer expectations (E[phi(u) phi(v)], E[phi'(u) phi'(v)]), each of shape (N, M).

    (u, v) ~ N(0, [[var1_i, cov_ij], [cov_ij, var2_j]]) for every pair (i, j). Closed forms for relu, erf and
    step, the module's quadrature (relative error below 1e-9 in the tests, variances 1e-2 .. 4e2) for the rest;
    `quadrature=True` forces the quadrature for relu and erf (to cross-check the closed forms). float64 numpy.
    """
    var1, var2 = _as_variances(var1_N, "var1_N"), _as_variances(var2_M, "var2_M")
    cov = np.asarray(cov_NxM, dtype=np.float64)
    if cov.shape != (var1.size, var2.size):
        raise ValueError(
            f"cov_NxM has shape {cov.shape}, expected (len(var1_N), len(var2_M)) = ({var1.size}, {var2.size})"
        )
    if np.any(np.abs(cov) > np.sqrt(np.outer(var1, var2)) * (1 + 1e-6) + 1e-12):
        raise ValueError("cov_NxM is not a covariance: |cov_ij| > sqrt(var1_i var2_j) somewhere")
    _activation(activation)
    with jax.enable_x64(True):
        phi, dphi = _pair_moments_jit(var1, cov, var2, name=activation, quadrature=quadrature)
        return np.asarray(phi), np.asarray(dphi)


def activation_second_moment(activation: str, var_N: ArrayLike, *, quadrature: bool = False) -> np.ndarray:
    """E[phi(u)^2] for u ~ N(0, var_i), shape (N,): the diagonal of the pair expectation. float64 numpy."""
    var = _as_variances(var_N, "var_N")
    _activation(activation)
    with jax.enable_x64(True):
        return np.asarray(_second_moment_jit(var, name=activation, quadrature=quadrature))


# --------------------------------------------------------------------------------------------------------------
# Layers: pure functions Kernel -> Kernel
# --------------------------------------------------------------------------------------------------------------


def input_kernel(x1_NxD: jax.Array, x2_MxD: jax.Array) -> Kernel:
    """The kernel of the inputs themselves: nngp = x1.x2 / d, ntk = 0 (inputs carry no parameters)."""
    d = x1_NxD.shape[1]
    gram_NxM = x1_NxD @ x2_MxD.T / d
    return Kernel(
        nngp=gram_NxM,
        ntk=jnp.zeros_like(gram_NxM),
        var1=jnp.sum(x1_NxD * x1_NxD, axis=1) / d,
        var2=jnp.sum(x2_MxD * x2_MxD, axis=1) / d,
    )


def dense(weight_var: ArrayLike, bias_var: ArrayLike, same_inputs: ArrayLike = False) -> Layer:
    """A dense layer in NTK parametrization: K <- bias_var + weight_var K,  Theta <- K_new + weight_var Theta.

    same_inputs: the tile's rows and columns are the same points. K(x_i, x_i) is then set to the variance var_i,
    which it equals in exact arithmetic but may miss in the last bit (a Gram entry against a squared norm, or XLA
    fusing one with a multiply-add and not the other); a correlation of 1 - 1e-16 instead of 1 would become 1e-8
    through arccos in a relu NTK, and grow through depth in a step's arcsine.
    """

    def apply(k: Kernel) -> Kernel:
        var1 = bias_var + weight_var * k.var1
        nngp = bias_var + weight_var * k.nngp
        diagonal = jnp.arange(nngp.shape[0])[:, None] == jnp.arange(nngp.shape[1])[None, :]
        nngp = jnp.where(jnp.logical_and(same_inputs, diagonal), var1[:, None], nngp)
        return Kernel(nngp=nngp, ntk=nngp + weight_var * k.ntk, var1=var1, var2=bias_var + weight_var * k.var2)

    return apply


def nonlinearity(activation: str, *, quadrature: bool = False) -> Layer:
    """phi applied elementwise: K <- E[phi(u) phi(v)],  Theta <- E[phi'(u) phi'(v)] Theta,  K(x,x) <- E[phi(u)^2].

    Closed forms where known, the module's quadrature otherwise (or when `quadrature`).
    """
    pair, second = _pair_rule(activation, quadrature), _second_rule(activation, quadrature)

    def apply(k: Kernel) -> Kernel:
        phi_NxM, dphi_NxM = pair(k.var1, k.nngp, k.var2)
        var1_N, var2_M = jnp.split(second(jnp.concatenate([k.var1, k.var2])), [k.var1.size])
        return Kernel(nngp=phi_NxM, ntk=dphi_NxM * k.ntk, var1=var1_N, var2=var2_M)

    return apply


def serial(*layers: Layer) -> Layer:
    """The composition layers[-1] o ... o layers[0]."""

    def apply(k: Kernel) -> Kernel:
        for layer in layers:
            k = layer(k)
        return k

    return apply


def repeat(layer: Layer, times: ArrayLike) -> Layer:
    """layer composed `times` times, as a loop: one compilation for every depth (and on CPU faster than XLA's
    code for an unrolled chain).

    The loop carries nngp + i ntk as one complex array. XLA compiles a layer into a single loop only when the
    loop has a single output: with nngp and ntk as two outputs it splits the layer into several loops and writes
    their shared intermediates (a relu pair's angle, a table lookup) to memory, 1.5x slower on CPU.
    """

    def body(_, carry: tuple[jax.Array, jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array, jax.Array]:
        packed, var1, var2 = carry
        k = layer(Kernel(nngp=jnp.real(packed), ntk=jnp.imag(packed), var1=var1, var2=var2))
        return jax.lax.complex(k.nngp, k.ntk), k.var1, k.var2

    def apply(k: Kernel) -> Kernel:
        carry = (jax.lax.complex(k.nngp, k.ntk), k.var1, k.var2)
        packed, var1, var2 = jax.lax.fori_loop(0, times, body, carry)
        return Kernel(nngp=jnp.real(packed), ntk=jnp.imag(packed), var1=var1, var2=var2)

    return apply


def fully_connected(
    depth: ArrayLike, weight_var: ArrayLike, bias_var: ArrayLike, phi: Layer, same_inputs: ArrayLike = False
) -> Layer:
    """Dense, then `depth` times (phi, Dense): `depth` hidden layers and the readout (same_inputs: see dense)."""
    linear = dense(weight_var, bias_var, same_inputs)
    return serial(linear, repeat(serial(phi, linear), depth))


# --------------------------------------------------------------------------------------------------------------
# The lookup-table ("lattice") method of Lee et al. 2018
# --------------------------------------------------------------------------------------------------------------


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
    act = _activation(activation)
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


def _cache_root(cache_dir: str | os.PathLike | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(os.environ.get(CACHE_ENV, DEFAULT_CACHE))


def _lattice_file(activation: str, grid: LatticeGrid, cache_dir: str | os.PathLike | None) -> Path:
    name = (
        f"{activation}_ng{grid.n_gauss}_mg{grid.max_gauss:g}_nv{grid.n_var}_{grid.min_var:g}-{grid.max_var:g}"
        f"_nc{grid.n_corr}_mc{grid.max_corr:g}_v{_LATTICE_FORMAT}.npz"
    )
    return _cache_root(cache_dir) / "lattice" / name


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
    _activation(activation)
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
        s_NxM = _norms(k.var1, k.var2)
        c_NxM = _safe_divide(k.nngp, s_NxM)
        phi_NxM, dphi_NxM = _interpolate_2d(var_V, corr_C, (phi_VxC, dphi_VxC), s_NxM, c_NxM)
        return Kernel(
            nngp=phi_NxM,
            ntk=dphi_NxM * k.ntk,
            var1=_interpolate_1d(var_V, second_V, k.var1),
            var2=_interpolate_1d(var_V, second_V, k.var2),
        )

    return apply


# --------------------------------------------------------------------------------------------------------------
# fc_kernel: the public entry point, tiled
# --------------------------------------------------------------------------------------------------------------


@functools.partial(jax.jit, static_argnames=("activation", "method"))
def _tile(x1_BxD, x2_CxD, same, depth, weight_var, bias_var, table, *, activation: str, method: str) -> Kernel:
    phi = lattice_nonlinearity(table) if method == "lattice" else nonlinearity(activation)
    return fully_connected(depth, weight_var, bias_var, phi, same)(input_kernel(x1_BxD, x2_CxD))


def _check_inputs(x: ArrayLike, what: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{what} must be a non-empty 2-D array (points x features), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{what} has non-finite entries")
    return x


def _check_hyperparameters(depth: int, activation: str, weight_var: float, bias_var: float, method: str) -> None:
    _activation(activation)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
    if isinstance(depth, bool) or not isinstance(depth, int | np.integer) or depth < 1:
        raise ValueError(f"depth (number of hidden layers) must be an integer >= 1, got {depth!r}")
    for name, value in (("weight_var", weight_var), ("bias_var", bias_var)):
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite variance >= 0, got {value!r}")


def _blocks(n: int, block_size: int) -> tuple[int, int]:
    """(count, size) of equal blocks covering n rows, each at most block_size, the last one padded."""
    count = -(-n // block_size)
    return count, -(-n // count)


def _padded(x_NxD: np.ndarray, rows: int) -> np.ndarray:
    """x with its last row repeated up to `rows` rows (a real input: no zero variances in the padding)."""
    return np.concatenate([x_NxD, np.repeat(x_NxD[-1:], rows - len(x_NxD), axis=0)])


def _tile_block(activation: str, method: str, block_size: int | None) -> int:
    if block_size is None:
        closed_form = method == "lattice" or _activation(activation).pair is not None
        return BLOCK_SIZE if closed_form else QUADRATURE_BLOCK_SIZE
    if isinstance(block_size, bool) or not isinstance(block_size, int) or block_size < 1:
        raise ValueError(f"block_size must be a positive integer, got {block_size!r}")
    return block_size


def fc_kernel(
    x1_NxD: ArrayLike,
    x2_MxD: ArrayLike | None = None,
    *,
    depth: int,
    activation: str,
    weight_var: float,
    bias_var: float,
    method: str = "exact",
    block_size: int | None = None,
    lattice_grid: LatticeGrid = PAPER_GRID,
    cache_dir: str | os.PathLike | None = None,
) -> Kernel:
    """NNGP and NTK (K^depth, Theta^depth) of a fully connected net, float64 numpy arrays of shape (N, M).

    x1_NxD, x2_MxD: inputs, used as given (x2 = x1 when None). depth: hidden layers (>= 1). activation: one of
    ACTIVATIONS. weight_var, bias_var: sigma_w^2, sigma_b^2 (>= 0). method: "exact" (closed form or the module's
    quadrature) or "lattice" (Lee et al.'s lookup table on `lattice_grid`, cached under `cache_dir`).

    The matrix is computed in tiles of at most block_size x block_size pairs (default BLOCK_SIZE, or
    QUADRATURE_BLOCK_SIZE for activations without closed forms), one compiled program per tile shape, and for
    x2 = None only the tiles on and above the diagonal (then mirrored). Memory is the N x M output plus O(block^2)
    per tile in flight (one per CPU core). `.var1` and `.var2` are K(x1, x1) and K(x2, x2).
    """
    _check_hyperparameters(depth, activation, weight_var, bias_var, method)
    block = _tile_block(activation, method, block_size)
    x1 = _check_inputs(x1_NxD, "x1_NxD")
    symmetric = x2_MxD is None
    x2 = x1 if symmetric else _check_inputs(x2_MxD, "x2_MxD")
    if x1.shape[1] != x2.shape[1]:
        raise ValueError(f"x1_NxD and x2_MxD differ in input dimension: {x1.shape[1]} != {x2.shape[1]}")
    table = lattice_table(activation, lattice_grid, cache_dir) if method == "lattice" else None

    n, m = len(x1), len(x2)
    (row_count, rows), (col_count, cols) = _blocks(n, block), _blocks(m, block)
    x1_blocks = _padded(x1, row_count * rows).reshape(row_count, rows, -1)
    x2_blocks = x1_blocks if symmetric else _padded(x2, col_count * cols).reshape(col_count, cols, -1)
    nngp_NxM, ntk_NxM = np.empty((n, m)), np.empty((n, m))
    var1_N, var2_M = np.empty(n), np.empty(m)

    def compute(tile: tuple[int, int]) -> None:
        r, c = tile
        with jax.enable_x64(True):  # thread-local: entered in each worker
            k = _tile(
                x1_blocks[r], x2_blocks[c], symmetric and r == c, depth, np.float64(weight_var),
                np.float64(bias_var), table, activation=activation, method=method,
            )  # fmt: skip
            k = jax.tree.map(np.asarray, k)
        row_slice, col_slice = slice(r * rows, min((r + 1) * rows, n)), slice(c * cols, min((c + 1) * cols, m))
        height, width = row_slice.stop - row_slice.start, col_slice.stop - col_slice.start
        for out_NxM, tile_BxC in ((nngp_NxM, k.nngp[:height, :width]), (ntk_NxM, k.ntk[:height, :width])):
            if symmetric and r == c:  # the upper triangle, mirrored: exactly symmetric
                tile_BxC = np.triu(tile_BxC) + np.triu(tile_BxC, 1).T
            out_NxM[row_slice, col_slice] = tile_BxC
            if symmetric and r != c:
                out_NxM[col_slice, row_slice] = tile_BxC.T
        var1_N[row_slice], var2_M[col_slice] = k.var1[:height], k.var2[:width]

    # XLA runs a tile's elementwise loops on one core: the cores share the tiles.
    tiles = [(r, c) for r in range(row_count) for c in range(col_count) if not symmetric or c >= r]
    with ThreadPoolExecutor(max_workers=min(_CORES, len(tiles))) as pool:
        for _ in pool.map(compute, tiles):
            pass
    return Kernel(nngp=nngp_NxM, ntk=ntk_NxM, var1=var1_N, var2=var2_M)
