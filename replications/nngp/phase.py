"""The order-to-chaos phase diagram of deep random nets (Poole et al. 2016; Schoenholz et al. 2017), which Lee et al.
drew beside their accuracy heat maps (their Fig 4).

A signal's variance settles at the fixed point q* = weight_var E[phi(sqrt(q*) z)^2] + bias_var, z ~ N(0, 1), and the
correlation map's slope at correlation 1 is chi_1 = weight_var E[phi'(sqrt(q*) z)^2]. chi_1 < 1: ordered (inputs
become perfectly correlated with depth); chi_1 > 1: chaotic (they decorrelate); chi_1 = 1: the critical line, along
which information survives to the greatest depth. ReLU: chi_1 = weight_var / 2, so the line is weight_var = 2
(below it q* = bias_var / (1 - weight_var / 2) is finite; above it q* is unbounded).
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial.hermite_e import hermegauss

_NODES = 101
_ITERATIONS = 2000


_Z, _W = hermegauss(_NODES)
_W = _W / _W.sum()


def _tanh_expectations(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(E[tanh(sqrt(q) z)^2], E[sech(sqrt(q) z)^4]) by Gauss-Hermite quadrature, elementwise in q."""
    z, w = _Z, _W
    t = np.tanh(np.sqrt(q)[..., None] * z)
    return np.sum(w * t**2, axis=-1), np.sum(w * (1 - t**2) ** 2, axis=-1)


def tanh_fixed_point(weight_var: np.ndarray, bias_var: np.ndarray) -> np.ndarray:
    """q* of tanh nets, by iterating q <- weight_var E[tanh^2] + bias_var (a contraction: tanh^2 < 1)."""
    q = np.ones(np.broadcast_shapes(np.shape(weight_var), np.shape(bias_var)))
    for _ in range(_ITERATIONS):
        q = weight_var * _tanh_expectations(q)[0] + bias_var
    return q


def chi1(activation: str, weight_var: np.ndarray, bias_var: np.ndarray) -> np.ndarray:
    """chi_1 = weight_var E[phi'(sqrt(q*) z)^2] (module docstring), elementwise."""
    weight_var, bias_var = np.asarray(weight_var, float), np.asarray(bias_var, float)
    if activation == "relu":
        return np.broadcast_to(weight_var / 2, np.broadcast_shapes(weight_var.shape, bias_var.shape)).copy()
    if activation == "tanh":
        return weight_var * _tanh_expectations(tanh_fixed_point(weight_var, bias_var))[1]
    raise ValueError(f"chi1 is implemented for relu and tanh, not {activation!r}")
