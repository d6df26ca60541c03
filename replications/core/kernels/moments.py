"""The single-layer Gaussian expectations of an activation: closed forms and quadrature.

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

phi and phi' come from `replications.core.activations`, the registry the nets use too.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from replications.core import activations

PairMoments = Callable[[jax.Array, jax.Array, jax.Array], tuple[jax.Array, jax.Array]]


def safe_divide(a: jax.Array, b: jax.Array) -> jax.Array:
    """a / b, and 0 where b == 0 (a zero-variance input has correlation 0 with everything)."""
    return a / jnp.where(b > 0, b, 1.0)


# XLA's float64 arcsin / arccos on CPU are scalar code (~15 ns per element, most of a relu layer's time); these are
# plain arithmetic that XLA vectorizes (~4 ns), and agree with numpy's to 1 ulp. For r <= 1/2:
#     arcsin(r) = r + r^3 sum_{k>=1} c_k r^(2k-2),   c_k = binom(2k, k) / (4^k (2k + 1))   (26 terms: < 1e-17),
# and for |x| > 1/2, arcsin(|x|) = pi/2 - 2 arcsin(sqrt((1 - |x|)/2)) and arccos(|x|) = 2 arcsin(sqrt((1 - |x|)/2)).
_ARCSIN_SERIES = tuple(math.comb(2 * k, k) / 4**k / (2 * k + 1) for k in range(1, 27))


def _arcsin_reduced(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(arcsin(r), |x| <= 1/2) with r = |x| if |x| <= 1/2, else r = sqrt((1 - |x|) / 2)."""
    a = jnp.abs(x)
    small = a <= 0.5
    r2 = jnp.where(small, a * a, (1 - a) / 2)
    r = jnp.where(small, a, jnp.sqrt(r2))
    return r + r * r2 * _estrin(_ARCSIN_SERIES, r2), small


def _estrin(coefficients: tuple[float, ...], x: jax.Array) -> jax.Array:
    """sum_k coefficients[k] x^k (two coefficients or more) by Estrin's scheme: pairs c_2i + c_2i+1 x, then pairs
    of those with x^2, and so on: log2(n) dependent steps instead of Horner's n (the 26-term arcsine series runs
    1.5x faster on CPU, where Horner's chain of multiply-adds kept the vector units waiting)."""
    terms, power = list(coefficients), x
    while len(terms) > 1:
        terms = [terms[i] + terms[i + 1] * power if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
        power = power * power
    return terms[0]


def _arcsin(x: jax.Array) -> jax.Array:
    """arcsin on [-1, 1]."""
    s, small = _arcsin_reduced(x)
    return jnp.sign(x) * jnp.where(small, s, jnp.pi / 2 - 2 * s)


def _arccos(x: jax.Array) -> jax.Array:
    """arccos on [-1, 1]."""
    s, small = _arcsin_reduced(x)
    return jnp.where(small, jnp.pi / 2 - jnp.sign(x) * s, jnp.where(x > 0, 2 * s, jnp.pi - 2 * s))


# A correlation within this of +-1 is +-1: arccos has infinite slope there (arccos(1 - e) ~ sqrt(2 e)), so a
# rounding error of a few ulps in rho would move a relu NTK by ~1e-8. The `dense` layer sets K(x, x) to the
# variance on a tile's diagonal, but XLA may recompute either side in another fusion with a fused multiply-add,
# which leaves rho = 1 - 1 ulp on some diagonal entries; a computed rho this close to 1 carries no information
# (`_snap_unit`; relu and step, whose arcsine has the same slope).


def _snap_unit(rho: jax.Array) -> jax.Array:
    """rho with values within 4 ulps (of 1) of +-1 set to +-1, and clipped to [-1, 1]."""
    tolerance = 4 * float(jnp.finfo(rho.dtype).eps)
    return jnp.where(jnp.abs(rho) >= 1 - tolerance, jnp.sign(rho), rho)


def _arc_cosine(norm: jax.Array, cos: jax.Array) -> tuple[jax.Array, jax.Array]:
    """relu's (E[phi phi], E[phi' phi']) from norm = sqrt(K11 K22) and cos = rho (Cho & Saul 2009)."""
    cos = _snap_unit(cos)
    angle = _arccos(cos)
    sin = jnp.sqrt(1.0 - cos * cos)
    return norm * (sin + (jnp.pi - angle) * cos) / (2 * jnp.pi), (jnp.pi - angle) / (2 * jnp.pi)


def pair_norms(var1_N: jax.Array, var2_M: jax.Array) -> jax.Array:
    """sqrt(K11 K22) for every pair. One square root of the product, not a product of roots: sqrt(v * v) == v
    exactly, so an input's correlation with itself is exactly 1 (where arccos and arcsin have infinite slope)."""
    return jnp.sqrt(var1_N[:, None] * var2_M[None, :])


def _relu_pair(var1_N: jax.Array, cov_NxM: jax.Array, var2_M: jax.Array) -> tuple[jax.Array, jax.Array]:
    norm_NxM = pair_norms(var1_N, var2_M)
    return _arc_cosine(norm_NxM, safe_divide(cov_NxM, norm_NxM))


def _erf_pair(var1_N: jax.Array, cov_NxM: jax.Array, var2_M: jax.Array) -> tuple[jax.Array, jax.Array]:
    scale1_N, scale2_M = 1.0 + 2.0 * var1_N, 1.0 + 2.0 * var2_M
    inv_norm_NxM = jax.lax.rsqrt(scale1_N)[:, None] * jax.lax.rsqrt(scale2_M)[None, :]
    phi_NxM = (2 / jnp.pi) * _arcsin(jnp.clip(2.0 * cov_NxM * inv_norm_NxM, -1.0, 1.0))
    det_NxM = scale1_N[:, None] * scale2_M[None, :] - 4.0 * cov_NxM * cov_NxM
    # sqrt(1 / det), not rsqrt(det) (nor 1 / sqrt(det), which XLA rewrites to rsqrt): XLA's float64 rsqrt on CPU
    # costs 3.5x a division and a square root (5.4 against 1.5 ns per element), 40 % of an erf layer.
    return phi_NxM, (4 / jnp.pi) * jnp.sqrt(1.0 / det_NxM)


def _step_pair(var1_N: jax.Array, cov_NxM: jax.Array, var2_M: jax.Array) -> tuple[jax.Array, jax.Array]:
    norm_NxM = pair_norms(var1_N, var2_M)
    rho_NxM = _snap_unit(safe_divide(cov_NxM, norm_NxM))
    det_NxM = jnp.maximum(norm_NxM * norm_NxM - cov_NxM * cov_NxM, 0.0)
    return _arcsin(rho_NxM) / (jnp.pi / 2), (2 / jnp.pi) / jnp.sqrt(det_NxM)


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


class ActivationRules(NamedTuple):
    """An activation (phi, phi' from the registry) with the rules for its Gaussian expectations."""

    phi: Callable[[jax.Array], jax.Array]
    dphi: Callable[[jax.Array], jax.Array] | None  # None: phi' is not a function (a step's is a delta)
    pair: PairMoments | None  # closed form of (E[phi phi], E[phi' phi']), else quadrature
    second: Callable[[jax.Array], jax.Array] | None  # closed form of E[phi(u)^2], u ~ N(0, var), else quadrature
    quadrature: _Quadrature | None


_SQRT_PI = math.sqrt(math.pi)
# (pair, second, quadrature) of every activation in the registry, beside its phi and phi'.
_EXPECTATIONS: dict[str, tuple[PairMoments | None, Callable[[jax.Array], jax.Array] | None, _Quadrature | None]] = {
    "relu": (_relu_pair, lambda var: var / 2, _Quadrature(_Base("relu"), _Base("erf", 0.5, 0.5), 6.5)),
    "erf": (
        _erf_pair,
        lambda var: (2 / jnp.pi) * _arcsin(2 * var / (1 + 2 * var)),
        # The base erf(2w) differs from phi, so a forced quadrature is a real check of the closed form.
        _Quadrature(_Base("erf", rate=2.0), _Base("zero"), 6.5),
    ),
    "step": (_step_pair, jnp.ones_like, None),
    "tanh": (None, None, _Quadrature(_Base("erf", rate=_SQRT_PI / 2), _Base("zero"), 20.0)),
    "sigmoid": (None, None, _Quadrature(_Base("erf", 0.5, 0.5, _SQRT_PI / 4), _Base("zero"), 40.0)),
    "softplus": (None, None, _Quadrature(_Base("relu"), _Base("erf", 0.5, 0.5, _SQRT_PI / 4), 40.0)),
    "gelu": (None, None, _Quadrature(_Base("relu"), _Base("erf", 0.5, 0.5, 1 / math.sqrt(2)), 9.5)),
}
_ACTIVATIONS: dict[str, ActivationRules] = {
    name: ActivationRules(*activations.activation(name), *_EXPECTATIONS[name]) for name in activations.ACTIVATIONS
}


def activation_rules(name: str) -> ActivationRules:
    """The rules of the activation called `name` (one of ACTIVATIONS), or ValueError."""
    activations.activation(name)  # a ValueError naming the known activations
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


def _splits(act: ActivationRules) -> tuple[tuple[_Base, Callable[[jax.Array], jax.Array]], ...]:
    """((b, r) for phi, (b', r') for phi'), r = phi - b."""
    q = act.quadrature
    if q is None:
        raise ValueError("this activation has closed forms only (its derivative is not a function)")
    return (q.phi_base, lambda w: act.phi(w) - q.phi_base(w)), (q.dphi_base, lambda w: act.dphi(w) - q.dphi_base(w))


def _quadrature_pair(act: ActivationRules) -> PairMoments:
    """E[phi phi] and E[phi' phi'], each E[b b] + (E[b(u) r(v)] + E[r(u) b(v)]) + E[r(u) r(v)]."""
    splits = _splits(act)
    crossed = [i for i, (base, _) in enumerate(splits) if base.kind != "zero"]

    def pair(var1_N: jax.Array, cov_NxM: jax.Array, var2_M: jax.Array) -> tuple[jax.Array, jax.Array]:
        sd1_Nx1, sd2_1xM = jnp.sqrt(var1_N)[:, None], jnp.sqrt(var2_M)[None, :]
        rho_NxM = jnp.clip(safe_divide(cov_NxM, pair_norms(var1_N, var2_M)), -1.0, 1.0)
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


def _quadrature_second(act: ActivationRules) -> Callable[[jax.Array], jax.Array]:
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


def pair_rule(name: str, quadrature: bool) -> PairMoments:
    """(var1_N, cov_NxM, var2_M) -> (E[phi phi], E[phi' phi']): closed form, else (or if `quadrature`) quadrature."""
    act = activation_rules(name)
    return act.pair if act.pair is not None and not quadrature else _quadrature_pair(act)


def second_rule(name: str, quadrature: bool) -> Callable[[jax.Array], jax.Array]:
    """var_N -> E[phi(u)^2]: the closed form, else (or if `quadrature`) quadrature."""
    act = activation_rules(name)
    return act.second if act.second is not None and not quadrature else _quadrature_second(act)


@functools.partial(jax.jit, static_argnames=("name", "quadrature"))
def _pair_moments_jit(var1_N, cov_NxM, var2_M, *, name: str, quadrature: bool):
    return pair_rule(name, quadrature)(var1_N, cov_NxM, var2_M)


@functools.partial(jax.jit, static_argnames=("name", "quadrature"))
def _second_moment_jit(var_N, *, name: str, quadrature: bool):
    return second_rule(name, quadrature)(var_N)


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
    activation_rules(activation)
    with jax.enable_x64(True):
        phi, dphi = _pair_moments_jit(var1, cov, var2, name=activation, quadrature=quadrature)
        return np.asarray(phi), np.asarray(dphi)


def activation_second_moment(activation: str, var_N: ArrayLike, *, quadrature: bool = False) -> np.ndarray:
    """E[phi(u)^2] for u ~ N(0, var_i), shape (N,): the diagonal of the pair expectation. float64 numpy."""
    var = _as_variances(var_N, "var_N")
    activation_rules(activation)
    with jax.enable_x64(True):
        return np.asarray(_second_moment_jit(var, name=activation, quadrature=quadrature))
